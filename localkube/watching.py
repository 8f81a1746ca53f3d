"""Watch streams: newline-delimited JSON events from a resourceVersion, as kube-apiserver sends.

A watch replays retained history strictly after the requested resourceVersion (or, from
"0"/none, synthetic ADDED events for the current state), then follows live changes. Label and
field selectors apply to transitions the way kube's watch cache applies them: an object that
stops matching arrives as DELETED, one that starts matching as ADDED. Bookmarks are sent only
when every change up to the bookmarked resourceVersion has been delivered. A too-old
resourceVersion is answered with a single ERROR event carrying a 410 Expired Status.

Every watcher of a change gets the same bytes for the same event, so `EventEncodings` encodes
each (resource view, resourceVersion, event) once and hands the bytes to all of them, as
kube-apiserver's watch cache does with its caching objects. Per-watcher filtering decides
*which* events a watcher gets; the shared bytes only ever stand for one stored object at one
resourceVersion, so sharing can never change what a watcher reads.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from localkube import conversion, jsonbytes
from localkube.errors import ApiError, bad_request, too_old_resource_version
from localkube.resources import ResourceType
from localkube.selectors import FieldSelector, LabelSelector
from localkube.shapes import JsonObject, WatchEventBody
from localkube.store import DROP, Change, ChangeType, Store

LIVENESS_CHECK_SECONDS = 5.0
"""How often an idle watch checks that its client is still connected."""
SHARED_ENCODINGS = 4096
"""Encoded events kept for the other watchers of a change (the oldest go first)."""

EncodingKey = tuple[str, str, int, str]
"""(apiVersion served, plural, resourceVersion, event type)."""


@dataclass(frozen=True)
class WatchQuery:
    namespace: str | None
    labels: LabelSelector
    fields: FieldSelector
    resource_version: str | None
    timeout_seconds: float | None
    allow_bookmarks: bool
    bookmark_interval_seconds: float
    render: Callable[[JsonObject], JsonObject] | None = None
    """Turns each event's object into what the client asked for (e.g. a Table row)."""


def _matches(query: WatchQuery, obj: JsonObject | None) -> bool:
    if obj is None:
        return False
    if query.namespace is not None and obj["metadata"].get("namespace") != query.namespace:
        return False
    return query.labels.matches(obj) and query.fields.matches(obj)


def to_event(query: WatchQuery, change: Change) -> WatchEventBody | None:
    """The event a watcher with this query sees for a change, if any."""
    now_matches = _matches(query, change.object)
    if change.type is ChangeType.ADDED:
        return {"type": "ADDED", "object": change.object} if now_matches else None
    was_matching = _matches(query, change.previous)
    if change.type is ChangeType.DELETED:
        return {"type": "DELETED", "object": change.object} if was_matching else None
    if now_matches and was_matching:
        return {"type": "MODIFIED", "object": change.object}
    if now_matches:
        return {"type": "ADDED", "object": change.object}
    if was_matching and change.previous is not None:
        metadata = {**change.previous["metadata"], "resourceVersion": str(change.resource_version)}
        return {"type": "DELETED", "object": {**change.previous, "metadata": metadata}}
    return None


def _encode(resource: ResourceType, event: WatchEventBody, query: WatchQuery) -> bytes:
    obj = conversion.to_view(resource, event["object"])
    if query.render is not None:
        obj = query.render(obj)
    return jsonbytes.dumps({"type": event["type"], "object": obj}) + b"\n"


class EventEncodings:
    """Watch event bytes shared by every watcher of one store, encoded once per event.

    A resourceVersion is one write, so (version, event type) names one object: ADDED,
    MODIFIED or DELETED of the object that write stored, or, for a watcher the write moved
    out of its selector, DELETED of the previous object (a write is never both a deletion
    and a move out). The served apiVersion picks the view (core/v1 or events.k8s.io/v1
    Event). Table watches (`kubectl get -w`) render per request and are encoded per
    watcher. The last `SHARED_ENCODINGS` keys are kept, oldest dropped first: a watcher that
    lags further behind encodes again, which costs time and never changes the bytes.
    """

    def __init__(self, *, capacity: int = SHARED_ENCODINGS) -> None:
        self._capacity = max(1, capacity)
        self._lines: dict[EncodingKey, bytes] = {}
        self.encoded = 0
        """Events encoded so far (a shared event counts once, however many watchers)."""

    def encode(
        self,
        resource: ResourceType,
        event: WatchEventBody,
        query: WatchQuery,
        *,
        resource_version: int,
    ) -> bytes:
        """`event`'s line for `query`'s watcher, written at `resource_version`."""
        if query.render is not None:
            self.encoded += 1
            return _encode(resource, event, query)
        key = (resource.api_version, resource.plural, resource_version, event["type"])
        line = self._lines.get(key)
        if line is None:
            self.encoded += 1
            line = _encode(resource, event, query)
            if len(self._lines) >= self._capacity:
                del self._lines[next(iter(self._lines))]
            self._lines[key] = line
        return line

    def encode_change(
        self, resource: ResourceType, event: WatchEventBody, query: WatchQuery, change: Change
    ) -> bytes:
        return self.encode(resource, event, query, resource_version=change.resource_version)

    def encode_current(self, resource: ResourceType, obj: JsonObject, query: WatchQuery) -> bytes:
        """The ADDED line of an object as stored now (a watch from "0" starts with these)."""
        version = str(obj["metadata"].get("resourceVersion", ""))
        event: WatchEventBody = {"type": "ADDED", "object": obj}
        if not version.isdigit():
            self.encoded += 1
            return _encode(resource, event, query)
        return self.encode(resource, event, query, resource_version=int(version))


