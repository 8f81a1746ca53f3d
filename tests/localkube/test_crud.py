"""Create, read, update and their failures, with Status bodies shaped exactly as kube's."""

from __future__ import annotations

import re

from kubernetes_asyncio import client

from tests.localkube.conftest import ABSENT_NODE, call, pod_body

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


async def test_create_pod_stamps_metadata_and_defaults(
    kube_api: client.ApiClient, namespace: str
) -> None:
    reply = await call(
        kube_api, "POST", f"/api/v1/namespaces/{namespace}/pods", body=pod_body("web")
    )
    assert reply.status == 201
    pod = reply.body
    assert pod["metadata"]["namespace"] == namespace
    assert re.match(r"^[0-9a-f-]{36}$", pod["metadata"]["uid"])
    assert TIMESTAMP.match(pod["metadata"]["creationTimestamp"])
    assert isinstance(pod["metadata"]["resourceVersion"], str)
    assert pod["status"]["phase"] == "Pending"
    assert pod["status"]["qosClass"] == "BestEffort"
    assert pod["spec"]["restartPolicy"] == "Always"
    assert pod["spec"]["terminationGracePeriodSeconds"] == 30
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"

    got = await call(kube_api, "GET", f"/api/v1/namespaces/{namespace}/pods/web")
    assert got.status == 200
    assert got.body["metadata"]["uid"] == pod["metadata"]["uid"]
    assert got.body["kind"] == "Pod"
    assert got.body["apiVersion"] == "v1"


async def test_not_found_status_body(kube_api: client.ApiClient, namespace: str) -> None:
    reply = await call(kube_api, "GET", f"/api/v1/namespaces/{namespace}/pods/missing")
    assert reply.status == 404
    assert reply.body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "missing" not found',
        "reason": "NotFound",
        "details": {"name": "missing", "kind": "pods"},
        "code": 404,
    }
    lease = await call(
        kube_api, "GET", f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/nope"
    )
    assert lease.body["message"] == 'leases.coordination.k8s.io "nope" not found'
    assert lease.body["details"] == {
        "name": "nope",
        "group": "coordination.k8s.io",
        "kind": "leases",
    }


async def test_create_twice_is_already_exists(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    body = {"metadata": {"name": "settings"}, "data": {"a": "1"}}
    assert (await call(kube_api, "POST", path, body=body)).status == 201
    reply = await call(kube_api, "POST", path, body=body)
    assert reply.status == 409
    assert reply.body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'configmaps "settings" already exists',
        "reason": "AlreadyExists",
        "details": {"name": "settings", "kind": "configmaps"},
        "code": 409,
    }


async def test_missing_namespace_is_404(kube_api: client.ApiClient) -> None:
    reply = await call(
        kube_api,
        "POST",
        "/api/v1/namespaces/no-such-ns-xyz/configmaps",
        body={"metadata": {"name": "a"}},
    )
    assert reply.status == 404
    assert reply.body["message"] == 'namespaces "no-such-ns-xyz" not found'
    assert reply.body["details"] == {"name": "no-such-ns-xyz", "kind": "namespaces"}


