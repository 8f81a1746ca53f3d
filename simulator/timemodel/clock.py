"""The one clock every simulated duration is measured on.

The simulator never asks the operating system what time it is for anything
that matters to a lifecycle: it asks a `Clock`. Three kinds exist:

* `RealClock`: simulated time is wall-clock time;
* `ScaledClock`: simulated time runs `1 / time_scale` times faster than real
  time, counted from a pair of origins (a simulated instant and the real
  instant it corresponds to). Persisting the two origins lets a restarted
  process continue the same simulated timeline;
* `VirtualClock`: simulated time moves only when `advance`/`advance_to` is
  called (tests, the admin clock endpoint). Sleepers wake in deadline order.

This module must never read the time in domain code outside a clock, and it
knows nothing of the store or HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from simulator.settings import ClockMode, ClockSettings

__all__ = [
    "Clock",
    "RealClock",
    "ScaledClock",
    "VirtualClock",
    "make_clock",
    "require_aware",
]


def require_aware(when: datetime, *, name: str = "when") -> datetime:
    """Return `when` converted to UTC; refuse naive datetimes (their zone is a guess)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {when.isoformat()}")
    return when.astimezone(UTC)


def _wall_clock_now() -> datetime:
    return datetime.now(UTC)


class Clock(Protocol):
    """Simulated time: what `now` is, and a way to wait until a simulated instant."""

    def now(self) -> datetime:
        """The current simulated time, timezone-aware UTC."""
        ...

    async def sleep_until(self, when: datetime) -> None:
        """Return once simulated time has reached `when` (at once if it already has)."""
        ...


class RealClock:
    """Simulated time is wall-clock time."""

    def __init__(self, *, wall_clock: Callable[[], datetime] = _wall_clock_now) -> None:
        self._wall_clock = wall_clock

    def now(self) -> datetime:
        return require_aware(self._wall_clock(), name="wall clock")

    async def sleep_until(self, when: datetime) -> None:
        deadline = require_aware(when)
        remaining = (deadline - self.now()).total_seconds()
        if remaining > 0:
            await asyncio.sleep(remaining)
            # asyncio sleeps on the monotonic clock: check again in case the wall clock stepped.
            await self.sleep_until(deadline)


class ScaledClock:
    """Simulated time runs `1 / time_scale` times as fast as real time.

    `time_scale` is real seconds per simulated second (0.1: ten times faster).
    `simulated_origin` is the simulated instant that corresponds to the real
    instant `real_origin`; both are persisted by the service so that a
    restarted process continues the same timeline.
    """

    def __init__(
        self,
        *,
        time_scale: float,
        simulated_origin: datetime,
        real_origin: datetime,
        wall_clock: Callable[[], datetime] = _wall_clock_now,
    ) -> None:
        if not time_scale > 0:
            raise ValueError(
                f"time_scale must be > 0 real seconds per simulated second, got {time_scale}"
            )
        self.time_scale = time_scale
        self.simulated_origin = require_aware(simulated_origin, name="simulated_origin")
        self.real_origin = require_aware(real_origin, name="real_origin")
        self._wall_clock = wall_clock

    def now(self) -> datetime:
        return self.to_simulated(require_aware(self._wall_clock(), name="wall clock"))

    def to_simulated(self, real: datetime) -> datetime:
        """The simulated instant that corresponds to the real instant `real`."""
        elapsed_real = (require_aware(real, name="real") - self.real_origin).total_seconds()
        return self.simulated_origin + timedelta(seconds=elapsed_real / self.time_scale)

    def to_real(self, simulated: datetime) -> datetime:
        """The real instant at which simulated time reaches `simulated`."""
        elapsed = (
            require_aware(simulated, name="simulated") - self.simulated_origin
        ).total_seconds()
        return self.real_origin + timedelta(seconds=elapsed * self.time_scale)

    async def sleep_until(self, when: datetime) -> None:
        deadline = require_aware(when)
        remaining = (deadline - self.now()).total_seconds()
        if remaining > 0:
            await asyncio.sleep(remaining * self.time_scale)
            await self.sleep_until(deadline)


class VirtualClock:
    """Simulated time that moves only when told to.

    `advance(seconds)` and `advance_to(when)` move time forward and wake, in
    deadline order (ties in the order they went to sleep), every sleeper whose
    deadline has been reached. A woken sleeper resumes at the loop's next
    turn and sees `now()` equal to the new time, which may be later than its
    deadline when time jumped past it; callers that must see every
    intermediate instant step with `next_deadline()`.
    """

    def __init__(self, *, start: datetime) -> None:
        self._now = require_aware(start, name="start")
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    async def sleep_until(self, when: datetime) -> None:
        deadline = require_aware(when)
        if deadline <= self._now:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (deadline, next(self._order), waiter)
        heapq.heappush(self._sleepers, entry)
        try:
            await waiter
        finally:
            if waiter.cancelled() or not waiter.done():
                # Cancelled, not woken: forget it now, so sleepers cancelled again and
                # again (a loop waiting with a timeout) never pile up.
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._sleepers.remove(entry)
                    heapq.heapify(self._sleepers)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward by `seconds` (>= 0) and wake due sleepers."""
        if seconds < 0:
            raise ValueError(f"a virtual clock cannot go back: advance({seconds})")
        self.advance_to(self._now + timedelta(seconds=seconds))

    def advance_to(self, when: datetime) -> None:
        """Move simulated time forward to `when` and wake due sleepers in deadline order."""
        target = require_aware(when)
        if target < self._now:
            raise ValueError(
                f"a virtual clock cannot go back: now {self._now.isoformat()}, "
                f"asked for {target.isoformat()}"
            )
        self._now = target
        while self._sleepers and self._sleepers[0][0] <= target:
            _, _, waiter = heapq.heappop(self._sleepers)
            if not waiter.done():
                waiter.set_result(None)

    def next_deadline(self) -> datetime | None:
        """The earliest deadline anyone is still sleeping towards, if any."""
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
        return self._sleepers[0][0] if self._sleepers else None

    @property
    def sleeper_count(self) -> int:
        """How many tasks are waiting on this clock (cancelled sleepers are removed at once)."""
        return len(self._sleepers)


def make_clock(
    settings: ClockSettings,
    *,
    simulated_origin: datetime,
    real_origin: datetime,
) -> Clock:
    """Build the clock `settings` ask for.

    REAL ignores the origins (simulated time is wall-clock time); SCALED
    continues the timeline the origins describe; VIRTUAL starts at
    `simulated_origin` and moves only when advanced.
    """
    if settings.mode is ClockMode.REAL:
        return RealClock()
    if settings.mode is ClockMode.SCALED:
        return ScaledClock(
            time_scale=settings.time_scale,
            simulated_origin=simulated_origin,
            real_origin=real_origin,
        )
    return VirtualClock(start=simulated_origin)
