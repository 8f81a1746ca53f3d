"""The SQLite connections run only the statements that can wait on their thread: the loop
stays free while another process holds the write lock, and no transaction is left open."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from simulator.store.database import open_database

_NOW = datetime(2026, 1, 1, tzinfo=UTC)
_LATER = _NOW + timedelta(minutes=30)


async def test_a_write_waiting_for_another_process_leaves_reads_answered(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    db = await open_database(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)  # as another simulator process
    try:
        await db.set_meta("key", {"value": 1})
        other.execute("BEGIN IMMEDIATE")
        write = asyncio.create_task(db.set_meta("key", {"value": 2}))
        for _ in range(5):  # loop turns: the write starts and reaches its lock wait
            await asyncio.sleep(0)
        for _ in range(20):
            assert await db.get_meta("key") == {"value": 1}
        assert not write.done(), "the write did not wait for the other process's lock"
        other.execute("COMMIT")
        await asyncio.wait_for(write, timeout=10)
        assert await db.get_meta("key") == {"value": 2}
    finally:
        other.close()
        await db.close()


async def test_no_lock_or_snapshot_outlives_a_session(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    db = await open_database(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        assert await db.next_counter("ips", step=32) == 32
        assert await db.remember_nonces(["n1", "n2"], expires_at=_LATER, now=_NOW) == {"n1", "n2"}
        assert await db.remember_nonces(["n2", "n3"], expires_at=_LATER, now=_NOW) == {"n3"}
        # With timeout=0 a write lock still held by the store fails here at once.
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE sim_meta SET counter = 100 WHERE key = 'ips'")
        other.execute("COMMIT")
        # A read snapshot left open would still see 32.
        assert await db.next_counter("ips", step=1) == 101
        assert await db.nonce_count() == 3
    finally:
        other.close()
        await db.close()
