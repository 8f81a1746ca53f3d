"""A keyed work queue: one key per ImageCache, never worked on by two workers at once.

Events for a key that is being worked on mark it dirty, and it is queued again when the worker
is done, so the newest state is always looked at once more and nothing is lost; many events
for a waiting key collapse into one pass. Delayed re-adds (polling a building cache, back-off
after an error) keep only the earliest deadline. Different keys run in parallel, so a slow or
broken resource never holds up the others.
"""

from __future__ import annotations

import asyncio


class KeyedQueue:
    """Keys waiting to be reconciled, with in-order, one-at-a-time processing per key."""

    def __init__(self) -> None:
        self._ready: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()
        self._active: set[str] = set()
        self._dirty: set[str] = set()
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def add(self, key: str) -> None:
        """Reconcile `key` as soon as a worker is free (and it is not already being worked on)."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        if key in self._active:
            self._dirty.add(key)
        elif key not in self._queued:
            self._queued.add(key)
            self._ready.put_nowait(key)

    def add_after(self, key: str, delay_seconds: float) -> None:
        """Reconcile `key` after `delay_seconds`, unless something sooner is already due."""
        loop = asyncio.get_running_loop()
        due = loop.time() + max(delay_seconds, 0.0)
        current = self._timers.get(key)
        if current is not None:
            if current.when() <= due:
                return
            current.cancel()
        self._timers[key] = loop.call_at(due, self._fire, key)

    def _fire(self, key: str) -> None:
        self._timers.pop(key, None)
        self.add(key)

    async def get(self) -> str:
        """The next key to work on; the caller must call `done(key)` afterwards."""
        key = await self._ready.get()
        self._queued.discard(key)
        self._active.add(key)
        return key

    def done(self, key: str) -> None:
        """`key` is finished; if it changed meanwhile, queue it again."""
        self._active.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)

    def forget(self, key: str) -> None:
        """Drop any delayed re-add of `key` (the resource is gone)."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    @property
    def depth(self) -> int:
        """Keys waiting for a worker right now."""
        return self._ready.qsize()

    def close(self) -> None:
        """Cancel every delayed re-add."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
