"""Server-side apply over HTTP: create if absent, field ownership, conflicts, force."""

from __future__ import annotations

from typing import Any

import yaml
from kubernetes_asyncio import client

from tests.localkube.conftest import call, raw_call

APPLY = "application/apply-patch+yaml"


def config(namespace: str, **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "applied", "namespace": namespace, "labels": {"team": "a"}},
        "data": data,
    }


async def apply(
    api: client.ApiClient, namespace: str, body: Any, *, manager: str | None, force: bool = False
) -> Any:
    query = {"fieldManager": manager} if manager else {}
    if force:
        query["force"] = "true"
    return await raw_call(
        api,
        "PATCH",
        f"/api/v1/namespaces/{namespace}/configmaps/applied",
        data=yaml.safe_dump(body).encode(),
        content_type=APPLY,
        query=query,
    )


def owners(obj: Any) -> dict[str, Any]:
    return {m["manager"]: m for m in obj["metadata"]["managedFields"]}


async def test_apply_creates_merges_and_tracks_ownership(
    kube_api: client.ApiClient, namespace: str
) -> None:
    created = await apply(kube_api, namespace, config(namespace, a="1", b="2"), manager="tester")
    assert created.status == 201, created.body
    entry = owners(created.body)["tester"]
    assert (entry["operation"], entry["apiVersion"], entry["fieldsType"]) == (
        "Apply",
        "v1",
        "FieldsV1",
    )
    assert entry["fieldsV1"]["f:data"] == {"f:a": {}, "f:b": {}}
    assert entry["fieldsV1"]["f:metadata"]["f:labels"] == {"f:team": {}}

    dropped_b = await apply(kube_api, namespace, config(namespace, a="1"), manager="tester")
    assert dropped_b.status == 200, dropped_b.body
    assert dropped_b.body["data"] == {"a": "1"}

    other = {**config(namespace, c="3"), "metadata": {"name": "applied", "namespace": namespace}}
    shared = await apply(kube_api, namespace, other, manager="other")
    assert shared.status == 200, shared.body
    assert shared.body["data"] == {"a": "1", "c": "3"}
    assert shared.body["metadata"]["labels"] == {"team": "a"}
    assert set(owners(shared.body)) == {"tester", "other"}

    # An update that does not mention managedFields keeps them.
    replaced = {**shared.body, "metadata": dict(shared.body["metadata"])}
    del replaced["metadata"]["managedFields"]
    put = await call(
        kube_api, "PUT", f"/api/v1/namespaces/{namespace}/configmaps/applied", body=replaced
    )
    assert set(owners(put.body)) == {"tester", "other"}


async def test_apply_conflicts_unless_forced(kube_api: client.ApiClient, namespace: str) -> None:
    await apply(kube_api, namespace, config(namespace, a="1"), manager="tester")
    rival = {**config(namespace, a="9"), "metadata": {"name": "applied", "namespace": namespace}}
    refused = await apply(kube_api, namespace, rival, manager="rival")
    assert refused.status == 409
    assert refused.body["reason"] == "Conflict"
    assert (
        refused.body["message"]
        == 'Apply failed with 1 conflict: conflict with "tester" using v1: .data.a'
    )
    assert refused.body["details"]["causes"] == [
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "tester" using v1',
            "field": ".data.a",
        }
    ]
    same_value = {**rival, "data": {"a": "1"}}
    assert (await apply(kube_api, namespace, same_value, manager="rival")).status == 200
    forced = await apply(kube_api, namespace, rival, manager="rival", force=True)
    assert forced.status == 200
    assert forced.body["data"] == {"a": "9"}
    assert "f:a" not in owners(forced.body)["tester"]["fieldsV1"].get("f:data", {})


async def test_apply_needs_a_manager_and_a_kind(kube_api: client.ApiClient, namespace: str) -> None:
    anonymous = await apply(kube_api, namespace, config(namespace, a="1"), manager=None)
    assert anonymous.status == 400
    assert anonymous.body["message"] == "fieldManager is required for apply requests"
    kindless = config(namespace, a="1")
    del kindless["kind"]
    refused = await apply(kube_api, namespace, kindless, manager="tester")
    assert refused.status == 400
    assert "Object 'Kind' is missing" in refused.body["message"]
    assert (
        await call(kube_api, "GET", f"/api/v1/namespaces/{namespace}/configmaps/applied")
    ).status == 404


async def test_apply_refuses_unknown_fields_when_strict(
    kube_api: client.ApiClient, namespace: str
) -> None:
    body = {**config(namespace, a="1"), "bogus": True}
    refused = await raw_call(
        kube_api,
        "PATCH",
        f"/api/v1/namespaces/{namespace}/configmaps/applied",
        data=yaml.safe_dump(body).encode(),
        content_type=APPLY,
        query={"fieldManager": "tester", "fieldValidation": "Strict"},
    )
    assert refused.status == 400
    # kube-apiserver words it through structured-merge-diff ("field not declared in schema");
    # both name the field.
    assert "bogus" in refused.body["message"]
    assert (
        await call(kube_api, "GET", f"/api/v1/namespaces/{namespace}/configmaps/applied")
    ).status == 404
