"""A keyed work queue: in order per key, parallel across keys, retries with back-off.

Semantics of client-go's workqueue, reduced to what the agent needs: a key
that is added while waiting is queued once; a key added while a worker holds
it is processed again after that worker finishes (never two workers on one
key, so a Pod's create, status and delete never race); failed keys come back
after a per-key back-off that grows along `RetrySettings.backoff_seconds` and
resets on success. The queue never drops a key on its own.

Two lanes. A key added `urgent=True` (work on something that already exists:
a status change, a deletion) is taken before the keys of the normal lane (new
work, such as creating an instance), so at 10,000 Pods the status write of a
Pod that is already Running does not wait behind thousands of creations. A key
waiting in the normal lane that is added urgently moves to the urgent lane. So
that the normal lane never starves, at least one key in every
`NORMAL_SHARE` taken comes from it while it holds any.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Final, Generic, TypeVar

from vkprovider import metrics
from vkprovider.settings import RetrySettings

K = TypeVar("K", bound=Hashable)

NORMAL_SHARE: Final = 4
"""While both lanes hold keys, one key in this many comes from the normal lane."""


class WorkQueue(Generic[K]):
    def __init__(self, *, retry: RetrySettings, track_depth: bool = True) -> None:
        self._retry = retry
        self._ready: asyncio.Queue[None] = asyncio.Queue()
        """One token per waiting key: a worker holding a token always finds a key."""
        self._lanes: tuple[deque[K], deque[K]] = (deque(), deque())
        """(urgent, normal); an entry whose key no longer waits in that lane is skipped."""
        self._waiting: dict[K, bool] = {}
        """Waiting keys -> urgent."""
        self._processing: set[K] = set()
        self._dirty: dict[K, bool] = {}
        """Keys added while a worker holds them -> urgent."""
        self._failures: dict[K, int] = {}
        self._timers: dict[K, asyncio.TimerHandle] = {}
        self._urgent_run = 0
        self._track_depth = track_depth

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, key: K, *, urgent: bool = False) -> None:
        """Queue `key` now (once, however often it is added before a worker takes it)."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        if key in self._processing:
            self._dirty[key] = self._dirty.get(key, False) or urgent
            return
        waiting = self._waiting.get(key)
        if waiting is not None:
            if urgent and not waiting:
                self._waiting[key] = True
                self._lanes[0].append(key)
            return
        self._waiting[key] = urgent
        self._lanes[0 if urgent else 1].append(key)
        self._ready.put_nowait(None)
        self._update_depth()

    def add_after(self, key: K, delay: float, *, urgent: bool = False) -> None:
        """Queue `key` after `delay` seconds (an earlier pending add_after wins)."""
        if delay <= 0:
            self.add(key, urgent=urgent)
            return
        existing = self._timers.get(key)
        loop = asyncio.get_running_loop()
        if existing is not None and existing.when() <= loop.time() + delay:
            return
        if existing is not None:
            existing.cancel()
        self._timers[key] = loop.call_later(delay, self._fire, key, urgent)

    def _fire(self, key: K, urgent: bool) -> None:
        self._timers.pop(key, None)
        self.add(key, urgent=urgent)

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
        await self._ready.get()
        key = self._take()
        del self._waiting[key]
        self._processing.add(key)
        self._update_depth()
        return key

    def _take(self) -> K:
        """The next waiting key: urgent first, with the normal lane's share kept."""
        urgent, normal = ((self._lanes[0], True), (self._lanes[1], False))
        order = (normal, urgent) if self._urgent_run >= NORMAL_SHARE - 1 else (urgent, normal)
        for lane, is_urgent in order:
            while lane:
                key = lane.popleft()
                if self._waiting.get(key) is is_urgent:
                    self._urgent_run = self._urgent_run + 1 if is_urgent else 0
                    return key
        raise AssertionError("a ready token with no waiting key")

    def done(self, key: K) -> None:
        self._processing.discard(key)
        urgent = self._dirty.pop(key, None)
        if urgent is not None:
            self.add(key, urgent=urgent)

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
