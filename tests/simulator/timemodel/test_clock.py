"""The clocks: virtual sleepers wake in order at exact times, scaled maths, restarts."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from simulator.settings import ClockMode, ClockSettings
from simulator.timemodel.clock import RealClock, ScaledClock, VirtualClock, make_clock

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


async def test_virtual_sleepers_wake_in_deadline_order_at_exact_times() -> None:
    clock = VirtualClock(start=START)
    woke: list[tuple[str, datetime]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep_until(START + timedelta(seconds=seconds))
        woke.append((name, clock.now()))

    tasks = [
        asyncio.create_task(sleeper(name, seconds))
        for name, seconds in [("c", 30), ("a", 10), ("b", 20), ("a2", 10)]
    ]
    # Each `sleep(0)` below is one event-loop turn, not a wait: no threads are involved, so
    # in one turn the new tasks reach their sleep and woken sleepers run, on every machine.
    await asyncio.sleep(0)
    assert clock.sleeper_count == 4
    assert clock.next_deadline() == START + timedelta(seconds=10)

    clock.advance(9.5)
    await asyncio.sleep(0)
    assert woke == []

    clock.advance(0.5)
    await asyncio.sleep(0)
    assert woke == [("a", START + timedelta(seconds=10)), ("a2", START + timedelta(seconds=10))]

    clock.advance_to(START + timedelta(seconds=45))
    await asyncio.gather(*tasks)
    assert [name for name, _ in woke] == ["a", "a2", "b", "c"]
    assert woke[-1][1] == START + timedelta(seconds=45)
    assert clock.sleeper_count == 0
    assert clock.next_deadline() is None


async def test_virtual_sleep_in_the_past_returns_at_once() -> None:
    clock = VirtualClock(start=START)
    await asyncio.wait_for(clock.sleep_until(START - timedelta(seconds=1)), timeout=1)
    await asyncio.wait_for(clock.sleep_until(START), timeout=1)
    assert clock.now() == START


async def test_virtual_cancelled_sleeper_is_forgotten() -> None:
    clock = VirtualClock(start=START)
    task = asyncio.create_task(clock.sleep_until(START + timedelta(seconds=5)))
    await asyncio.sleep(0)  # one loop turn: the task reaches its sleep (no threads: exact)
    assert clock.sleeper_count == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert clock.sleeper_count == 0
    assert clock.next_deadline() is None
    clock.advance(10)  # waking a cancelled sleeper must not fail


async def test_virtual_sleepers_cancelled_again_and_again_do_not_pile_up() -> None:
    clock = VirtualClock(start=START)
    keeper = asyncio.create_task(clock.sleep_until(START + timedelta(seconds=60)))
    for _ in range(200):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(clock.sleep_until(START + timedelta(seconds=5)), timeout=0)
    assert clock.sleeper_count == 1
    assert clock.next_deadline() == START + timedelta(seconds=60)
    clock.advance(60)
    await asyncio.wait_for(keeper, timeout=1)


def test_virtual_clock_refuses_to_go_back_and_naive_datetimes() -> None:
    clock = VirtualClock(start=START)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance_to(START - timedelta(microseconds=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock(start=datetime(2026, 1, 1))
    assert clock.now() == START


def test_scaled_clock_runs_ten_times_faster_from_its_origins() -> None:
    real_origin = datetime(2026, 6, 1, tzinfo=UTC)
    wall = [real_origin + timedelta(seconds=3)]
    clock = ScaledClock(
        time_scale=0.1, simulated_origin=START, real_origin=real_origin, wall_clock=lambda: wall[0]
    )
    assert clock.now() == START + timedelta(seconds=30)
    assert clock.to_real(START + timedelta(seconds=50)) == real_origin + timedelta(seconds=5)
    assert clock.to_simulated(real_origin + timedelta(seconds=5)) == START + timedelta(seconds=50)

    # A restarted process given the persisted origins continues the same timeline.
    wall[0] = real_origin + timedelta(seconds=60)
    restarted = ScaledClock(
        time_scale=0.1, simulated_origin=START, real_origin=real_origin, wall_clock=lambda: wall[0]
    )
    assert restarted.now() == clock.now() == START + timedelta(seconds=600)


def test_scaled_clock_slower_than_real_time_and_bad_scale() -> None:
    real_origin = datetime(2026, 6, 1, tzinfo=UTC)
    clock = ScaledClock(
        time_scale=2.0,
        simulated_origin=START,
        real_origin=real_origin,
        wall_clock=lambda: real_origin + timedelta(seconds=10),
    )
    assert clock.now() == START + timedelta(seconds=5)
    with pytest.raises(ValueError, match="time_scale must be > 0"):
        ScaledClock(time_scale=0, simulated_origin=START, real_origin=real_origin)


async def test_scaled_clock_sleeps_the_scaled_real_time() -> None:
    now = datetime.now(UTC)
    clock = ScaledClock(time_scale=0.001, simulated_origin=START, real_origin=now)
    loop = asyncio.get_running_loop()
    before = loop.time()
    await asyncio.wait_for(clock.sleep_until(clock.now() + timedelta(seconds=20)), timeout=5)
    waited = loop.time() - before
    assert clock.now() >= START + timedelta(seconds=20)
    assert 0.015 <= waited < 2.0  # 20 simulated seconds at 1 ms each


async def test_real_clock_is_aware_utc_and_sleeps() -> None:
    clock = RealClock()
    now = clock.now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    await asyncio.wait_for(clock.sleep_until(now + timedelta(milliseconds=20)), timeout=5)
    assert clock.now() >= now + timedelta(milliseconds=20)


def test_make_clock_builds_what_the_settings_ask_for() -> None:
    real_origin = datetime.now(UTC)
    real = make_clock(ClockSettings(), simulated_origin=START, real_origin=real_origin)
    assert isinstance(real, RealClock)
    scaled = make_clock(
        ClockSettings(mode=ClockMode.SCALED, time_scale=0.02),
        simulated_origin=START,
        real_origin=real_origin,
    )
    assert isinstance(scaled, ScaledClock)
    assert scaled.time_scale == 0.02
    assert START <= scaled.now() < START + timedelta(minutes=10)
    virtual = make_clock(
        ClockSettings(mode=ClockMode.VIRTUAL), simulated_origin=START, real_origin=real_origin
    )
    assert isinstance(virtual, VirtualClock)
    assert virtual.now() == START
