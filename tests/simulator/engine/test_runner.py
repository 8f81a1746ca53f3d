"""Closing the simulator always stops its engine, whatever the engine is doing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog

from simulator.engine.runner import Runner, RunnerSettings
from simulator.store.database import open_database
from simulator.timemodel.clock import VirtualClock
from tests.polling import eventually


async def test_a_cancel_landing_at_any_turn_of_the_engine_wait_is_never_lost(
    tmp_path: Path,
) -> None:
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'runner.db'}")
    clock = VirtualClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    runner = Runner(
        db=db,
        clock=clock,
        logger=structlog.get_logger(),
        settings=RunnerSettings(poll_seconds=0),
    )
    due = clock.now() + timedelta(hours=1)
    try:
        # With a zero poll the wait times out at once and cleans up its pending waiters; a
        # cancel after 0, 1, 2, ... loop turns lands in each of its awaits in turn (no
        # threads are involved, so the turns are the same on every run). A cancel that
        # lands while the clean-up awaits a waiter must still end the engine.
        for turns in range(12):
            task = asyncio.create_task(runner._wait(due))
            for _ in range(turns):
                await asyncio.sleep(0)
            if task.done():
                break
            task.cancel()
            await asyncio.wait({task}, timeout=5)
            assert task.cancelled(), f"a cancel after {turns} loop turns was swallowed"
    finally:
        await db.close()


async def test_stop_ends_the_engine_after_its_tick_without_a_cancel(tmp_path: Path) -> None:
    # close() stops the engine this way: cancelled inside a tick, the tick's rollback was
    # logged by SQLAlchemy with a traceback (the demo's stderr in CI, stop 17).
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'runner.db'}")
    clock = VirtualClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    runner = Runner(db=db, clock=clock, logger=structlog.get_logger())
    task = asyncio.create_task(runner.run())
    try:

        async def ticked() -> bool:
            return runner.ticks >= 1

        await eventually(ticked, what="the engine's first tick")
        runner.stop()
        done, _ = await asyncio.wait({task}, timeout=5)
        assert task in done, "the engine kept running after stop()"
        assert not task.cancelled()
        assert task.exception() is None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.close()
