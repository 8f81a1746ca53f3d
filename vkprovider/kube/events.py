"""core/v1 Events on Pods: what a user sees in `kubectl describe pod`, kept off the critical path.

`EventRecorder.emit` never waits and never fails: it puts the Event on a bounded queue and
returns, so no status write ever waits for an Event. Background writers take Events off
the queue in order, apply client-go's EventCorrelator rules (`vkprovider.kube.correlating`:
repeats patch an earlier Event's `count`, similar messages are combined, a spam filter per
Pod), and write them at most `EventSettings.writes_per_second` (burst `burst`), as a
kubelet's event broadcaster does. A full queue drops the Event, a spam-filtered Event is
dropped too; both are counted in `/metrics` (`vk_eci_events_dropped_total{why=...}`), as
are writes and aggregations. Writes are retried on 429/5xx; a failure is logged and
counted, never raised into pod work.

Source component `virtual-kubelet`, host = the node name, real wall-clock times. Bodies
are plain dicts sent as orjson bytes (`kube.rawwrites`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from kubernetes_asyncio import client

from vkprovider import metrics
from vkprovider.clocks import agent_time, kube_time
from vkprovider.kube import rawwrites
from vkprovider.kube.calls import read_nothing, with_retries
from vkprovider.kube.correlating import Action, Decision, EventCorrelator, PendingEvent
from vkprovider.kube.errors import KubeNotFound
from vkprovider.settings import EventSettings, RetrySettings
from vkprovider.types import RawObject

COMPONENT = "virtual-kubelet"
STRATEGIC_MERGE = "application/strategic-merge-patch+json"
"""What the generated client sends a dict patch of an Event as."""


class EventKind(StrEnum):
    NORMAL = "Normal"
    WARNING = "Warning"


class _WriteRate:
    """A token bucket: `writes_per_second` sustained, `burst` at once."""

    def __init__(self, settings: EventSettings, now: Callable[[], float]) -> None:
        self._rate = settings.writes_per_second
        self._burst = float(max(1, settings.burst))
        self._now = now
        self._tokens = self._burst
        self._updated = now()

    async def take(self) -> None:
        while True:
            now = self._now()
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return
            await asyncio.sleep((1.0 - self._tokens) / self._rate)


class EventRecorder:
    def __init__(
        self,
        *,
        api: client.ApiClient,
        node_name: str,
        retry: RetrySettings,
        logger: Any,
        enabled: bool = True,
        settings: EventSettings | None = None,
        now: Callable[[], float] = agent_time,
    ) -> None:
        self._api = api
        self._node = node_name
        self._retry = retry
        self._logger = logger
        self._enabled = enabled
        self._settings = settings or EventSettings()
        self._now = now
        self._correlator = EventCorrelator(self._settings)
        self._rate = _WriteRate(self._settings, now)
        self._queue: asyncio.Queue[PendingEvent] = asyncio.Queue(self._settings.queue_size)
        self._workers: list[asyncio.Task[None]] = []
        self._writing: dict[str, tuple[asyncio.Lock, int]] = {}
        """Event name -> the lock its writes take turns on, and how many hold or wait."""
        self.dropped = 0
        """Events dropped because the queue was full."""
        self._dropped_full = metrics.EVENTS_DROPPED.labels(why="queue_full")
        self._dropped_spam = metrics.EVENTS_DROPPED.labels(why="spam")
        """The counters every drop adds to, looked up once (most Events are dropped at scale)."""

    def emit(self, pod: RawObject, kind: EventKind, reason: str, message: str) -> None:
        """Queue an Event on `pod` (or drop and count it when the queue is full); never waits.

        A full queue is seen before anything is built: under load most Events end here, so
        a drop costs one check and one counter.
        """
        if not self._enabled:
            return
        queue = self._queue
        if queue.full():
            self.dropped += 1
            self._dropped_full.inc()
            return
        meta = pod["metadata"]
        # Only what the Event needs: the queue must not keep whole Pods alive.
        queue.put_nowait(
            PendingEvent(
                namespace=meta["namespace"],
                name=meta["name"],
                uid=meta["uid"],
                type=str(kind),
                reason=reason,
                message=message,
            )
        )
        metrics.EVENTS_PENDING.inc()
        if not self._workers:
            loop = asyncio.get_running_loop()
            self._workers = [
                loop.create_task(self._work(), name="vk-eci:events")
                for _ in range(max(1, self._settings.writers))
            ]

    def forget(self, uid: str) -> None:
        self._correlator.forget(uid)

    async def flush(self) -> None:
        """Wait until every queued Event was written (or given up on)."""
        await self._queue.join()

    async def close(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
            metrics.EVENTS_PENDING.dec()

    async def _work(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._record(event)
            finally:
                self._queue.task_done()
                metrics.EVENTS_PENDING.dec()

    async def _record(self, event: PendingEvent) -> None:
        decision = self._correlator.correlate(event, now=self._now())
        if decision.action is Action.DROP:
            self._dropped_spam.inc()
            return
        # Writes of one Event object go in the order they were decided (create before the
        # count patches); different Events are written by several writers at once.
        name = decision.event_name
        lock, users = self._writing.get(name) or (asyncio.Lock(), 0)
        self._writing[name] = (lock, users + 1)
        try:
            async with lock:
                await self._write(event, decision)
        finally:
            lock, users = self._writing[name]
            if users == 1:
                del self._writing[name]
            else:
                self._writing[name] = (lock, users - 1)

    async def _write(self, event: PendingEvent, decision: Decision) -> None:
        try:
            await self._rate.take()
            if decision.action is Action.PATCH:
                metrics.EVENTS_AGGREGATED.inc()
                try:
                    await self._patch(event, decision)
                    metrics.EVENTS_WRITTEN.labels(how="patch").inc()
                    return
                except KubeNotFound:
                    decision = self._correlator.recreated(event, decision, now=self._now())
            await self._create(event, decision)
            metrics.EVENTS_WRITTEN.labels(how="create").inc()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            metrics.EVENTS_DROPPED.labels(why="failed").inc()
            self._logger.warning(
                "could not record event",
                pod=f"{event.namespace}/{event.name}",
                reason=event.reason,
                error=str(exc),
            )

    async def _patch(self, event: PendingEvent, decision: Decision) -> None:
        patch = {"count": decision.count, "message": decision.message, "lastTimestamp": kube_time()}

        resource = rawwrites.path(
            "api", "v1", "namespaces", event.namespace, "events", decision.event_name
        )

        async def call() -> None:
            await read_nothing(
                await rawwrites.send(
                    self._api, "PATCH", resource, patch, content_type=STRATEGIC_MERGE
                )
            )

        await with_retries(call, operation="patch event", retry=self._retry, logger=self._logger)

    async def _create(self, event: PendingEvent, decision: Decision) -> None:
        now = kube_time()
        body: Any = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": decision.event_name, "namespace": event.namespace},
            "involvedObject": {
                "apiVersion": "v1",
                "kind": "Pod",
                "name": event.name,
                "namespace": event.namespace,
                "uid": event.uid,
            },
            "reason": event.reason,
            "message": decision.message,
            "type": event.type,
            "count": 1,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "source": {"component": COMPONENT, "host": self._node},
            "reportingComponent": COMPONENT,
            "reportingInstance": self._node,
        }

        resource = rawwrites.path("api", "v1", "namespaces", event.namespace, "events")

        async def call() -> None:
            await read_nothing(await rawwrites.send(self._api, "POST", resource, body))

        await with_retries(call, operation="create event", retry=self._retry, logger=self._logger)