def _parse_start(raw: str | None) -> int | None:
    if raw in (None, "", "0"):
        return None
    assert raw is not None
    try:
        return int(raw)
    except ValueError as exc:
        raise bad_request(f"invalid resource version: {raw!r}") from exc


async def serve_watch(
    request: web.Request,
    *,
    store: Store,
    resource: ResourceType,
    query: WatchQuery,
    encodings: EventEncodings,
) -> web.StreamResponse:
    start = _parse_start(query.resource_version)
    backlog: list[bytes] = []
    expired: ApiError | None = None
    subscription = None
    if start is None:
        for obj in store.items(resource.key, query.namespace):
            if _matches(query, obj):
                backlog.append(encodings.encode_current(resource, obj, query))
        subscription = store.subscribe(resource.key)
    elif start < store.oldest_retained:
        expired = too_old_resource_version(requested=start, oldest=store.oldest_retained)
    else:
        for change in store.changes_after(resource.key, start):
            event = to_event(query, change)
            if event is not None:
                backlog.append(encodings.encode_change(resource, event, query, change))
        subscription = store.subscribe(resource.key)

    response = web.StreamResponse(status=200)
    response.content_type = "application/json"
    response.enable_chunked_encoding()
    try:
        await response.prepare(request)
        if expired is not None:
            await response.write(
                json.dumps({"type": "ERROR", "object": expired.status_body()}).encode() + b"\n"
            )
            await response.write_eof()
            return response
        for line in backlog:
            await response.write(line)
        assert subscription is not None
        await _follow(
            response,
            store=store,
            resource=resource,
            query=query,
            encodings=encodings,
            queue=subscription.queue,
            after=start or 0,
            client_gone=lambda: request.transport is None or request.transport.is_closing(),
        )
        await response.write_eof()
    except ConnectionResetError:
        return response
    finally:
        if subscription is not None:
            store.unsubscribe(subscription)
    return response


async def _follow(
    response: web.StreamResponse,
    *,
    store: Store,
    resource: ResourceType,
    query: WatchQuery,
    encodings: EventEncodings,
    queue: asyncio.Queue[Change | None],
    client_gone: Callable[[], bool],
    after: int,
) -> None:
    """Stream live changes newer than `after` until timeout, drop or disconnect."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + query.timeout_seconds if query.timeout_seconds else None
    next_bookmark = loop.time() + query.bookmark_interval_seconds
    while True:
        now = loop.time()
        if (deadline is not None and now >= deadline) or client_gone():
            return
        if query.allow_bookmarks and now >= next_bookmark and queue.empty():
            await response.write(_bookmark(resource, store))
            next_bookmark = now + query.bookmark_interval_seconds
        wake = now + LIVENESS_CHECK_SECONDS
        if query.allow_bookmarks:
            wake = min(wake, next_bookmark)
        if deadline is not None:
            wake = min(wake, deadline)
        try:
            if not queue.empty():
                change = queue.get_nowait()
            else:
                change = await asyncio.wait_for(queue.get(), timeout=max(0.0, wake - now))
        except TimeoutError:
            continue
        if change is DROP:
            return
        if change.resource_version <= after:
            continue
        event = to_event(query, change)
        if event is not None:
            await response.write(encodings.encode_change(resource, event, query, change))


def _bookmark(resource: ResourceType, store: Store) -> bytes:
    """A BOOKMARK at the store's version: every change up to it has been queued to us."""
    bookmark: WatchEventBody = {
        "type": "BOOKMARK",
        "object": {
            "kind": resource.kind,
            "apiVersion": resource.api_version,
            "metadata": {"resourceVersion": str(store.resource_version)},
        },
    }
    return json.dumps(bookmark, separators=(",", ":")).encode() + b"\n"
