"""Watches: from a resourceVersion, selectors, bookmarks, timeouts and 410 Gone, as kube sends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from kubernetes_asyncio import client, watch

from localkube.server import LocalKube
from tests.localkube.conftest import MERGE_PATCH, call

READ_TIMEOUT = 10.0


@asynccontextmanager
async def open_watch(
    api: client.ApiClient, path: str, **query: str
) -> AsyncIterator[aiohttp.ClientResponse]:
    response = await api.call_api(
        path,
        "GET",
        query_params=[("watch", "true"), *query.items()],
        header_params={"Accept": "application/json"},
        auth_settings=["BearerToken"],
        _preload_content=False,
    )
    try:
        assert response.status == 200
        yield response
    finally:
        response.release()


async def next_event(response: aiohttp.ClientResponse) -> Any:
    line = await asyncio.wait_for(response.content.readline(), READ_TIMEOUT)
    assert line, "watch stream ended"
    return json.loads(line)


async def test_watch_from_list_version_sees_changes_in_order(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    listed = await call(kube_api, "GET", path)
    start = listed.body["metadata"]["resourceVersion"]
    async with open_watch(kube_api, path, resourceVersion=start) as stream:
        await call(kube_api, "POST", path, body={"metadata": {"name": "w"}})
        await call(
            kube_api, "PATCH", f"{path}/w", body={"data": {"a": "1"}}, content_type=MERGE_PATCH
        )
        await call(kube_api, "DELETE", f"{path}/w")
        events = [await next_event(stream) for _ in range(3)]
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    assert all(e["object"]["kind"] == "ConfigMap" for e in events)
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(versions)
    assert versions[0] > int(start)
    assert events[1]["object"]["data"] == {"a": "1"}


async def test_watch_from_history_replays_missed_events(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    start = (await call(kube_api, "GET", path)).body["metadata"]["resourceVersion"]
    await call(kube_api, "POST", path, body={"metadata": {"name": "early"}})
    async with open_watch(kube_api, path, resourceVersion=start) as stream:
        event = await next_event(stream)
    assert event["type"] == "ADDED"
    assert event["object"]["metadata"]["name"] == "early"


async def test_watch_without_version_starts_with_current_state(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    await call(kube_api, "POST", path, body={"metadata": {"name": "existing"}})
    async with open_watch(kube_api, path, fieldSelector="metadata.name=existing") as stream:
        event = await next_event(stream)
    assert event["type"] == "ADDED"
    assert event["object"]["metadata"]["name"] == "existing"


async def test_object_leaving_the_selector_is_deleted_for_the_watcher(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    body = {"metadata": {"name": "mover", "labels": {"team": "a"}}}
    created = (await call(kube_api, "POST", path, body=body)).body
    start = created["metadata"]["resourceVersion"]
    async with open_watch(kube_api, path, resourceVersion=start, labelSelector="team=a") as stream:
        moved = {"metadata": {"labels": {"team": "b"}}}
        await call(kube_api, "PATCH", f"{path}/mover", body=moved, content_type=MERGE_PATCH)
        event = await next_event(stream)
    assert event["type"] == "DELETED"
    assert event["object"]["metadata"]["name"] == "mover"


async def test_timeout_seconds_ends_the_stream(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    start = (await call(kube_api, "GET", path)).body["metadata"]["resourceVersion"]
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with open_watch(kube_api, path, resourceVersion=start, timeoutSeconds="1") as stream:
        rest = await asyncio.wait_for(stream.content.read(), READ_TIMEOUT)
    assert rest == b""
    assert 0.9 <= loop.time() - began < 5


async def test_bookmarks_carry_the_current_version(
    kube_api: client.ApiClient, namespace: str, needs_embedded: LocalKube
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    start = (await call(kube_api, "GET", path)).body["metadata"]["resourceVersion"]
    other = f"/api/v1/namespaces/{namespace}/secrets"
    written = await call(kube_api, "POST", other, body={"metadata": {"name": "elsewhere"}})
    async with open_watch(
        kube_api, path, resourceVersion=start, allowWatchBookmarks="true"
    ) as stream:
        event = await next_event(stream)
    assert event["type"] == "BOOKMARK"
    assert event["object"]["kind"] == "ConfigMap"
    assert int(event["object"]["metadata"]["resourceVersion"]) >= int(
        written.body["metadata"]["resourceVersion"]
    )


async def test_too_old_version_is_an_error_event(
    kube_api: client.ApiClient, namespace: str, needs_embedded: LocalKube
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    start = (await call(kube_api, "GET", path)).body["metadata"]["resourceVersion"]
    await call(kube_api, "POST", path, body={"metadata": {"name": "bump"}})
    needs_embedded.compact_history()
    oldest = needs_embedded.store.oldest_retained
    async with open_watch(kube_api, path, resourceVersion=start) as stream:
        event = await next_event(stream)
        assert await asyncio.wait_for(stream.content.read(), READ_TIMEOUT) == b""
    assert event == {
        "type": "ERROR",
        "object": {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f"too old resource version: {start} ({oldest})",
            "reason": "Expired",
            "code": 410,
        },
    }


async def test_kubernetes_asyncio_watch_stream(kube_api: client.ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(kube_api)
    listed = await core.list_namespaced_config_map(namespace)
    await core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="typed"))
    )
    seen: list[tuple[str, str]] = []
    stream = watch.Watch().stream(
        core.list_namespaced_config_map,
        namespace,
        resource_version=listed.metadata.resource_version,
        allow_watch_bookmarks=True,
        timeout_seconds=5,
    )
    async with stream:
        async for event in stream:
            if event["type"] == "BOOKMARK":
                continue
            seen.append((event["type"], event["object"].metadata.name))
            if event["type"] == "ADDED":
                await core.delete_namespaced_config_map("typed", namespace)
            else:
                break
    assert seen == [("ADDED", "typed"), ("DELETED", "typed")]


async def _drain(stream: Any) -> None:
    async with stream:
        async for _ in stream:
            pass


async def test_kubernetes_asyncio_watch_raises_410(
    kube_api: client.ApiClient, namespace: str, needs_embedded: LocalKube
) -> None:
    core = client.CoreV1Api(kube_api)
    listed = await core.list_namespaced_config_map(namespace)
    await core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="x"))
    )
    needs_embedded.compact_history()
    stream = watch.Watch().stream(
        core.list_namespaced_config_map,
        namespace,
        resource_version=listed.metadata.resource_version,
        timeout_seconds=5,
    )
    with pytest.raises(client.ApiException) as raised:
        await _drain(stream)
    assert raised.value.status == 410


async def test_watch_on_an_object_url_answers_the_object(
    kube_api: client.ApiClient, namespace: str
) -> None:
    """kube-apiserver ignores `watch` on an object URL; a watch of one object is a watch of
    the collection pinned to its name (what kubectl and client-go send)."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    start = (await call(kube_api, "GET", path)).body["metadata"]["resourceVersion"]
    await call(kube_api, "POST", path, body={"metadata": {"name": "other"}})
    await call(kube_api, "POST", path, body={"metadata": {"name": "mine"}})
    answered = await call(
        kube_api, "GET", f"{path}/mine", query={"watch": "true", "resourceVersion": start}
    )
    assert answered.status == 200
    assert (answered.body["kind"], answered.body["metadata"]["name"]) == ("ConfigMap", "mine")
    pinned = {"resourceVersion": start, "fieldSelector": "metadata.name=mine"}
    async with open_watch(kube_api, path, **pinned) as stream:
        event = await next_event(stream)
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "mine")


