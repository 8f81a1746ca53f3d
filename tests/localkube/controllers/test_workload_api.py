"""apps/v1 and batch/v1 as kube-apiserver serves them: defaults, 422s, scale, columns."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from tests.localkube.conftest import MERGE_PATCH, TABLE, call
from tests.localkube.controllers.manifests import deployment, job


async def test_deployment_defaults(kube_api: client.ApiClient, namespace: str) -> None:
    body = deployment("plain", namespace, image="nginx:1.7.9", replicas=1)
    del body["spec"]["replicas"]
    body["spec"]["template"]["spec"]["nodeSelector"] = {"localkube-test": "nowhere"}
    reply = await call(
        kube_api, "POST", f"/apis/apps/v1/namespaces/{namespace}/deployments", body=body
    )
    assert reply.status == 201, reply.body
    spec = reply.body["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    template = spec["template"]["spec"]
    assert template["restartPolicy"] == "Always"
    assert template["dnsPolicy"] == "ClusterFirst"
    assert template["terminationGracePeriodSeconds"] == 30
    assert reply.body["metadata"]["generation"] == 1


async def test_deployment_whose_selector_misses_its_template_is_422(
    kube_api: client.ApiClient, namespace: str
) -> None:
    body = deployment("mismatch", namespace, image="nginx:1.7.9", replicas=1)
    body["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    reply = await call(
        kube_api, "POST", f"/apis/apps/v1/namespaces/{namespace}/deployments", body=body
    )
    assert reply.status == 422
    assert reply.body["reason"] == "Invalid"
    assert reply.body["details"]["causes"][0]["field"] == "spec.template.metadata.labels"
    assert "`selector` does not match template `labels`" in reply.body["message"]


async def test_job_with_restart_policy_always_is_422(
    kube_api: client.ApiClient, namespace: str
) -> None:
    body = job("always", namespace, env={})
    body["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    reply = await call(kube_api, "POST", f"/apis/batch/v1/namespaces/{namespace}/jobs", body=body)
    assert reply.status == 422
    assert reply.body["details"]["causes"][0]["field"] == "spec.template.spec.restartPolicy"
    assert 'Unsupported value: "Always"' in reply.body["message"]


async def test_scale_subresource_reads_and_writes_replicas(
    kube_api: client.ApiClient, namespace: str
) -> None:
    body = deployment("scaled", namespace, image="nginx:1.7.9", replicas=1)
    body["spec"]["template"]["spec"]["nodeSelector"] = {"localkube-test": "nowhere"}
    base = f"/apis/apps/v1/namespaces/{namespace}/deployments"
    assert (await call(kube_api, "POST", base, body=body)).status == 201
    scale = await call(kube_api, "GET", f"{base}/scaled/scale")
    assert scale.status == 200
    assert scale.body["kind"] == "Scale"
    assert scale.body["apiVersion"] == "autoscaling/v1"
    assert scale.body["spec"] == {"replicas": 1}
    assert scale.body["status"]["selector"] == "app=scaled"
    patched = await call(
        kube_api,
        "PATCH",
        f"{base}/scaled/scale",
        body={"spec": {"replicas": 4}},
        content_type=MERGE_PATCH,
    )
    assert patched.status == 200, patched.body
    assert patched.body["spec"]["replicas"] == 4
    after: Any = (await call(kube_api, "GET", f"{base}/scaled")).body
    assert after["spec"]["replicas"] == 4
    assert after["metadata"]["generation"] == 2
    negative = await call(
        kube_api,
        "PATCH",
        f"{base}/scaled/scale",
        body={"spec": {"replicas": -1}},
        content_type=MERGE_PATCH,
    )
    assert negative.status == 422


async def test_deployment_table_has_kubectls_columns(
    kube_api: client.ApiClient, namespace: str
) -> None:
    body = deployment("listed", namespace, image="nginx:1.7.9", replicas=2)
    body["spec"]["template"]["spec"]["nodeSelector"] = {"localkube-test": "nowhere"}
    base = f"/apis/apps/v1/namespaces/{namespace}/deployments"
    assert (await call(kube_api, "POST", base, body=body)).status == 201
    table = await call(kube_api, "GET", base, accept=TABLE)
    assert table.body["kind"] == "Table"
    names = [c["name"] for c in table.body["columnDefinitions"] if c["priority"] == 0]
    assert names == ["Name", "Ready", "Up-to-date", "Available", "Age"]
    wide = [c["name"] for c in table.body["columnDefinitions"] if c["priority"] == 1]
    assert wide == ["Containers", "Images", "Selector"]
    (row,) = table.body["rows"]
    assert row["cells"][0] == "listed"
    assert row["cells"][1].endswith("/2")
    assert row["cells"][5:] == ["main", "nginx:1.7.9", "app=listed"]
