"""Graceful deletion of bound pods, finalizers and delete preconditions, as kube does them."""

from __future__ import annotations

from kubernetes_asyncio import client

from tests.localkube.conftest import ABSENT_NODE, call, pod_body, unique

NODE = ABSENT_NODE


async def test_unbound_pod_is_deleted_at_once(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    await call(kube_api, "POST", path, body=pod_body("free"))
    reply = await call(kube_api, "DELETE", f"{path}/free")
    assert reply.status == 200
    assert reply.body["kind"] == "Pod"
    assert (await call(kube_api, "GET", f"{path}/free")).status == 404


async def test_bound_pod_waits_for_grace_zero(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    created = (await call(kube_api, "POST", path, body=pod_body("bound", node=NODE))).body
    first = await call(kube_api, "DELETE", f"{path}/bound")
    assert first.status == 200
    assert first.body["metadata"]["deletionGracePeriodSeconds"] == 30
    assert first.body["metadata"]["deletionTimestamp"]
    still = await call(kube_api, "GET", f"{path}/bound")
    assert still.status == 200
    assert (
        still.body["metadata"]["deletionTimestamp"] == first.body["metadata"]["deletionTimestamp"]
    )

    shorter = await call(kube_api, "DELETE", f"{path}/bound", body={"gracePeriodSeconds": 5})
    assert shorter.body["metadata"]["deletionGracePeriodSeconds"] == 5

    final = await call(
        kube_api,
        "DELETE",
        f"{path}/bound",
        body={"gracePeriodSeconds": 0, "preconditions": {"uid": created["metadata"]["uid"]}},
    )
    assert final.status == 200
    assert (await call(kube_api, "GET", f"{path}/bound")).status == 404


async def test_grace_period_comes_from_pod_spec(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    body = pod_body("short", node=NODE)
    body["spec"]["terminationGracePeriodSeconds"] = 7
    await call(kube_api, "POST", path, body=body)
    reply = await call(kube_api, "DELETE", f"{path}/short")
    assert reply.body["metadata"]["deletionGracePeriodSeconds"] == 7
    await call(kube_api, "DELETE", f"{path}/short", body={"gracePeriodSeconds": 0})


async def test_delete_preconditions_conflict(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    await call(kube_api, "POST", path, body={"metadata": {"name": "guarded"}})
    wrong_uid = await call(
        kube_api,
        "DELETE",
        f"{path}/guarded",
        body={"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}},
    )
    assert wrong_uid.status == 409
    assert wrong_uid.body["reason"] == "Conflict"
    # 1.32 checks early (rest.BeforeDelete); older servers worded the storage-level check.
    assert (
        "the UID in the precondition (00000000-0000-0000-0000-000000000000) does not match"
        in wrong_uid.body["message"]
        or "Precondition failed: UID in precondition" in wrong_uid.body["message"]
    )
    wrong_rv = await call(
        kube_api, "DELETE", f"{path}/guarded", body={"preconditions": {"resourceVersion": "1"}}
    )
    assert wrong_rv.status == 409
    assert (
        "the ResourceVersion in the precondition (1) does not match" in wrong_rv.body["message"]
        or "Precondition failed: ResourceVersion in precondition" in wrong_rv.body["message"]
    )
    assert (await call(kube_api, "GET", f"{path}/guarded")).status == 200


async def test_finalizers_hold_deletion(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    body = {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}}
    await call(kube_api, "POST", path, body=body)
    deleting = await call(kube_api, "DELETE", f"{path}/held")
    assert deleting.status == 200
    assert deleting.body["metadata"]["deletionTimestamp"]
    assert deleting.body["metadata"]["finalizers"] == ["example.com/hold"]
    assert (await call(kube_api, "GET", f"{path}/held")).status == 200

    added = await call(
        kube_api,
        "PATCH",
        f"{path}/held",
        body={"metadata": {"finalizers": ["example.com/hold", "example.com/more"]}},
        content_type="application/merge-patch+json",
    )
    assert added.status == 422
    assert added.body["details"]["causes"][0]["field"] == "metadata.finalizers"

    released = await call(
        kube_api,
        "PATCH",
        f"{path}/held",
        body={"metadata": {"finalizers": None}},
        content_type="application/merge-patch+json",
    )
    assert released.status == 200
    assert (await call(kube_api, "GET", f"{path}/held")).status == 404


async def test_deleting_namespace_removes_its_objects(kube_api: client.ApiClient) -> None:
    name = unique("lk-doomed")
    await call(kube_api, "POST", "/api/v1/namespaces", body={"metadata": {"name": name}})
    await call(
        kube_api, "POST", f"/api/v1/namespaces/{name}/configmaps", body={"metadata": {"name": "c"}}
    )
    reply = await call(kube_api, "DELETE", f"/api/v1/namespaces/{name}")
    assert reply.status == 200
    assert reply.body["status"]["phase"] == "Terminating"
    refused = await call(
        kube_api, "POST", f"/api/v1/namespaces/{name}/configmaps", body={"metadata": {"name": "d"}}
    )
    assert refused.status in (403, 404)
    if refused.status == 403:
        assert refused.body["reason"] == "Forbidden"
        assert "because it is being terminated" in refused.body["message"]


async def test_delete_collection_by_label(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    for name, labels in (("one", {"batch": "x"}), ("two", {"batch": "x"}), ("keep", {})):
        await call(kube_api, "POST", path, body={"metadata": {"name": name, "labels": labels}})
    reply = await call(kube_api, "DELETE", path, query={"labelSelector": "batch=x"})
    assert reply.status == 200
    left = await call(kube_api, "GET", path, query={"labelSelector": "batch=x"})
    assert left.body["items"] == []
    assert (await call(kube_api, "GET", f"{path}/keep")).status == 200