async def next_line(response: aiohttp.ClientResponse) -> bytes:
    line = await asyncio.wait_for(response.content.readline(), READ_TIMEOUT)
    assert line, "watch stream ended"
    return line


async def test_watchers_of_one_change_share_one_encoding(
    kube_api: client.ApiClient, namespace: str, needs_embedded: LocalKube
) -> None:
    """kube's watch cache serializes an event once for all its watchers: so does localkube."""
    encodings = needs_embedded.handlers.watch_encodings
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    start = (await call(kube_api, "GET", path)).body["metadata"]["resourceVersion"]
    async with (
        open_watch(kube_api, path, resourceVersion=start) as first,
        open_watch(kube_api, path, resourceVersion=start) as second,
    ):
        before = encodings.encoded
        await call(kube_api, "POST", path, body={"metadata": {"name": "shared"}})
        await call(
            kube_api, "PATCH", f"{path}/shared", body={"data": {"a": "1"}}, content_type=MERGE_PATCH
        )
        await call(kube_api, "DELETE", f"{path}/shared")
        lines = [[await next_line(stream) for _ in range(3)] for stream in (first, second)]
        encoded = encodings.encoded - before
    assert lines[0] == lines[1]
    assert [json.loads(line)["type"] for line in lines[0]] == ["ADDED", "MODIFIED", "DELETED"]
    assert encoded == 3, f"{encoded} encodings for 3 events seen by 2 watchers"


