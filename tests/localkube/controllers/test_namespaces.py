"""Deleting a namespace deletes what is in it, then the namespace; it says what it waits for."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from tests.localkube.conftest import MERGE_PATCH, call, unique
from tests.localkube.controllers.manifests import condition
from tests.polling import eventually

HOLD = "example.com/hold"


async def test_namespace_deletion_removes_its_contents_then_itself(
    kube_api: client.ApiClient,
) -> None:
    name = unique("lk-doomed")
    assert (
        await call(kube_api, "POST", "/api/v1/namespaces", body={"metadata": {"name": name}})
    ).status == 201
    configmaps = f"/api/v1/namespaces/{name}/configmaps"
    for body in (
        {"metadata": {"name": "plain"}},
        {"metadata": {"name": "held", "finalizers": [HOLD]}},
    ):
        assert (await call(kube_api, "POST", configmaps, body=body)).status == 201
    assert (await call(kube_api, "DELETE", f"/api/v1/namespaces/{name}")).status == 200

    async def waiting_for_finalizer() -> dict[str, Any] | None:
        namespace = (await call(kube_api, "GET", f"/api/v1/namespaces/{name}")).body
        remaining = condition(namespace, "NamespaceFinalizersRemaining")
        if remaining is None or remaining["status"] != "True":
            return None
        return dict(namespace)

    namespace = await eventually(
        waiting_for_finalizer, deadline_seconds=30, what="NamespaceFinalizersRemaining=True"
    )
    assert namespace["status"]["phase"] == "Terminating"
    remaining = condition(namespace, "NamespaceFinalizersRemaining")
    assert remaining is not None
    assert HOLD in remaining["message"]
    assert (await call(kube_api, "GET", f"{configmaps}/plain")).status == 404
    refused = await call(kube_api, "POST", configmaps, body={"metadata": {"name": "late"}})
    assert refused.status == 403

    release = {"metadata": {"finalizers": None}}
    reply = await call(
        kube_api, "PATCH", f"{configmaps}/held", body=release, content_type=MERGE_PATCH
    )
    assert reply.status == 200

    async def gone() -> bool:
        return (await call(kube_api, "GET", f"/api/v1/namespaces/{name}")).status == 404

    await eventually(gone, deadline_seconds=60, what="the namespace's removal")
