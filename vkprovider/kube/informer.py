"""List and watch one kind of object, keeping a local cache of raw JSON.

The pattern from style.md: list, then watch from the *list's*
resourceVersion with bookmarks on; every event (BOOKMARK included) moves
the version forward; 410 Gone means relist; the server ends each watch after
`timeout_seconds`, the client gives up on a silent one after the inactivity
timeout (aiohttp's sock_read), and any other failure re-watches after a
back-off. Objects stay raw dicts (no generated models: they cost more than
they give at 10,000 Pods). A relist replays differences as events, including
DELETED for objects that vanished while we were not watching.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import aiohttp
from kubernetes_asyncio import watch
from kubernetes_asyncio.client.exceptions import ApiException

from vkprovider import rawjson
from vkprovider.kube.calls import read_json, with_retries
from vkprovider.kube.errors import KubeGone, translate
from vkprovider.settings import PodSettings
from vkprovider.types import RawObject


class EventType(StrEnum):
    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"


class RawWatch(watch.Watch):
    """A Watch that leaves objects as dicts (no model deserialisation), parsed by orjson."""

    def get_return_type(self, func: object) -> str:
        return ""

    def unmarshal_event(self, data: str | bytes, response_type: str | None) -> Any:
        """One watch line as {"type", "raw_object"}; an ERROR event (410 Gone above all)
        or a bare Status raises the `ApiException` the base class raises for it."""
        try:
            event = rawjson.loads(data)
        except ValueError:
            return data
        kind = event.get("type") if isinstance(event, dict) else None
        obj = event.get("object") if isinstance(event, dict) else None
        if kind is None or obj is None:
            if isinstance(event, dict) and "code" in event:
                reason = f"{event.get('reason')}: {event.get('message')}"
                raise ApiException(status=event["code"], reason=reason)
            raise ValueError(f"watch event without type or object: {str(data)[:200]}")
        if kind == "ERROR":
            raise ApiException(
                status=obj.get("code"), reason=f"{obj.get('reason')}: {obj.get('message')}"
            )
        version = (obj.get("metadata") or {}).get("resourceVersion")
        if version:
            self.resource_version = version
        return {"type": kind, "object": obj, "raw_object": obj}


UNCHANGING = frozenset({"spec"})
"""Top-level parts of an object that a new version usually leaves as they were."""

Handler = Callable[[EventType, RawObject], None]
Tally = Callable[[RawObject], str]


def _slim(obj: RawObject, strings: rawjson.StringPool, *, old: RawObject | None = None) -> None:
    """Drop `metadata.managedFields` (often the biggest part of an object, never read here)
    and share the strings objects have in common (`vkprovider.rawjson`).

    A new version of a cached object (`old`) mostly changes its status: a part equal to
    the old version's (`spec`, compared at C speed) is replaced by the old, already
    shared, one instead of being walked again."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    if old is None:
        strings.share(obj)
        return
    rest: dict[str, Any] = {}
    for key, value in obj.items():
        previous = old.get(key)
        if key in UNCHANGING and previous == value:
            obj[key] = previous
        else:
            rest[key] = value
    strings.share(rest)
    obj.update(rest)


