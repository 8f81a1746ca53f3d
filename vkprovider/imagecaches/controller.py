"""The ImageCache controller: watch ImageCaches, reconcile each one in a keyed work queue.

Runs inside the node agent process until cancelled, on the agent's own informer
(`vkprovider.kube.informer`: list+watch, bookmarks, relist on 410) and work queue
(`vkprovider.queueing`: one worker per key, parallel across keys, back-off per key). Workers
take one resource at a time (`Reconciler.reconcile`); a retryable problem (ECI throttled, API
server away) re-queues that resource along the back-off in settings, and nothing a single
resource does can stop the others or the controller: every unexpected exception is logged and
retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from kubernetes_asyncio import client as k8s

from vkprovider.clocks import utc_now
from vkprovider.imagecaches.cloud import EciCaller
from vkprovider.imagecaches.errors import RetryableProblem
from vkprovider.imagecaches.kinds import GROUP, PLURAL, VERSION
from vkprovider.imagecaches.reconciling import Reconciler
from vkprovider.kube.errors import KubeNotFound
from vkprovider.kube.informer import EventType, Informer
from vkprovider.queueing import WorkQueue
from vkprovider.settings import ImageCacheSettings, PodSettings
from vkprovider.types import RawObject


def _name_of(obj: RawObject) -> str:
    return str(obj["metadata"]["name"])


class ImageCacheController:
    """Owns the informer, the queue and the workers; `run()` until cancelled."""

    def __init__(
        self,
        *,
        api: k8s.ApiClient,
        eci: EciCaller,
        settings: ImageCacheSettings,
        logger: Any,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._settings = settings
        self._logger = logger
        self._queue: WorkQueue[str] = WorkQueue(retry=settings.retry, track_depth=False)
        custom = k8s.CustomObjectsApi(api)
        self.informer = Informer(
            name="imagecaches",
            list_call=custom.list_cluster_custom_object,
            list_kwargs={
                "group": GROUP,
                "version": VERSION,
                "plural": PLURAL,
                **({"label_selector": settings.label_selector} if settings.label_selector else {}),
            },
            key=_name_of,
            handler=self._on_event,
            # The informer reads only the watch timeouts and the retry policy from these.
            settings=PodSettings(
                watch_timeout_seconds=settings.watch_timeout_seconds,
                watch_inactivity_seconds=settings.watch_inactivity_seconds,
                retry=settings.retry,
            ),
            logger=logger,
        )
        self._reconciler = Reconciler(api=api, eci=eci, settings=settings, now=now)

    @property
    def synced(self) -> asyncio.Event:
        """Set once the first list of ImageCaches has been read."""
        return self.informer.synced

    def _on_event(self, kind: EventType, obj: RawObject) -> None:
        self._queue.add(_name_of(obj))

    async def run(self) -> None:
        """Watch and reconcile until cancelled; never raises for a bad resource."""
        self._logger.info("imagecache controller starting", workers=self._settings.workers)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._guarded("imagecache-informer", self.informer.run))
                group.create_task(self._guarded("imagecache-workers", self._work))
        finally:
            self._queue.close()
            self._logger.info("imagecache controller stopped")

    async def _guarded(self, name: str, body: Callable[[], Awaitable[None]]) -> None:
        """Run a task that must never end; log and restart it if it does."""
        while True:
            delay = self._settings.retry.backoff_seconds[-1]
            try:
                await body()
                self._logger.error("task ended unexpectedly, restarting", task=name)
            except asyncio.CancelledError:
                raise
            except KubeNotFound:
                delay = self._settings.crd_missing_retry_seconds
                self._logger.warning(
                    "ImageCache CRD not installed; apply crd/imagecache.yaml",
                    crd=f"{PLURAL}.{GROUP}",
                    retry_in_seconds=delay,
                )
            except Exception:
                self._logger.exception("task crashed, restarting", task=name)
            await asyncio.sleep(delay)

    async def _work(self) -> None:
        await self._queue.run_workers(
            workers=max(self._settings.workers, 1),
            handler=self._reconcile,
            on_error=self._on_error,
        )

    async def _reconcile(self, name: str) -> None:
        obj = self.informer.cache.get(name)
        if obj is None:
            self._queue.forget(name)
            return
        logger = self._logger.bind(cache=name, uid=obj["metadata"].get("uid"))
        outcome = await self._reconciler.reconcile(obj, logger=logger)
        self._queue.forget(name)
        if outcome.requeue_after is not None:
            self._queue.add_after(name, outcome.requeue_after)

    def _on_error(self, name: str, exc: BaseException) -> None:
        delay = self._queue.add_rate_limited(name)
        fields = {"cache": name, "attempt": self._queue.failures(name), "retry_in_seconds": delay}
        if isinstance(exc, RetryableProblem):
            self._logger.warning("imagecache reconcile will be retried", error=str(exc), **fields)
        else:
            self._logger.error(
                "imagecache reconcile failed unexpectedly", error=repr(exc), exc_info=exc, **fields
            )
