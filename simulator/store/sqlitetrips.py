"""SQLite through aiosqlite with a thread round trip only for the statements that can wait.

aiosqlite runs every sqlite3 call on its connection's own thread: the event loop
queues the call, the thread runs it and wakes the loop through its self-pipe.
SQLAlchemy's aiosqlite adapter makes four such calls per statement (create a cursor,
execute, fetch all, close), plus a commit or rollback at the end of every session,
even a read-only one that never opened a transaction. Each trip costs 20-35 µs of CPU
in thread hand-offs and wake-ups, and more when the GIL changes hands, while a small
statement itself costs a few; at the simulator's call rate the trips were a quarter
to a third of its CPU.

The thread is there so that waiting for a lock never blocks the event loop. In WAL
mode (every connection, see `database`) only one statement of a transaction can
wait: the first write, which takes the database's write lock (`busy_timeout`, up to
10 s while another process writes). A SELECT outside a transaction reads a snapshot
and never waits; every statement after the write lock is held, and the COMMIT (WAL
needs no other lock; its automatic checkpoint is the passive kind that never waits),
cannot wait either. And the first write need not wait when the lock is free, which
within one process (writers take turns on `Database.write_lock`) is nearly always.
So `OneTripConnection`, an `aiosqlite.Connection` handed to SQLAlchemy through
`create_async_engine(async_creator=...)` (the documented hook), runs at once, on the
caller's thread, every statement that cannot wait, and a transaction's first write
after a `BEGIN IMMEDIATE` tried with no busy wait at all; only when another
connection holds the lock does that write go to the thread, in one trip that
executes, fetches every row and closes the cursor, and wait there. Commit and
rollback make no trip and do nothing when sqlite3 has no transaction open (as
sqlite3 itself would do nothing).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

_Description = tuple[tuple[Any, ...], ...] | None
_Outcome = tuple[_Description, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, *, many: bool) -> _Outcome:
    """On the connection's thread: execute, fetch everything, close the cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _first_word(sql: str) -> str:
    return sql.lstrip()[:7].split(None, 1)[0].upper() if sql.strip() else ""


PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA synchronous=NORMAL",
)
"""Run on every connection to the store as it opens (WAL is what lets reads never wait)."""

_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})
"""The statements before which sqlite3 opens a transaction (and takes the write lock)."""


def begin_if_free(connection: sqlite3.Connection) -> bool:
    """`BEGIN IMMEDIATE` if the write lock is free this instant; False if another
    connection holds it (nothing waited for, nothing begun)."""
    (timeout_ms,) = connection.execute("PRAGMA busy_timeout").fetchone()
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return False
        raise
    finally:
        connection.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
    return True


class OneTripCursor:
    """The cursor SQLAlchemy's adapter sees: the rows come back with the execute."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        return None

    async def _trip(self, sql: str, parameters: Any, *, many: bool) -> OneTripCursor:
        connection = self._connection
        sqlite = connection.sqlite
        outcome: _Outcome
        first = _first_word(sql)
        if (
            sqlite.in_transaction
            or first == "SELECT"
            or (first in _WRITES and begin_if_free(sqlite))
        ):
            outcome = _run(sqlite, sql, parameters, many=many)
        else:
            outcome = await connection.run_on_thread(
                partial(_run, sqlite, sql, parameters, many=many)
            )
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def execute(self, sql: str, parameters: Any = None) -> OneTripCursor:
        return await self._trip(sql, parameters, many=False)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneTripCursor:
        return await self._trip(sql, parameters, many=True)

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        return None


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection that goes to its thread only for statements that can wait."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._thread.daemon = True  # as aiosqlite.connect does: never hold up an exit

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection (to be used on the connection's thread only)."""
        return self._conn

    async def run_on_thread(self, function: Callable[[], Any]) -> Any:
        """`function()` on the connection's thread, in turn with its other calls."""
        return await self._execute(function)  # type: ignore[no-untyped-call]

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    async def commit(self) -> None:
        if self._conn.in_transaction:
            self._conn.commit()

    async def rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.rollback()


def connect(database: str, **options: Any) -> OneTripConnection:
    """Awaitable like `aiosqlite.connect(database, **options)` (sqlite3.connect's options)."""
    return OneTripConnection(partial(sqlite3.connect, database, **options))
