"""Label and field selectors and limit/continue paging answer as kube-apiserver's."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.localkube.conftest import call, pod_body


async def _configmap(api: client.ApiClient, namespace: str, name: str, labels: Any) -> None:
    body = {"metadata": {"name": name, "labels": labels}}
    reply = await call(api, "POST", f"/api/v1/namespaces/{namespace}/configmaps", body=body)
    assert reply.status == 201


async def _names(api: client.ApiClient, path: str, **query: str) -> list[str]:
    reply = await call(api, "GET", path, query=query)
    assert reply.status == 200, reply.body
    return [item["metadata"]["name"] for item in reply.body["items"]]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("tier=web", ["a", "b"]),
        ("tier==web", ["a", "b"]),
        ("tier!=web", ["c", "d"]),
        ("tier in (web,db)", ["a", "b", "c"]),
        ("tier notin (web)", ["c", "d"]),
        ("canary", ["b"]),
        ("!canary", ["a", "c", "d"]),
        ("tier=web,!canary", ["a"]),
    ],
)
async def test_label_selectors(
    kube_api: client.ApiClient, namespace: str, selector: str, expected: list[str]
) -> None:
    await _configmap(kube_api, namespace, "a", {"tier": "web"})
    await _configmap(kube_api, namespace, "b", {"tier": "web", "canary": "true"})
    await _configmap(kube_api, namespace, "c", {"tier": "db"})
    await _configmap(kube_api, namespace, "d", {})
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    names = await _names(kube_api, path, labelSelector=selector)
    assert [n for n in names if n in "abcd"] == expected


async def test_field_selectors_on_pods(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    await call(kube_api, "POST", path, body=pod_body("on-node", node="lk-absent-node"))
    await call(kube_api, "POST", path, body=pod_body("floating"))
    assert await _names(kube_api, path, fieldSelector="spec.nodeName=lk-absent-node") == ["on-node"]
    assert await _names(kube_api, path, fieldSelector="spec.nodeName=") == ["floating"]
    assert await _names(kube_api, path, fieldSelector="metadata.name=floating") == ["floating"]
    assert await _names(kube_api, path, fieldSelector="metadata.name!=floating") == ["on-node"]
    assert sorted(await _names(kube_api, path, fieldSelector="status.phase=Pending")) == [
        "floating",
        "on-node",
    ]
    everywhere = await _names(
        kube_api, "/api/v1/pods", fieldSelector=f"metadata.namespace={namespace}"
    )
    assert sorted(everywhere) == ["floating", "on-node"]
    await call(kube_api, "DELETE", f"{path}/on-node", body={"gracePeriodSeconds": 0})


async def test_unsupported_field_label_is_400(kube_api: client.ApiClient, namespace: str) -> None:
    reply = await call(
        kube_api,
        "GET",
        f"/api/v1/namespaces/{namespace}/configmaps",
        query={"fieldSelector": "data.x=1"},
    )
    assert reply.status == 400
    assert reply.body["reason"] == "BadRequest"
    assert reply.body["message"] in (
        # 1.32
        '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
        # 1.31 and older
        'field label "data.x" not supported for "ConfigMap"',
    )
    pods = await call(
        kube_api,
        "GET",
        f"/api/v1/namespaces/{namespace}/pods",
        query={"fieldSelector": "spec.containers=x"},
    )
    assert pods.status == 400
    assert pods.body["message"] == "field label not supported: spec.containers"


async def test_events_by_involved_object(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/events"
    for name, target in (("e1", "pod-a"), ("e2", "pod-b")):
        body = {
            "metadata": {"name": name},
            "involvedObject": {"kind": "Pod", "name": target, "namespace": namespace},
            "reason": "Testing",
            "message": "hello",
            "type": "Normal",
        }
        assert (await call(kube_api, "POST", path, body=body)).status == 201
    selector = (
        f"involvedObject.name=pod-b,involvedObject.kind=Pod,involvedObject.namespace={namespace}"
    )
    assert await _names(kube_api, path, fieldSelector=selector) == ["e2"]


async def test_limit_and_continue_page_a_snapshot(
    kube_api: client.ApiClient, namespace: str
) -> None:
    for index in range(5):
        await _configmap(kube_api, namespace, f"cm-{index}", {"paged": "yes"})
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    first = await call(kube_api, "GET", path, query={"limit": "2", "labelSelector": "paged"})
    assert [i["metadata"]["name"] for i in first.body["items"]] == ["cm-0", "cm-1"]
    token = first.body["metadata"]["continue"]
    snapshot_rv = first.body["metadata"]["resourceVersion"]
    await _configmap(kube_api, namespace, "cm-9", {"paged": "yes"})

    second = await call(
        kube_api, "GET", path, query={"limit": "2", "continue": token, "labelSelector": "paged"}
    )
    assert [i["metadata"]["name"] for i in second.body["items"]] == ["cm-2", "cm-3"]
    assert second.body["metadata"]["resourceVersion"] == snapshot_rv
    third = await call(
        kube_api,
        "GET",
        path,
        query={
            "limit": "2",
            "continue": second.body["metadata"]["continue"],
            "labelSelector": "paged",
        },
    )
    assert [i["metadata"]["name"] for i in third.body["items"]] == ["cm-4"]
    assert not third.body["metadata"].get("continue")


async def test_pages_of_two_paged_lists_each_read_their_own_snapshot(
    kube_api: client.ApiClient, namespace: str
) -> None:
    """Writes between pages do not show in a paged list begun before them, remainingItemCount
    counts what its snapshot has left, and a list begun after them sees them."""
    for index in range(6):
        await _configmap(kube_api, namespace, f"p-{index}", {})
    path = f"/api/v1/namespaces/{namespace}/configmaps"

    async def page(token: str | None) -> tuple[list[tuple[str, Any]], Any, str | None]:
        query = {"limit": "3", **({"continue": token} if token else {})}
        reply = await call(kube_api, "GET", path, query=query)
        assert reply.status == 200, reply.body
        items = [(i["metadata"]["name"], i.get("data")) for i in reply.body["items"]]
        meta = reply.body["metadata"]
        return items, meta.get("remainingItemCount"), meta.get("continue")

    first, remaining, early = await page(None)
    assert [name for name, _ in first] == ["kube-root-ca.crt", "p-0", "p-1"]
    assert remaining == 4
    assert (await call(kube_api, "DELETE", f"{path}/p-3")).status == 200
    changed = await call(kube_api, "PATCH", f"{path}/p-4", body={"data": {"new": "1"}},
                         content_type="application/merge-patch+json")  # fmt: skip
    assert changed.status == 200, changed.body
    await _configmap(kube_api, namespace, "p-2a", {})

    second, remaining, early = await page(early)
    assert (second, remaining) == ([("p-2", None), ("p-3", None), ("p-4", None)], 1)
    first_late, remaining, late = await page(None)
    assert [name for name, _ in first_late] == ["kube-root-ca.crt", "p-0", "p-1"]
    assert remaining == 4
    assert await page(early) == ([("p-5", None)], None, None)
    second_late, remaining, late = await page(late)
    assert (second_late, remaining) == ([("p-2", None), ("p-2a", None), ("p-4", {"new": "1"})], 1)
    assert await page(late) == ([("p-5", None)], None, None)


async def test_remaining_item_count(kube_api: client.ApiClient, namespace: str) -> None:
    for index in range(3):
        await _configmap(kube_api, namespace, f"r-{index}", {})
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    reply = await call(kube_api, "GET", path, query={"limit": "1"})
    total = len((await call(kube_api, "GET", path)).body["items"])
    assert reply.body["metadata"]["remainingItemCount"] == total - 1


async def test_expired_continue_token_is_410(
    kube_api: client.ApiClient, namespace: str, needs_embedded: LocalKube
) -> None:
    for index in range(3):
        await _configmap(kube_api, namespace, f"x-{index}", {})
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    first = await call(kube_api, "GET", path, query={"limit": "1"})
    await _configmap(kube_api, namespace, "after-first-page", {})
    needs_embedded.compact_history()
    reply = await call(
        kube_api, "GET", path, query={"limit": "1", "continue": first.body["metadata"]["continue"]}
    )
    assert reply.status == 410
    assert reply.body["reason"] == "Expired"
    assert reply.body["message"].startswith(
        "The provided continue parameter is too old to display a consistent list result."
    )


async def test_events_are_one_store_under_both_apis(
    kube_api: client.ApiClient, namespace: str
) -> None:
    new_api = f"/apis/events.k8s.io/v1/namespaces/{namespace}/events"
    body = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "pulled"},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingController": "example.com/agent",
        "reportingInstance": "agent-1",
        "action": "Pulling",
        "reason": "Pulled",
        "note": "Pulled image from cache",
        "type": "Normal",
        "regarding": {"kind": "Pod", "name": "web", "namespace": namespace},
    }
    created = await call(kube_api, "POST", new_api, body=body)
    assert created.status == 201, created.body
    assert created.body["note"] == "Pulled image from cache"
    assert created.body["regarding"]["name"] == "web"

    core_path = f"/api/v1/namespaces/{namespace}/events"
    core = await call(
        kube_api, "GET", core_path, query={"fieldSelector": "involvedObject.name=web"}
    )
    assert [e["message"] for e in core.body["items"]] == ["Pulled image from cache"]
    assert core.body["items"][0]["involvedObject"]["kind"] == "Pod"
    assert core.body["items"][0]["reportingComponent"] == "example.com/agent"

    by_regarding = await call(
        kube_api, "GET", new_api, query={"fieldSelector": "regarding.name=web"}
    )
    assert [e["metadata"]["name"] for e in by_regarding.body["items"]] == ["pulled"]
    assert by_regarding.body["kind"] == "EventList"
    assert by_regarding.body["apiVersion"] == "events.k8s.io/v1"
