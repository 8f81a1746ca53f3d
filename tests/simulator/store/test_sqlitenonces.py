"""Nonces on SQLite go in on their own connection: stored as the table's types store them,
accepted once, and a batch waits (off the event loop) while another process writes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from simulator.store.database import open_database
from simulator.store.tables import NonceRow

_NOW = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
_LATER = _NOW + timedelta(minutes=30)


async def test_nonces_are_stored_as_the_table_types_store_them(tmp_path: Path) -> None:
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    try:
        assert await db.remember_nonces(["a", "b", "a"], expires_at=_LATER, now=_NOW) == {"a", "b"}
        assert await db.remember_nonces(["b", "c"], expires_at=_LATER, now=_NOW) == {"c"}
        async with db.sessions() as session:
            rows = (await session.execute(select(NonceRow))).scalars().all()
        assert {(row.nonce, row.expires_at) for row in rows} == {
            ("a", _LATER),
            ("b", _LATER),
            ("c", _LATER),
        }
    finally:
        await db.close()


async def test_a_batch_waits_for_another_process_and_then_lands(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    db = await open_database(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)  # as another simulator process
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "INSERT INTO sim_nonces (nonce, expires_at) VALUES ('theirs', '2026-01-01 12:30:00')"
        )
        write = asyncio.create_task(
            db.remember_nonces(["mine", "theirs"], expires_at=_LATER, now=_NOW)
        )
        for _ in range(5):  # loop turns: the batch starts and reaches its lock wait
            await asyncio.sleep(0)
        assert await db.get_meta("absent") is None  # the loop still answers reads
        assert not write.done(), "the batch did not wait for the other process's lock"
        other.execute("COMMIT")
        assert await asyncio.wait_for(write, timeout=10) == {"mine"}
        assert await db.nonce_count() == 2
    finally:
        other.close()
        await db.close()
