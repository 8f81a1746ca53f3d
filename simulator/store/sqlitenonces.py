"""Recording signature nonces on SQLite in one statement on a connection of their own.

Every signed call's nonce is written before the call is answered (`api.nonces` batches
the calls in flight into one write). Through a SQLAlchemy session that write cost about
0.6 ms of CPU per batch (pool checkout, session and transaction bookkeeping, statement
compilation, result processing), around 40 % of a cheap call; the SQL itself costs a few
microseconds. So on SQLite the nonces go in through one sqlite3 connection kept for them:
`BEGIN IMMEDIATE`, the rare prune, `INSERT ... ON CONFLICT DO NOTHING RETURNING nonce`,
`COMMIT`, as one function. It runs at once when the write lock is free (the store's
in-process writers take turns on `Database.write_lock`, which the caller holds) and on
the connection's thread, waiting there, when another process holds it
(`sqlitetrips`). The guarantee is the same as the session's: the batch is committed
before any caller hears its nonce was new. The rows are what SQLAlchemy would store:
the table's own types bind the values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, cast

from sqlalchemy import Dialect, Table

from simulator.store import sqlitetrips
from simulator.store.tables import NonceRow

_TABLE = cast(Table, NonceRow.__table__)


def _write(
    connection: sqlite3.Connection,
    *,
    rows: list[tuple[str, Any]],
    prune_before: Any,
    begun: bool,
) -> set[str]:
    """The whole transaction: begin (unless begun), prune, insert, commit."""
    if not begun:
        connection.execute("BEGIN IMMEDIATE")
    try:
        if prune_before is not None:
            connection.execute(f"DELETE FROM {_TABLE.name} WHERE expires_at < ?", (prune_before,))
        values = ", ".join("(?, ?)" for _ in rows)
        parameters = [value for row in rows for value in row]
        cursor = connection.execute(
            f"INSERT INTO {_TABLE.name} (nonce, expires_at) VALUES {values}"
            " ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
            parameters,
        )
        accepted = {str(nonce) for (nonce,) in cursor.fetchall()}
        cursor.close()
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return accepted


class SqliteNonceWriter:
    """Writes nonce batches on its own connection (see the module docstring)."""

    def __init__(self, connection: sqlitetrips.OneTripConnection, *, dialect: Dialect) -> None:
        self._connection = connection
        column_type = _TABLE.c.expires_at.type
        processor = column_type.dialect_impl(dialect).bind_processor(dialect)
        self._bind: Callable[[datetime], Any] = processor or (lambda value: value)

    async def remember(
        self, nonces: Sequence[str], *, expires_at: datetime, prune_before: datetime | None
    ) -> set[str]:
        """Insert `nonces` (the caller holds the store's write lock); return the new ones."""
        if not nonces:
            return set()
        expires = self._bind(expires_at)
        rows = [(nonce, expires) for nonce in nonces]
        prune = None if prune_before is None else self._bind(prune_before)
        sqlite = self._connection.sqlite
        if sqlitetrips.begin_if_free(sqlite):
            return _write(sqlite, rows=rows, prune_before=prune, begun=True)
        accepted: set[str] = await self._connection.run_on_thread(
            partial(_write, sqlite, rows=rows, prune_before=prune, begun=False)
        )
        return accepted

    async def close(self) -> None:
        await self._connection.close()


async def open_writer(
    args: Sequence[Any], options: Mapping[str, Any], *, dialect: Dialect
) -> SqliteNonceWriter:
    """A writer on a new connection opened as the engine's are (`sqlite3.connect` arguments),
    with the pragmas every store connection gets."""
    connection = sqlitetrips.connect(*args, **options)
    await connection
    for pragma in sqlitetrips.PRAGMAS:
        await connection.run_on_thread(partial(connection.sqlite.execute, pragma))
    return SqliteNonceWriter(connection, dialect=dialect)
