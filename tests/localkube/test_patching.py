"""JSON merge, strategic merge (with kube's merge keys) and JSON patch, as kube applies them."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from localkube.patching import go_json, go_value
from tests.localkube.conftest import ABSENT_NODE, call, pod_body

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"


async def test_merge_patch_sets_and_removes(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    body = {"metadata": {"name": "m", "labels": {"keep": "1", "drop": "1"}}, "data": {"a": "1"}}
    await call(kube_api, "POST", path, body=body)
    patch = {"metadata": {"labels": {"drop": None, "new": "2"}}, "data": {"b": "2"}}
    reply = await call(kube_api, "PATCH", f"{path}/m", body=patch, content_type=MERGE)
    assert reply.status == 200
    assert reply.body["metadata"]["labels"] == {"keep": "1", "new": "2"}
    assert reply.body["data"] == {"a": "1", "b": "2"}


async def test_merge_patch_with_stale_resource_version_conflicts(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    created = (await call(kube_api, "POST", path, body={"metadata": {"name": "rv"}})).body
    await call(kube_api, "PATCH", f"{path}/rv", body={"data": {"x": "1"}}, content_type=MERGE)
    stale = {"metadata": {"resourceVersion": created["metadata"]["resourceVersion"]}}
    reply = await call(kube_api, "PATCH", f"{path}/rv", body=stale, content_type=MERGE)
    assert reply.status == 409
    assert reply.body["reason"] == "Conflict"


async def test_strategic_merge_of_pod_conditions_by_type(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    await call(kube_api, "POST", path, body=pod_body("conds", node=ABSENT_NODE))
    first = {
        "status": {
            "conditions": [
                {"type": "PodScheduled", "status": "True"},
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
            ]
        }
    }
    await call(kube_api, "PATCH", f"{path}/conds/status", body=first, content_type=STRATEGIC)
    second = {"status": {"conditions": [{"type": "Ready", "status": "True", "reason": None}]}}
    reply = await call(
        kube_api, "PATCH", f"{path}/conds/status", body=second, content_type=STRATEGIC
    )
    assert reply.status == 200
    conditions = {c["type"]: c for c in reply.body["status"]["conditions"]}
    assert set(conditions) == {"PodScheduled", "Ready"}
    assert conditions["Ready"]["status"] == "True"
    assert "reason" not in conditions["Ready"]
    assert conditions["PodScheduled"]["status"] == "True"

    delete = {"status": {"conditions": [{"type": "PodScheduled", "$patch": "delete"}]}}
    reply = await call(
        kube_api, "PATCH", f"{path}/conds/status", body=delete, content_type=STRATEGIC
    )
    assert [c["type"] for c in reply.body["status"]["conditions"]] == ["Ready"]


async def test_strategic_merge_of_containers_by_name(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    body = pod_body("img", node=ABSENT_NODE)
    body["spec"]["containers"].append({"name": "side", "image": "busybox:1.36"})
    await call(kube_api, "POST", path, body=body)
    patch = {"spec": {"containers": [{"name": "side", "image": "busybox:1.37"}]}}
    reply = await call(kube_api, "PATCH", f"{path}/img", body=patch, content_type=STRATEGIC)
    assert reply.status == 200
    images = {c["name"]: c["image"] for c in reply.body["spec"]["containers"]}
    assert images == {"main": "busybox:1.36", "side": "busybox:1.37"}


async def test_strategic_merge_unions_finalizers_and_replaces_status_lists(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    body = pod_body("fin", node=ABSENT_NODE)
    body["metadata"]["finalizers"] = ["example.com/a"]
    await call(kube_api, "POST", path, body=body)
    patch = {"metadata": {"finalizers": ["example.com/b"]}}
    reply = await call(kube_api, "PATCH", f"{path}/fin", body=patch, content_type=STRATEGIC)
    # kube's normalizeElementOrder: the patch's items first, live-only items after them.
    assert reply.body["metadata"]["finalizers"] == ["example.com/b", "example.com/a"]

    statuses = [{"name": "main", "ready": False, "restartCount": 0, "image": "x", "imageID": ""}]
    for ready in (False, True):
        statuses[0]["ready"] = ready
        status_patch = {"status": {"containerStatuses": statuses}}
        reply = await call(
            kube_api, "PATCH", f"{path}/fin/status", body=status_patch, content_type=STRATEGIC
        )
    assert reply.body["status"]["containerStatuses"][0]["ready"] is True
    assert len(reply.body["status"]["containerStatuses"]) == 1
    clear = {
        "metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/a", "example.com/b"]}
    }
    reply = await call(kube_api, "PATCH", f"{path}/fin", body=clear, content_type=STRATEGIC)
    assert reply.body["metadata"].get("finalizers", []) == []


async def test_json_patch_operations(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    await call(kube_api, "POST", path, body={"metadata": {"name": "j"}, "data": {"a": "1"}})
    operations = [
        {"op": "test", "path": "/data/a", "value": "1"},
        {"op": "add", "path": "/data/b", "value": "2"},
        {"op": "replace", "path": "/data/a", "value": "10"},
        {"op": "copy", "from": "/data/b", "path": "/data/c"},
        {"op": "move", "from": "/data/c", "path": "/data/d"},
        {"op": "remove", "path": "/data/b"},
        {"op": "add", "path": "/metadata/labels", "value": {"app": "x"}},
    ]
    reply = await call(kube_api, "PATCH", f"{path}/j", body=operations, content_type=JSON_PATCH)
    assert reply.status == 200, reply.body
    assert reply.body["data"] == {"a": "10", "d": "2"}

    failing = [{"op": "test", "path": "/data/a", "value": "nope"}]
    reply = await call(kube_api, "PATCH", f"{path}/j", body=failing, content_type=JSON_PATCH)
    assert reply.status == 422
    unchanged = await call(kube_api, "GET", f"{path}/j")
    assert unchanged.body["data"] == {"a": "10", "d": "2"}


async def test_patch_of_missing_object_is_404(kube_api: client.ApiClient, namespace: str) -> None:
    reply = await call(
        kube_api,
        "PATCH",
        f"/api/v1/namespaces/{namespace}/configmaps/ghost",
        body={"data": {"a": "1"}},
        content_type=MERGE,
    )
    assert reply.status == 404
    assert reply.body["message"] == 'configmaps "ghost" not found'


async def test_status_patch_keeps_the_spec_and_still_reads_all_of_the_patch(
    kube_api: client.ApiClient, namespace: str
) -> None:
    """A status write leaves the stored spec as it is, whether the patch sends none, a
    changed one (ignored) or a wrongly typed one (refused, as the typed decoder refuses it)."""
    path = f"/api/v1/namespaces/{namespace}/pods"
    created = (await call(kube_api, "POST", path, body=pod_body("st", node=ABSENT_NODE))).body
    status = {"status": {"phase": "Running", "podIP": "10.0.0.7"}}
    written = await call(kube_api, "PATCH", f"{path}/st/status", body=status, content_type=MERGE)
    assert written.status == 200, written.body
    assert written.body["spec"] == created["spec"]
    assert list(written.body) == list(created)
    assert (written.body["status"]["phase"], written.body["status"]["podIP"]) == (
        "Running",
        "10.0.0.7",
    )

    changed = {"spec": {"activeDeadlineSeconds": 5}, "status": {"podIP": "10.0.0.8"}}
    ignored = await call(kube_api, "PATCH", f"{path}/st/status", body=changed, content_type=MERGE)
    assert ignored.status == 200, ignored.body
    assert ignored.body["spec"] == created["spec"]
    assert ignored.body["status"]["podIP"] == "10.0.0.8"

    wrong = {"spec": {"activeDeadlineSeconds": "soon"}, "status": {"podIP": "10.0.0.9"}}
    refused = await call(kube_api, "PATCH", f"{path}/st/status", body=wrong, content_type=MERGE)
    assert refused.status == 422, refused.body  # refused: the spec is still read
    assert [c["field"] for c in refused.body["details"]["causes"]] == ["patch"]
    still = (await call(kube_api, "GET", f"{path}/st")).body
    assert still["status"]["podIP"] == "10.0.0.8"


async def test_a_patch_the_typed_decoder_refuses_is_422_on_the_field_patch(
    kube_api: client.ApiClient, namespace: str
) -> None:
    """kube decodes a patch's result, not the patch: a wrongly typed value is Invalid (422,
    cause `patch`), where the same value in a create is a 400. A JSON or merge patch shows
    the patched object, a strategic one the patch as Go prints it; nothing is written."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    created = await call(kube_api, "POST", path, body={"metadata": {"name": "t"}, "data": {}})
    assert created.status == 201, created.body
    cases = [
        (MERGE, {"data": {"a": 5}}),
        (JSON_PATCH, [{"op": "add", "path": "/data/a", "value": 5}]),
        (STRATEGIC, {"data": {"a": 5}}),
        (MERGE, [1]),  # a merge patch that is not an object replaces the whole document
    ]
    for content_type, patch in cases:
        reply = await call(kube_api, "PATCH", f"{path}/t", body=patch, content_type=content_type)
        assert reply.status == 422, (content_type, reply.body)
        assert reply.body["reason"] == "Invalid"
        [cause] = reply.body["details"]["causes"]
        assert (cause["reason"], cause["field"]) == ("FieldValueInvalid", "patch")
        assert reply.body["message"] == f' "" is invalid: patch: {cause["message"]}'
        if content_type == STRATEGIC:
            assert cause["message"].startswith('Invalid value: "map[data:map[a:5]]": ')
        elif patch == [1]:
            assert cause["message"].startswith('Invalid value: "[1]": ')
        else:
            assert '\\"data\\":{\\"a\\":5}' in cause["message"], cause["message"]
    kept = await call(kube_api, "GET", f"{path}/t")
    assert kept.body["metadata"]["resourceVersion"] == created.body["metadata"]["resourceVersion"]


