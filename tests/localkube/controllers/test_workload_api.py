"""apps/v1 and batch/v1 as kube-apiserver serves them: defaults, 422s, scale, columns."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from tests.localkube.conftest import ABSENT_NODE, MERGE_PATCH, TABLE, call, pod_body
from tests.localkube.controllers.manifests import deployment, job
from tests.polling import eventually


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


async def test_revision_history_keeps_only_the_limit_of_old_replicasets(
    kube_api: client.ApiClient, namespace: str
) -> None:
    base = f"/apis/apps/v1/namespaces/{namespace}"
    body = deployment("history", namespace, image="nginx:1.7.9", replicas=0)
    body["spec"]["revisionHistoryLimit"] = 1
    assert (await call(kube_api, "POST", f"{base}/deployments", body=body)).status == 201
    for revision, image in enumerate(("nginx:1.31.3", "busybox:1.37"), start=2):

        async def at_revision(wanted: str = str(revision)) -> bool:
            found = (await call(kube_api, "GET", f"{base}/deployments/history")).body
            annotations = found["metadata"].get("annotations") or {}
            return bool(
                annotations.get("deployment.kubernetes.io/revision") == str(int(wanted) - 1)
            )

        await eventually(at_revision, deadline_seconds=20, what=f"revision {revision - 1}")
        patch = {"spec": {"template": {"spec": {"containers": [{"name": "main", "image": image}]}}}}
        reply = await call(
            kube_api,
            "PATCH",
            f"{base}/deployments/history",
            body=patch,
            content_type="application/strategic-merge-patch+json",
        )
        assert reply.status == 200, reply.body

    async def two_left() -> list[Any] | None:
        found = (await call(kube_api, "GET", f"{base}/replicasets")).body["items"]
        revisions = sorted(
            rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] for rs in found
        )
        return found if revisions == ["2", "3"] else None

    left = await eventually(two_left, deadline_seconds=20, what="revisions 2 and 3 only")
    images = {
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: rs["spec"]["template"][
            "spec"
        ]["containers"][0]["image"]
        for rs in left
    }
    assert images == {"2": "nginx:1.31.3", "3": "busybox:1.37"}


async def test_binding_is_validated_as_kube_does(
    kube_api: client.ApiClient, namespace: str
) -> None:
    pods = f"/api/v1/namespaces/{namespace}/pods"
    assert (await call(kube_api, "POST", pods, body=pod_body("unbound"))).status == 201
    target = {"apiVersion": "v1", "kind": "Node", "name": ABSENT_NODE}
    mismatch = {"metadata": {"name": "other"}, "target": target}
    reply = await call(kube_api, "POST", f"{pods}/unbound/binding", body=mismatch)
    assert reply.status == 400
    assert reply.body["message"] == "name in URL does not match name in Binding object"
    wrong_kind = {"metadata": {"name": "unbound"}, "target": {**target, "kind": "Pod"}}
    # kube's binding storage answers field errors as a bare aggregate: 500, no reason.
    reply = await call(kube_api, "POST", f"{pods}/unbound/binding", body=wrong_kind)
    assert reply.status == 500
    assert "reason" not in reply.body
    assert reply.body["message"] == (
        'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"'
    )
    no_target = {"metadata": {"name": "unbound"}, "target": {}}
    reply = await call(kube_api, "POST", f"{pods}/unbound/binding", body=no_target)
    assert reply.status == 500
    assert reply.body["message"] == "target.name: Required value"
    bound = await call(
        kube_api,
        "POST",
        f"{pods}/unbound/binding",
        body={"metadata": {"name": "unbound"}, "target": target},
    )
    assert bound.status == 201
    pod = (await call(kube_api, "GET", f"{pods}/unbound")).body
    assert pod["spec"]["nodeName"] == ABSENT_NODE
    scheduled = [c for c in pod["status"].get("conditions", []) if c["type"] == "PodScheduled"]
    assert [c["status"] for c in scheduled] == ["True"]
