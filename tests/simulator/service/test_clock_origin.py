"""One simulated timeline per database: a restarted service continues it."""

from __future__ import annotations

from pathlib import Path

from simulator.service import open_service
from simulator.settings import ClockMode, ClockSettings, SimulatorSettings
from simulator.store.database import async_url
from simulator.timemodel.clock import ScaledClock


async def test_a_scaled_clock_continues_its_timeline_after_a_restart(tmp_path: Path) -> None:
    settings = SimulatorSettings(
        database_url=f"sqlite:///{tmp_path / 'eci.db'}",  # no driver named: aiosqlite is used
        clock=ClockSettings(mode=ClockMode.SCALED, time_scale=0.001),
    )
    first = await open_service(settings=settings)
    try:
        assert isinstance(first.clock, ScaledClock)
        origin = (first.clock.simulated_origin, first.clock.real_origin)
        before = first.clock.now()
    finally:
        await first.close()
    second = await open_service(settings=settings)
    try:
        assert isinstance(second.clock, ScaledClock)
        assert (second.clock.simulated_origin, second.clock.real_origin) == origin
        # Real time went on while no process ran, and simulated time with it (1000x).
        assert second.clock.now() > before
    finally:
        await second.close()


def test_database_urls_without_a_driver_get_the_async_one() -> None:
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"
