"""A keyed work queue: in order per key, parallel across keys, retries with back-off.

Semantics of client-go's workqueue, reduced to what the agent needs: a key
that is added while waiting is queued once; a key added while a worker holds
it is processed again after that worker finishes (never two workers on one
key, so a Pod's create, status and delete never race); failed keys come back
after a per-key back-off that grows along `RetrySettings.backoff_seconds` and
resets on success. The queue never drops a key on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from vkprovider import metrics
from vkprovider.settings import RetrySettings

K = TypeVar("K", bound=Hashable)


class WorkQueue(Generic[K]):
    def __init__(self, *, retry: RetrySettings, track_depth: bool = True) -> None:
        self._retry = retry
        self._queue: asyncio.Queue[K] = asyncio.Queue()
        self._waiting: set[K] = set()
        self._processing: set[K] = set()
        self._dirty: set[K] = set()
        self._failures: dict[K, int] = {}
        self._timers: dict[K, asyncio.TimerHandle] = {}
        self._track_depth = track_depth

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, key: K) -> None:
        """Queue `key` now (once, however often it is added before a worker takes it)."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        if key in self._processing:
            self._dirty.add(key)
            return
        if key in self._waiting:
            return
        self._waiting.add(key)
        self._queue.put_nowait(key)
        self._update_depth()

    def add_after(self, key: K, delay: float) -> None:
        """Queue `key` after `delay` seconds (an earlier pending add_after wins)."""
        if delay <= 0:
            self.add(key)
            return
        existing = self._timers.get(key)
        loop = asyncio.get_running_loop()
        if existing is not None and existing.when() <= loop.time() + delay:
            return
        if existing is not None:
            existing.cancel()
        self._timers[key] = loop.call_later(delay, self._fire, key)

    def _fire(self, key: K) -> None:
        self._timers.pop(key, None)
        self.add(key)

    def add_rate_limited(self, key: K, *, at_least: float = 0.0) -> float:
        """Queue `key` after its next back-off step; returns the delay used."""
        failures = self._failures.get(key, 0)
        steps = self._retry.backoff_seconds or (1.0,)
        delay = max(steps[min(failures, len(steps) - 1)], at_least)
        self._failures[key] = failures + 1
        self.add_after(key, delay)
        return delay

    def failures(self, key: K) -> int:
        return self._failures.get(key, 0)

    def forget(self, key: K) -> None:
        """Reset the back-off of `key` (call after it succeeded)."""
        self._failures.pop(key, None)

    async def get(self) -> K:
        key = await self._queue.get()
        self._waiting.discard(key)
        self._processing.add(key)
        self._update_depth()
        return key

    def done(self, key: K) -> None:
        self._processing.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def _update_depth(self) -> None:
        if self._track_depth:
            metrics.QUEUE_DEPTH.set(len(self._waiting))

    async def run_workers(
        self,
        *,
        workers: int,
        handler: Callable[[K], Awaitable[Any]],
        on_error: Callable[[K, BaseException], None],
    ) -> None:
        """Run `workers` tasks calling `handler(key)` until cancelled.

        An exception from the handler is given to `on_error` (which usually
        calls `add_rate_limited`); the worker carries on with the next key.
        """

        async def worker() -> None:
            while True:
                key = await self.get()
                try:
                    await handler(key)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    on_error(key, exc)
                finally:
                    self.done(key)

        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(worker())