async def test_watches_from_now_share_the_current_state_encoding(
    kube_api: client.ApiClient, namespace: str, needs_embedded: LocalKube
) -> None:
    encodings = needs_embedded.handlers.watch_encodings
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    await call(kube_api, "POST", path, body={"metadata": {"name": "present"}})
    before = encodings.encoded
    selector = {"fieldSelector": "metadata.name=present"}
    async with open_watch(kube_api, path, **selector) as first:
        first_line = await next_line(first)
    async with open_watch(kube_api, path, **selector) as second:
        second_line = await next_line(second)
    assert first_line == second_line
    assert json.loads(first_line)["type"] == "ADDED"
    assert encodings.encoded - before == 1


async def test_shared_encodings_keep_each_watchers_view(
    kube_api: client.ApiClient, namespace: str, needs_embedded: LocalKube
) -> None:
    """A watcher the change moves out of its selector reads DELETED of the old object, one
    without a selector MODIFIED of the new, and an events.k8s.io watcher its own shape."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    body = {"metadata": {"name": "mover", "labels": {"team": "a"}}}
    start = (await call(kube_api, "POST", path, body=body)).body["metadata"]["resourceVersion"]
    async with (
        open_watch(kube_api, path, resourceVersion=start, labelSelector="team=a") as leaving,
        open_watch(kube_api, path, resourceVersion=start, labelSelector="team=a") as also,
        open_watch(kube_api, path, resourceVersion=start) as everything,
    ):
        moved = {"metadata": {"labels": {"team": "b"}}}
        await call(kube_api, "PATCH", f"{path}/mover", body=moved, content_type=MERGE_PATCH)
        left, also_left, modified = [
            await next_line(stream) for stream in (leaving, also, everything)
        ]
    assert left == also_left
    deleted, changed = json.loads(left), json.loads(modified)
    assert (deleted["type"], changed["type"]) == ("DELETED", "MODIFIED")
    assert deleted["object"]["metadata"]["labels"] == {"team": "a"}
    assert changed["object"]["metadata"]["labels"] == {"team": "b"}
    version = changed["object"]["metadata"]["resourceVersion"]
    assert deleted["object"]["metadata"]["resourceVersion"] == version

    core, events_v1 = (
        f"/api/v1/namespaces/{namespace}/events",
        f"/apis/events.k8s.io/v1/namespaces/{namespace}/events",
    )
    since = (await call(kube_api, "GET", core)).body["metadata"]["resourceVersion"]
    async with (
        open_watch(kube_api, core, resourceVersion=since) as old_api,
        open_watch(kube_api, events_v1, resourceVersion=since) as new_api,
    ):
        event = {
            "metadata": {"name": "noted"},
            "involvedObject": {"kind": "ConfigMap", "name": "mover", "namespace": namespace},
            "reason": "Noted",
            "message": "seen through both APIs",
            "type": "Normal",
        }
        await call(kube_api, "POST", core, body=event)
        as_core, as_events_v1 = [json.loads(await next_line(s)) for s in (old_api, new_api)]
    assert (as_core["object"]["apiVersion"], as_core["object"]["message"]) == (
        "v1",
        "seen through both APIs",
    )
    assert (as_events_v1["object"]["apiVersion"], as_events_v1["object"]["note"]) == (
        "events.k8s.io/v1",
        "seen through both APIs",
    )
