"""The ImageCache controller: watch ImageCaches, reconcile each one in a keyed work queue.

Runs inside the node agent process until cancelled. Workers take one resource at a time
(`Reconciler.reconcile`); a retryable problem (ECI throttled, API server away) re-queues that
resource along the back-off sequence in settings, and nothing a single resource does can stop
the others or the controller: every unexpected exception is logged and retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kubernetes_asyncio import client as k8s

from vkprovider.imagecaches.cloud import EciCaller
from vkprovider.imagecaches.errors import RetryableProblem
from vkprovider.imagecaches.queueing import KeyedQueue
from vkprovider.imagecaches.reconciling import Reconciler
from vkprovider.imagecaches.settings import ImageCacheSettings
from vkprovider.imagecaches.watching import ImageCacheWatcher


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class ImageCacheController:
    """Owns the watcher, the queue and the workers; `run()` until cancelled."""

    def __init__(
        self,
        *,
        api: k8s.ApiClient,
        eci: EciCaller,
        settings: ImageCacheSettings,
        logger: Any,
        now: Callable[[], datetime] = _wall_clock,
    ) -> None:
        self._settings = settings
        self._logger = logger
        self._queue = KeyedQueue()
        self._failures: dict[str, int] = {}
        self.watcher = ImageCacheWatcher(
            api=api, settings=settings, logger=logger, on_change=self._queue.add
        )
        self._reconciler = Reconciler(api=api, eci=eci, settings=settings, now=now)

    @property
    def synced(self) -> asyncio.Event:
        """Set once the first list of ImageCaches has been read."""
        return self.watcher.synced

    async def run(self) -> None:
        """Watch and reconcile until cancelled; never raises for a bad resource."""
        self._logger.info("imagecache controller starting", workers=self._settings.workers)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._guarded("imagecache-watcher", self.watcher.run))
                for index in range(max(self._settings.workers, 1)):
                    group.create_task(self._guarded(f"imagecache-worker-{index}", self._work))
        finally:
            self._queue.close()
            self._logger.info("imagecache controller stopped")

    async def _guarded(self, name: str, body: Callable[[], Any]) -> None:
        """Run a task that must never end; log and restart it if it does."""
        while True:
            try:
                await body()
                self._logger.error("task ended unexpectedly, restarting", task=name)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._logger.exception("task crashed, restarting", task=name)
            await asyncio.sleep(self._settings.retry_backoff_seconds[0])

    async def _work(self) -> None:
        while True:
            name = await self._queue.get()
            try:
                await self._reconcile(name)
            finally:
                self._queue.done(name)

    async def _reconcile(self, name: str) -> None:
        obj = self.watcher.objects.get(name)
        if obj is None:
            self._queue.forget(name)
            self._failures.pop(name, None)
            return
        logger = self._logger.bind(cache=name, uid=obj["metadata"].get("uid"))
        try:
            outcome = await self._reconciler.reconcile(obj, logger=logger)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failures = self._failures.get(name, 0) + 1
            self._failures[name] = failures
            backoff = self._settings.retry_backoff_seconds
            delay = backoff[min(failures, len(backoff)) - 1]
            fields = {"attempt": failures, "retry_in_seconds": delay}
            if isinstance(exc, RetryableProblem):
                logger.warning("imagecache reconcile will be retried", error=str(exc), **fields)
            else:
                logger.exception("imagecache reconcile failed unexpectedly", **fields)
            self._queue.add_after(name, delay)
            return
        self._failures.pop(name, None)
        if outcome.requeue_after is not None:
            self._queue.add_after(name, outcome.requeue_after)
