"""How the stand-in controllers run: one store subscription, a dirty set per controller.

Every change the store records is offered to each controller that watches its resource; the
controller names the work keys it affects (a Deployment for a change to one of its
ReplicaSets, ...). A controller's worker wakes when a key is dirty, when a key it asked to
retry later is due, or on its periodic resync, and syncs each dirty key once: no busy loop,
and a burst of changes to one object costs one sync. Syncs are synchronous and run on the
server's event loop, so a sync sees and writes a consistent store. A sync that raises is
logged and retried after `retry_seconds`; a worker that ends unexpectedly is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import structlog

from localkube.cluster import Cluster
from localkube.errors import ApiError
from localkube.resources import ResourceType
from localkube.store import Change, StorageKey, Subscription

logger = structlog.get_logger("localkube.controllers")


@dataclass(frozen=True)
class ControllerSettings:
    """How often the stand-in controllers look again without being told to."""

    resync_seconds: float = 10.0
    """Seconds between full resyncs of every controller (kube's scheduler: 5 min for
    unschedulable Pods; shorter here so a missed event costs seconds, not minutes)."""
    retry_seconds: float = 1.0
    """Seconds before a sync that failed is tried again."""
    unschedulable_retry_seconds: float = 300.0
    """Seconds after which an unschedulable Pod is tried again though nothing changed
    (kube-scheduler's podMaxInUnschedulablePodsDuration: 5 min)."""
    job_backoff_seconds: float = 10.0
    """A failed Job Pod's first replacement delay, doubled per failure (kube: 10 s)."""
    job_backoff_max_seconds: float = 360.0
    """Cap of that delay (kube: 6 min)."""


class Controller:
    """One controller's reaction to changes; subclasses override the hooks."""

    name = "controller"
    watches: frozenset[StorageKey] = frozenset()

    def __init__(self, *, cluster: Cluster, settings: ControllerSettings) -> None:
        self.cluster = cluster
        self.store = cluster.store
        self.settings = settings

    def watching(self, storage_key: StorageKey) -> bool:
        """True for the resources whose changes `keys_for` wants to see."""
        return storage_key in self.watches

    def keys_for(self, change: Change) -> Iterable[Hashable]:
        """The work keys a change of a watched resource makes dirty."""
        return ()

    def all_keys(self) -> Iterable[Hashable]:
        """Every work key, for the start and the periodic resync."""
        return ()

    def sync(self, key: Hashable) -> float | None:
        """Bring one key to its wanted state; returns seconds until it must be looked at
        again (a deadline, a back-off), or None."""
        return None

    def served(self, key: StorageKey) -> ResourceType:
        """The v1 resource stored under `key` (every kind the controllers write is v1)."""
        found = self.cluster.registry.get(group=key[0], version="v1", plural=key[1])
        assert found is not None, key
        return found


class _Worker:
    def __init__(self, controller: Controller, settings: ControllerSettings) -> None:
        self.controller = controller
        self.settings = settings
        self.dirty: dict[Hashable, None] = {}
        self.due: dict[Hashable, float] = {}
        self.wake = asyncio.Event()

    def mark(self, keys: Iterable[Hashable]) -> None:
        for key in keys:
            self.dirty[key] = None
            self.wake.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_resync = loop.time()
        while True:
            now = loop.time()
            if now >= next_resync:
                self.mark(self.controller.all_keys())
                next_resync = now + self.settings.resync_seconds
            for key, when in list(self.due.items()):
                if when <= now:
                    del self.due[key]
                    self.dirty[key] = None
            keys, self.dirty = list(self.dirty), {}
            self.wake.clear()
            for key in keys:
                self._sync(key, now=loop.time())
            if self.dirty:
                continue
            deadline = min([next_resync, *self.due.values()])
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation that
            # arrives as the event is set, and the worker would outlive the server.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, deadline - loop.time())):
                    await self.wake.wait()
            await asyncio.sleep(0)  # a due time already past must not starve the loop

    def _sync(self, key: Hashable, *, now: float) -> None:
        try:
            again = self.controller.sync(key)
        except ApiError as error:
            logger.info("sync refused", controller=self.controller.name, key=key, error=str(error))
            again = self.settings.retry_seconds
        except Exception:
            logger.exception("sync failed", controller=self.controller.name, key=key)
            again = self.settings.retry_seconds
        if again is not None:
            when = now + again
            self.due[key] = min(when, self.due.get(key, when))


class ControllerManager:
    """Runs controllers against one cluster from `start()` until `stop()`."""

    def __init__(self, controllers: list[Controller], *, settings: ControllerSettings) -> None:
        self._workers = [_Worker(c, settings) for c in controllers]
        self._tasks: list[asyncio.Task[None]] = []
        self._subscription: Subscription | None = None

    def start(self, cluster: Cluster) -> None:
        self._subscription = cluster.store.subscribe(None)
        self._tasks = [
            asyncio.create_task(self._guarded(self._dispatch(self._subscription), "dispatch"))
        ]
        for worker in self._workers:
            self._tasks.append(
                asyncio.create_task(self._guarded(worker.run(), worker.controller.name))
            )

    async def _dispatch(self, subscription: Subscription) -> None:
        while True:
            change = await subscription.queue.get()
            if change is None:
                return
            for worker in self._workers:
                if worker.controller.watching(change.storage_key):
                    worker.mark(worker.controller.keys_for(change))

    async def _guarded(self, body: object, name: str) -> None:
        assert asyncio.iscoroutine(body)
        try:
            await body
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("controller task ended unexpectedly", controller=name)
            raise
        if name != "dispatch":
            logger.warning("controller task ended", controller=name)

    async def stop(self, cluster: Cluster) -> None:
        if self._subscription is not None:
            cluster.store.unsubscribe(self._subscription)
            self._subscription = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