class Informer:
    def __init__(
        self,
        *,
        name: str,
        list_call: Callable[..., Awaitable[Any]],
        list_kwargs: dict[str, Any],
        key: Callable[[RawObject], str],
        handler: Handler,
        settings: PodSettings,
        logger: Any,
        tally: Tally | None = None,
    ) -> None:
        self.name = name
        self._list_call = list_call
        self._list_kwargs = list_kwargs
        self._key = key
        self._handler = handler
        self._settings = settings
        self._logger = logger.bind(informer=name)
        self.cache: dict[str, RawObject] = {}
        """Objects by key; changed only through `_put`, `_drop` and `replace_status`."""
        self._tally = tally
        self.tallies: Counter[str] = Counter()
        """How many cached objects `tally` puts under each label (a Pod's phase), kept up
        to date as objects change, so a /metrics scrape does not walk 10,000 Pods."""
        self._strings = rawjson.StringPool()
        self.synced = asyncio.Event()
        self.resource_version = ""
        self.relists = 0
        self.rewatches = 0

    def _put(self, key: str, obj: RawObject) -> RawObject | None:
        old = self.cache.get(key)
        self.cache[key] = obj
        if self._tally is not None:
            if old is not None:
                self.tallies[self._tally(old)] -= 1
            self.tallies[self._tally(obj)] += 1
        return old

    def _drop(self, key: str) -> RawObject | None:
        old = self.cache.pop(key, None)
        if old is not None and self._tally is not None:
            self.tallies[self._tally(old)] -= 1
        return old

    def replace_status(self, key: str, *, uid: str, status: Any) -> None:
        """Our own write's answer: the cached object (if still the one with `uid`) gets its
        `status` before the watch event echoes it."""
        cached = self.cache.get(key)
        if cached is None or (cached.get("metadata") or {}).get("uid") != uid:
            return
        if self._tally is not None:
            self.tallies[self._tally(cached)] -= 1
        cached["status"] = status
        if self._tally is not None:
            self.tallies[self._tally(cached)] += 1

    async def run(self) -> None:
        """List and watch until cancelled."""
        failures = 0
        backoff = self._settings.retry.backoff_seconds or (1.0,)
        while True:
            await self._list()
            while True:
                try:
                    await self._watch()
                    failures = 0
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    error = translate(exc, operation=f"watch {self.name}")
                    if isinstance(error, KubeGone):
                        self._logger.info("watch expired (410 Gone), relisting")
                        break
                    delay = backoff[min(failures, len(backoff) - 1)]
                    failures += 1
                    self._logger.warning(
                        "watch failed, watching again",
                        error=str(error),
                        attempt=failures,
                        delay_seconds=delay,
                    )
                    await asyncio.sleep(delay)
                self.rewatches += 1

    async def _list(self) -> None:
        body = await with_retries(
            self._list_page,
            operation=f"list {self.name}",
            retry=self._settings.retry,
            logger=self._logger,
        )
        items: list[RawObject] = body.get("items") or []
        self.resource_version = (body.get("metadata") or {}).get("resourceVersion", "")
        self.relists += 1
        fresh: dict[str, RawObject] = {}
        for item in items:
            key = self._key(item)
            _slim(item, self._strings, old=self.cache.get(key))
            fresh[key] = item
        stale = [k for k in self.cache if k not in fresh]
        for key in stale:
            obj = self._drop(key)
            if obj is not None:
                self._handler(EventType.DELETED, obj)
        for key, item in fresh.items():
            old = self._put(key, item)
            old_rv = (old or {}).get("metadata", {}).get("resourceVersion")
            if old is None or old_rv != item["metadata"].get("resourceVersion"):
                self._handler(EventType.ADDED if old is None else EventType.MODIFIED, item)
        self.synced.set()
        self._logger.debug("listed", count=len(items), resource_version=self.resource_version)

    async def _list_page(self) -> Any:
        items: list[RawObject] = []
        token = ""
        while True:
            kwargs = dict(self._list_kwargs, limit=500, _preload_content=False)
            if token:
                kwargs["_continue"] = token
            body = await read_json(await self._list_call(**kwargs))
            items.extend(body.get("items") or [])
            token = (body.get("metadata") or {}).get("continue") or ""
            if not token:
                body["items"] = items
                return body

    async def _watch(self) -> None:
        timeout = aiohttp.ClientTimeout(
            connect=10, sock_connect=10, sock_read=self._settings.watch_inactivity_seconds
        )
        stream = RawWatch().stream(
            self._list_call,
            **self._list_kwargs,
            resource_version=self.resource_version,
            allow_watch_bookmarks=True,
            timeout_seconds=self._settings.watch_timeout_seconds,
            _request_timeout=timeout,
        )
        async with stream:
            async for event in stream:
                kind = event.get("type")
                obj: RawObject = event.get("raw_object") or {}
                version = (obj.get("metadata") or {}).get("resourceVersion")
                if version:
                    self.resource_version = version
                if kind == "BOOKMARK":
                    continue
                key = self._key(obj)
                _slim(obj, self._strings, old=self.cache.get(key))
                if kind == "DELETED":
                    self._drop(key)
                    self._handler(EventType.DELETED, obj)
                elif kind in ("ADDED", "MODIFIED"):
                    self._put(key, obj)
                    self._handler(EventType(kind), obj)
