"""Rows inserted through `RowInsert` are stored exactly as `insert(table)` stores them, on
SQLite and PostgreSQL: the same UTC datetimes, the same JSON text, the same NULLs."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import Table, insert, text
from sqlalchemy.exc import IntegrityError

from simulator.store.database import Database, open_database
from simulator.store.rowinserts import RowInsert
from simulator.store.tables import ContainerGroupRow
from tests.simulator.service.postgres import PostgresServer, postgres_server

__all__ = ["postgres_server"]

_GROUPS = cast(Table, ContainerGroupRow.__table__)
_COLUMNS = tuple(_GROUPS.c.keys())
_EAST8 = timezone(timedelta(hours=8))


def _row(group_id: str, serial: int) -> dict[str, Any]:
    return {
        "id": group_id,
        "name": "web-0",
        "region_id": "cn-hangzhou",
        "zone_id": "cn-hangzhou-h",
        "client_token": None if serial % 2 else f"token-{group_id}",
        "intranet_ip": f"10.0.0.{serial}",
        "serial": serial,
        # not UTC, microseconds: the type must convert it as it converts any aware time
        "created_at": datetime(2026, 3, 1, 20, 30, 15, 123456, tzinfo=_EAST8),
        "spec": {"containers": [{"name": "c", "cpu": 0.25, "env": {"A": 'ü\n"x"'}}]},
        "plan": {"ratio": 0.1 + 0.2, "big": 1e22, "nested": [None, True, 3]},
        "tags": {},
        "deleted_at": None,
        "pulls_until": datetime(2026, 3, 1, 12, 31, tzinfo=UTC),
        "status": "Pending",
        "changed_at": datetime(2026, 3, 1, 12, 30, 15, 123000, tzinfo=UTC),
        "next_due_at": None,
        "seq": 0,
    }


async def _stored(db: Database, group_id: str) -> tuple[Any, ...]:
    """The row's columns as the database holds them (JSON columns as their text)."""
    names = ", ".join(
        f'CAST("{c}" AS TEXT)' if c in ("spec", "plan", "tags") else f'"{c}"'
        for c in _COLUMNS
        if c != "id"
    )
    async with db.reading() as connection:
        result = await connection.execute(
            text(f"SELECT {names} FROM container_groups WHERE id = :id"), {"id": group_id}
        )
        return tuple(result.one())


async def _check_same_storage(db: Database) -> None:
    by_core = [_row("core-1", 1), _row("core-2", 2)]
    by_rows = [_row("rows-1", 11), _row("rows-2", 12)]
    for a, b in zip(by_core, by_rows, strict=True):
        b["intranet_ip"] = a["intranet_ip"] + "1"
        b["serial"] = a["serial"] + 100
        if a["client_token"] is not None:
            b["client_token"] = a["client_token"] + "-b"
    inserter = RowInsert(_GROUPS, _COLUMNS)
    async with db.writing_core() as connection:
        await connection.execute(insert(_GROUPS), by_core)
        await inserter.run(connection, [tuple(r[c] for c in _COLUMNS) for r in by_rows])
        await connection.commit()
    different = {"intranet_ip", "serial", "client_token"}
    for a, b in zip(by_core, by_rows, strict=True):
        core, rows = await _stored(db, a["id"]), await _stored(db, b["id"])
        for name, x, y in zip(_COLUMNS[1:], core, rows, strict=True):
            if name not in different:
                assert (name, x) == (name, y)
    # and it reads back as the ORM reads it: aware UTC
    async with db.reading() as connection:
        result = await connection.execute(_GROUPS.select().where(_GROUPS.c.id == "rows-1"))
        row = result.one()
    assert row.created_at == by_rows[0]["created_at"]
    assert row.created_at.tzinfo == UTC
    assert row.plan == by_rows[0]["plan"]


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    yield db
    await db.close()


async def test_rows_are_stored_as_core_inserts_store_them_on_sqlite(sqlite_db: Database) -> None:
    await _check_same_storage(sqlite_db)


async def test_rows_are_stored_as_core_inserts_store_them_on_postgres(
    postgres_server: PostgresServer,
) -> None:
    database = "rows_" + secrets.token_hex(4)
    admin = await asyncpg.connect(
        host=postgres_server.host,
        port=postgres_server.port,
        user=postgres_server.user,
        database="postgres",
    )
    try:
        await admin.execute(f"CREATE DATABASE {database}")
    finally:
        await admin.close()
    db = await open_database(postgres_server.url(database))
    try:
        await _check_same_storage(db)
    finally:
        await db.close()


async def test_a_row_insert_must_give_every_column() -> None:
    with pytest.raises(ValueError, match="seq"):
        RowInsert(_GROUPS, tuple(c for c in _COLUMNS if c != "seq"))


async def test_a_duplicate_unique_value_raises_an_integrity_error(sqlite_db: Database) -> None:
    inserter = RowInsert(_GROUPS, _COLUMNS)
    first = _row("a", 1)
    second = _row("b", 3) | {"intranet_ip": first["intranet_ip"]}
    async with sqlite_db.writing_core() as connection:
        with pytest.raises(IntegrityError):
            await inserter.run(connection, [tuple(r[c] for c in _COLUMNS) for r in (first, second)])