async def test_json_patch_operations_are_checked_as_they_are_applied(
    kube_api: client.ApiClient, namespace: str
) -> None:
    """A patch that decodes (an unknown or missing `op`) fails on applying, 422; one that is
    not a list of objects fails to decode, 400. Nothing is written either way."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    await call(kube_api, "POST", path, body={"metadata": {"name": "j"}, "data": {"a": "1"}})
    applied = [
        [{"op": "explode", "path": "/data/a"}],
        [{"path": "/data/a"}],
        [{"op": "remove", "path": "/data/a"}, {"op": "remove", "path": "/data/a"}],
    ]
    for patch in applied:
        reply = await call(kube_api, "PATCH", f"{path}/j", body=patch, content_type=JSON_PATCH)
        assert (reply.status, reply.body["reason"]) == (422, "Invalid"), (patch, reply.body)
    undecodable: list[Any] = [[3], {"op": "add"}]
    for wrong in undecodable:
        reply = await call(kube_api, "PATCH", f"{path}/j", body=wrong, content_type=JSON_PATCH)
        assert (reply.status, reply.body["reason"]) == (400, "BadRequest"), (wrong, reply.body)
    kept = await call(kube_api, "GET", f"{path}/j")
    assert kept.body["data"] == {"a": "1"}


def test_refused_patches_are_shown_as_go_prints_them() -> None:
    """`%+v` of a decoded patch (Go's `fmt`: sorted keys, shortest floats, exponent from 1e6)
    and Go's JSON of a patched object (sorted keys, HTML characters escaped)."""
    patch = {"spec": {"b": [1, 2.5, None, True, "x y"], "a": {}, "n": 1000000, "m": 100000}}
    assert go_value(patch) == "map[spec:map[a:map[] b:[1 2.5 <nil> true x y] m:100000 n:1e+06]]"
    numbers = [0, -3, 0.0001, 0.00001, 123456789, 1.5e300, -2.5e-7, 999999.5]
    assert [go_value(n) for n in numbers] == [
        "0", "-3", "0.0001", "1e-05", "1.23456789e+08", "1.5e+300", "-2.5e-07", "999999.5",
    ]  # fmt: skip
    assert go_json({"b": "<a&b>é", "a": 1}) == '{"a":1,"b":"\\u003ca\\u0026b\\u003eé"}'
