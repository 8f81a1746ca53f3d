"""ownerReferences: dependents follow their owner, by the deletion's propagation policy.

ConfigMaps stand in for owners and dependents (nothing else acts on them); a dependent
holding a finalizer of the test's own makes the foreground wait observable.
"""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from tests.localkube.conftest import MERGE_PATCH, call
from tests.polling import eventually

HOLD = "example.com/hold"


async def _configmap(
    api: client.ApiClient, namespace: str, name: str, *, owner: Any = None, finalizer: bool = False
) -> Any:
    metadata: dict[str, Any] = {"name": name}
    if owner is not None:
        metadata["ownerReferences"] = [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "name": owner["metadata"]["name"],
                "uid": owner["metadata"]["uid"],
                "blockOwnerDeletion": True,
            }
        ]
    if finalizer:
        metadata["finalizers"] = [HOLD]
    reply = await call(
        api, "POST", f"/api/v1/namespaces/{namespace}/configmaps", body={"metadata": metadata}
    )
    assert reply.status == 201, reply.body
    return reply.body


async def _gone(api: client.ApiClient, path: str) -> bool:
    return (await call(api, "GET", path)).status == 404


async def test_background_deletion_removes_dependents(
    kube_api: client.ApiClient, namespace: str
) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    owner = await _configmap(kube_api, namespace, "owner")
    await _configmap(kube_api, namespace, "dependent", owner=owner)
    reply = await call(
        kube_api, "DELETE", f"{base}/owner", body={"propagationPolicy": "Background"}
    )
    assert reply.status == 200
    assert await _gone(kube_api, f"{base}/owner")

    async def dependent_gone() -> bool:
        return await _gone(kube_api, f"{base}/dependent")

    await eventually(dependent_gone, deadline_seconds=30, what="the dependent's deletion")


async def test_foreground_deletion_waits_for_blocking_dependents(
    kube_api: client.ApiClient, namespace: str
) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    owner = await _configmap(kube_api, namespace, "owner")
    await _configmap(kube_api, namespace, "held", owner=owner, finalizer=True)
    reply = await call(
        kube_api, "DELETE", f"{base}/owner", body={"propagationPolicy": "Foreground"}
    )
    assert reply.status == 200
    waiting = await call(kube_api, "GET", f"{base}/owner")
    assert waiting.status == 200
    assert waiting.body["metadata"]["deletionTimestamp"]
    assert "foregroundDeletion" in waiting.body["metadata"]["finalizers"]

    async def dependent_deleting() -> bool:
        held = await call(kube_api, "GET", f"{base}/held")
        return bool(held.body["metadata"].get("deletionTimestamp"))

    await eventually(dependent_deleting, deadline_seconds=30, what="the dependent's deletion")
    assert (await call(kube_api, "GET", f"{base}/owner")).status == 200
    release = {"metadata": {"finalizers": None}}
    reply = await call(kube_api, "PATCH", f"{base}/held", body=release, content_type=MERGE_PATCH)
    assert reply.status == 200

    async def owner_gone() -> bool:
        return await _gone(kube_api, f"{base}/owner") and await _gone(kube_api, f"{base}/held")

    await eventually(owner_gone, deadline_seconds=30, what="the owner after its dependent")


async def test_orphan_deletion_keeps_dependents_without_the_reference(
    kube_api: client.ApiClient, namespace: str
) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    owner = await _configmap(kube_api, namespace, "owner")
    await _configmap(kube_api, namespace, "kept", owner=owner)
    reply = await call(kube_api, "DELETE", f"{base}/owner", body={"propagationPolicy": "Orphan"})
    assert reply.status == 200

    async def owner_gone() -> bool:
        return await _gone(kube_api, f"{base}/owner")

    await eventually(owner_gone, deadline_seconds=30, what="the orphaning owner's deletion")
    kept = await call(kube_api, "GET", f"{base}/kept")
    assert kept.status == 200
    assert not kept.body["metadata"].get("ownerReferences")