async def test_stale_update_conflicts(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    created = (await call(kube_api, "POST", path, body={"metadata": {"name": "cm"}})).body
    first = {**created, "data": {"v": "1"}}
    updated = await call(kube_api, "PUT", f"{path}/cm", body=first)
    assert updated.status == 200
    assert int(updated.body["metadata"]["resourceVersion"]) > int(
        created["metadata"]["resourceVersion"]
    )
    stale = {**created, "data": {"v": "2"}}
    reply = await call(kube_api, "PUT", f"{path}/cm", body=stale)
    assert reply.status == 409
    assert reply.body["reason"] == "Conflict"
    assert reply.body["message"] == (
        'Operation cannot be fulfilled on configmaps "cm": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    assert reply.body["details"] == {"name": "cm", "kind": "configmaps"}
    current = (await call(kube_api, "GET", f"{path}/cm")).body
    assert current["data"] == {"v": "1"}


async def test_unchanged_update_keeps_resource_version(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    created = (await call(kube_api, "POST", path, body={"metadata": {"name": "same"}})).body
    again = await call(kube_api, "PUT", f"{path}/same", body=created)
    assert again.status == 200
    assert again.body["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


async def test_resource_versions_increase_across_kinds(
    kube_api: client.ApiClient, namespace: str
) -> None:
    first = await call(
        kube_api,
        "POST",
        f"/api/v1/namespaces/{namespace}/configmaps",
        body={"metadata": {"name": "a"}},
    )
    second = await call(
        kube_api,
        "POST",
        f"/api/v1/namespaces/{namespace}/secrets",
        body={"metadata": {"name": "b"}},
    )
    assert int(second.body["metadata"]["resourceVersion"]) > int(
        first.body["metadata"]["resourceVersion"]
    )
    listed = await call(kube_api, "GET", f"/api/v1/namespaces/{namespace}/configmaps")
    assert int(listed.body["metadata"]["resourceVersion"]) >= int(
        second.body["metadata"]["resourceVersion"]
    )


async def test_generate_name_and_yaml_body(kube_api: client.ApiClient, namespace: str) -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: job-\ndata:\n  k: v\n"
    reply = await call(
        kube_api,
        "POST",
        f"/api/v1/namespaces/{namespace}/configmaps",
        body=manifest.encode(),
        content_type="application/yaml",
    )
    assert reply.status == 201
    assert re.match(r"^job-[a-z0-9]{5}$", reply.body["metadata"]["name"])
    assert reply.body["data"] == {"k": "v"}


async def test_invalid_name_is_422(kube_api: client.ApiClient, namespace: str) -> None:
    reply = await call(
        kube_api,
        "POST",
        f"/api/v1/namespaces/{namespace}/configmaps",
        body={"metadata": {"name": "Not_Valid"}},
    )
    assert reply.status == 422
    assert reply.body["reason"] == "Invalid"
    assert reply.body["message"].startswith('ConfigMap "Not_Valid" is invalid: metadata.name: ')
    assert reply.body["details"]["causes"][0]["field"] == "metadata.name"


async def test_status_subresource_of_pods(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    pod = (await call(kube_api, "POST", path, body=pod_body("split", node=ABSENT_NODE))).body
    pod["metadata"]["labels"] = {"touched": "yes"}
    pod["status"] = {"phase": "Running"}
    main = await call(kube_api, "PUT", f"{path}/split", body=pod)
    assert main.body["metadata"]["labels"] == {"touched": "yes"}
    assert main.body["status"]["phase"] == "Pending"

    status_write = {**main.body, "status": {"phase": "Running"}}
    status_write["spec"] = {**main.body["spec"], "activeDeadlineSeconds": 60}
    status_write["metadata"] = {**main.body["metadata"], "labels": {"via": "status"}}
    status = await call(kube_api, "PUT", f"{path}/split/status", body=status_write)
    assert status.status == 200
    assert status.body["status"]["phase"] == "Running"
    assert status.body["status"]["qosClass"] == "BestEffort"
    assert "activeDeadlineSeconds" not in status.body["spec"]
    assert status.body["metadata"]["labels"] == {"via": "status"}


async def test_configmap_delete_answers_success_status(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    created = (await call(kube_api, "POST", path, body={"metadata": {"name": "gone"}})).body
    reply = await call(kube_api, "DELETE", f"{path}/gone")
    assert reply.status == 200
    assert reply.body["kind"] == "Status"
    assert reply.body["status"] == "Success"
    assert reply.body["details"]["name"] == "gone"
    assert reply.body["details"]["kind"] == "configmaps"
    assert reply.body["details"]["uid"] == created["metadata"]["uid"]
    assert (await call(kube_api, "GET", f"{path}/gone")).status == 404


async def test_binding_assigns_a_node(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    await call(kube_api, "POST", path, body=pod_body("unscheduled"))
    binding = {
        "apiVersion": "v1",
        "kind": "Binding",
        "metadata": {"name": "unscheduled"},
        "target": {"apiVersion": "v1", "kind": "Node", "name": "lk-absent-node"},
    }
    reply = await call(kube_api, "POST", f"{path}/unscheduled/binding", body=binding)
    assert reply.status == 201
    assert reply.body["status"] == "Success"
    pod = await call(kube_api, "GET", f"{path}/unscheduled")
    assert pod.body["spec"]["nodeName"] == "lk-absent-node"
    again = await call(kube_api, "POST", f"{path}/unscheduled/binding", body=binding)
    assert again.status == 409
    await call(kube_api, "DELETE", f"{path}/unscheduled", body={"gracePeriodSeconds": 0})


async def test_invalid_label_value_is_422(kube_api: client.ApiClient, namespace: str) -> None:
    reply = await call(
        kube_api,
        "POST",
        f"/api/v1/namespaces/{namespace}/configmaps",
        body={"metadata": {"name": "labelled", "labels": {"ok": "not ok!"}}},
    )
    assert reply.status == 422
    cause = reply.body["details"]["causes"][0]
    assert cause["field"] == "metadata.labels"
    assert cause["message"].startswith('Invalid value: "not ok!": a valid label must be')


async def test_dry_run_changes_nothing(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    body = {"metadata": {"name": "dry"}, "data": {"a": "1"}}
    reply = await call(kube_api, "POST", path, body=body, query={"dryRun": "All"})
    assert reply.status == 201
    assert reply.body["metadata"]["name"] == "dry"
    assert not reply.body["metadata"].get("resourceVersion")
    assert (await call(kube_api, "GET", f"{path}/dry")).status == 404

    await call(kube_api, "POST", path, body=body)
    patch = {"data": {"a": "2"}}
    dry_patch = await call(
        kube_api,
        "PATCH",
        f"{path}/dry",
        body=patch,
        query={"dryRun": "All"},
        content_type="application/merge-patch+json",
    )
    assert dry_patch.body["data"] == {"a": "2"}
    assert (await call(kube_api, "GET", f"{path}/dry")).body["data"] == {"a": "1"}
    deleted = await call(kube_api, "DELETE", f"{path}/dry", query={"dryRun": "All"})
    assert deleted.status == 200
    assert (await call(kube_api, "GET", f"{path}/dry")).status == 200
