"""List and watch ImageCaches, keeping a local copy of each and telling the controller which
names changed.

The Kubernetes way: list, then watch from the list's `resourceVersion` with bookmarks on,
move the version forward on every event (BOOKMARK included), relist after 410 Gone, set a
server-side timeout and a client-side inactivity timeout on every watch, and back off when the
API server is away or the CRD is not installed yet. The node agent's own informer
(`vkprovider/kube/`) did not exist when this was written, hence this small one.
It never writes to the API server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
from kubernetes_asyncio import client as k8s
from kubernetes_asyncio import watch
from kubernetes_asyncio.client.exceptions import ApiException

from vkprovider.imagecaches.kinds import GROUP, PLURAL, VERSION
from vkprovider.imagecaches.settings import ImageCacheSettings

RawObject = dict[str, Any]


class ImageCacheWatcher:
    """Keeps `objects` (name → latest raw ImageCache) current; calls `on_change(name)`."""

    def __init__(
        self,
        *,
        api: k8s.ApiClient,
        settings: ImageCacheSettings,
        logger: Any,
        on_change: Callable[[str], None],
    ) -> None:
        self._custom = k8s.CustomObjectsApi(api)
        self._settings = settings
        self._logger = logger
        self._on_change = on_change
        self.objects: dict[str, RawObject] = {}
        self.synced = asyncio.Event()
        """Set after the first complete list."""

    async def run(self) -> None:
        """List and watch until cancelled; never returns otherwise."""
        failures = 0
        while True:
            try:
                version = await self._list()
                failures = 0
                await self._watch_from(version)
            except asyncio.CancelledError:
                raise
            except ApiException as exc:
                if exc.status == 410:
                    self._logger.info("imagecache watch expired, relisting")
                    continue
                failures += 1
                self._logger.warning(
                    "imagecache list/watch failed",
                    status=exc.status,
                    reason=exc.reason,
                    attempt=failures,
                    hint="is crd/imagecache.yaml applied?" if exc.status == 404 else None,
                )
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                failures += 1
                self._logger.warning(
                    "imagecache list/watch failed", error=repr(exc), attempt=failures
                )
            backoff = self._settings.retry_backoff_seconds
            await asyncio.sleep(backoff[min(failures, len(backoff)) - 1] if failures else 0)

    async def _list(self) -> str:
        listing = await self._custom.list_cluster_custom_object(
            GROUP, VERSION, PLURAL, _request_timeout=self._settings.request_timeout_seconds
        )
        fresh = {item["metadata"]["name"]: item for item in listing.get("items") or []}
        gone = set(self.objects) - set(fresh)
        self.objects = fresh
        for name in sorted(gone | set(fresh)):
            self._on_change(name)
        self.synced.set()
        return str(listing.get("metadata", {}).get("resourceVersion") or "")

    async def _watch_from(self, version: str) -> None:
        """Watch until the server ends the request; raises 410 Gone as ApiException."""
        timeout = aiohttp.ClientTimeout(
            connect=self._settings.request_timeout_seconds,
            sock_read=self._settings.watch_inactivity_seconds,
        )
        while True:
            async with watch.Watch().stream(
                self._custom.list_cluster_custom_object,
                GROUP,
                VERSION,
                PLURAL,
                resource_version=version,
                allow_watch_bookmarks=True,
                timeout_seconds=self._settings.watch_timeout_seconds,
                _request_timeout=timeout,
            ) as stream:
                async for event in stream:
                    kind = event["type"]
                    raw = event["raw_object"]
                    version = str(raw.get("metadata", {}).get("resourceVersion") or version)
                    if kind == "BOOKMARK":
                        continue
                    name = raw["metadata"]["name"]
                    if kind == "DELETED":
                        self.objects.pop(name, None)
                    else:
                        self.objects[name] = raw
                    self._on_change(name)
