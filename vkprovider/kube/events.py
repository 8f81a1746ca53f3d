"""core/v1 Events on Pods: what a user sees in `kubectl describe pod`.

Source component `virtual-kubelet`, host = the node name, real wall-clock
times. Writing an Event is best effort: it runs in the background, is
retried on 429/5xx, and a failure is logged, never raised into pod work.
Repeats of the same Warning (reason, message) on one Pod (back-offs, failed
pulls) are aggregated into `count` by patching the first Event; Normal events
do not repeat, so nothing is remembered for them (memory stays flat per Pod).
"""

from __future__ import annotations

import asyncio
import secrets
from enum import StrEnum
from typing import Any

from kubernetes_asyncio import client

from vkprovider.clocks import kube_time
from vkprovider.kube.calls import read_nothing, with_retries
from vkprovider.settings import RetrySettings
from vkprovider.types import RawObject

COMPONENT = "virtual-kubelet"
MAX_PENDING = 100_000
"""Events waiting to be written beyond this are dropped (and counted), never buffered forever."""


class EventKind(StrEnum):
    NORMAL = "Normal"
    WARNING = "Warning"


class EventRecorder:
    def __init__(
        self,
        *,
        api: client.ApiClient,
        node_name: str,
        retry: RetrySettings,
        logger: Any,
        enabled: bool = True,
        concurrency: int = 16,
    ) -> None:
        self._core: Any = client.CoreV1Api(api)
        self._node = node_name
        self._retry = retry
        self._logger = logger
        self._enabled = enabled
        self._concurrency = concurrency
        self._queue: asyncio.Queue[tuple[RawObject, EventKind, str, str]] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []
        self._seen: dict[tuple[str, str, str], tuple[str, int]] = {}
        self.dropped = 0

    def emit(self, pod: RawObject, kind: EventKind, reason: str, message: str) -> None:
        """Queue an Event on `pod`; a few writer tasks send them in order of emission."""
        if not self._enabled:
            return
        if self._queue.qsize() >= MAX_PENDING:
            self.dropped += 1
            return
        meta = pod["metadata"]
        # Only what the Event needs: the queue must not keep whole Pods alive.
        ref = {
            "metadata": {
                "name": meta["name"],
                "namespace": meta["namespace"],
                "uid": meta["uid"],
            }
        }
        self._queue.put_nowait((ref, kind, reason, message))
        if not self._workers:
            loop = asyncio.get_running_loop()
            self._workers = [
                loop.create_task(self._work(), name="vk-eci:events")
                for _ in range(self._concurrency)
            ]

    def forget(self, uid: str) -> None:
        for key in [k for k in self._seen if k[0] == uid]:
            del self._seen[key]

    async def flush(self) -> None:
        """Wait until every queued Event was written (or given up on)."""
        await self._queue.join()

    async def close(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    async def _work(self) -> None:
        while True:
            pod, kind, reason, message = await self._queue.get()
            try:
                await self._write(pod, kind, reason, message)
            finally:
                self._queue.task_done()

    async def _write(self, pod: RawObject, kind: EventKind, reason: str, message: str) -> None:
        meta = pod["metadata"]
        namespace = meta["namespace"]
        key = (meta["uid"], reason, message)
        now = kube_time()
        try:
            seen = self._seen.get(key) if kind == EventKind.WARNING else None
            if seen is not None:
                name, count = seen
                self._seen[key] = (name, count + 1)
                patch = {"count": count + 1, "lastTimestamp": now}

                async def aggregate() -> None:
                    await read_nothing(
                        await self._core.patch_namespaced_event(
                            name, namespace, patch, _preload_content=False
                        )
                    )

                await with_retries(
                    aggregate, operation="patch event", retry=self._retry, logger=self._logger
                )
                return
            name = f"{meta['name']}.{secrets.token_hex(8)}"
            if kind == EventKind.WARNING:
                self._seen[key] = (name, 1)
            body: Any = {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": namespace},
                "involvedObject": {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "name": meta["name"],
                    "namespace": namespace,
                    "uid": meta["uid"],
                },
                "reason": reason,
                "message": message,
                "type": str(kind),
                "count": 1,
                "firstTimestamp": now,
                "lastTimestamp": now,
                "source": {"component": COMPONENT, "host": self._node},
                "reportingComponent": COMPONENT,
                "reportingInstance": self._node,
            }

            async def create() -> None:
                await read_nothing(
                    await self._core.create_namespaced_event(
                        namespace, body, _preload_content=False
                    )
                )

            await with_retries(
                create, operation="create event", retry=self._retry, logger=self._logger
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._logger.warning(
                "could not record event",
                pod=f"{namespace}/{meta['name']}",
                reason=reason,
                error=str(exc),
            )
