"""Opening the database: engine, pragmas, schema, and the few dialect-specific statements.

SQLite (a file, the embedded default) gets WAL and foreign keys on every
connection; PostgreSQL is reached through asyncpg. Nothing outside this module
looks at the dialect. No `SELECT ... FOR UPDATE` anywhere: callers claim work
with conditional `UPDATE ... WHERE` and check the row count.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import aiosqlite
from sqlalchemy import Insert, Table, delete, event, insert, make_url, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from simulator.store import sqlitetrips
from simulator.store.sqlitenonces import SqliteNonceWriter, open_writer
from simulator.store.tables import Base, MetaRow, NonceRow


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in sqlitetrips.PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


NONCE_PRUNE_INTERVAL_SECONDS = 60.0
"""Real seconds between deletions of expired nonces (they live 30 minutes; no hurry)."""


@functools.cache
def _insert_new_nonces(dialect: str) -> Insert:
    """`INSERT ... ON CONFLICT DO NOTHING RETURNING nonce`: one statement for any batch size."""
    dialect_insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    table = cast(Table, NonceRow.__table__)  # Core, not the ORM's bulk-insert path
    return (
        dialect_insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.nonce])
        .returning(table.c.nonce)
    )


@dataclass
class _PruneTimer:
    last: float = float("-inf")

    def due(self) -> bool:
        now = time.monotonic()
        if now - self.last < NONCE_PRUNE_INTERVAL_SECONDS:
            return False
        self.last = now
        return True


@dataclass(frozen=True)
class Database:
    """An open store: the engine and a session factory (one session per task).

    `sessions()` is for reads; `writing()` for transactions that write. On
    SQLite, writers in one process take turns on an asyncio lock: SQLite has
    one writer at a time anyway, and queueing here is far cheaper than its
    busy-wait back-off. PostgreSQL writers run concurrently.
    """

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    nonce_prune: _PruneTimer = field(default_factory=_PruneTimer)
    nonce_writer: SqliteNonceWriter | None = None
    """SQLite: nonces go in on a connection of their own, without a session (`sqlitenonces`)."""

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A session for a transaction that writes (the caller commits)."""
        if self.engine.dialect.name != "sqlite":
            async with self.sessions() as session:
                yield session
            return
        async with self.write_lock, self.sessions() as session:
            yield session

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection for reads on hot paths: no ORM session to set up and close."""
        async with self.engine.connect() as connection:
            yield connection

    @contextlib.asynccontextmanager
    async def writing_core(self) -> AsyncIterator[AsyncConnection]:
        """`writing()` as a Core connection (the caller commits; not committed, it rolls
        back), for hot writes of plain rows that need no ORM session."""
        if self.engine.dialect.name != "sqlite":
            async with self.engine.connect() as connection:
                yield connection
            return
        async with self.write_lock, self.engine.connect() as connection:
            yield connection

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def close(self) -> None:
        if self.nonce_writer is not None:
            await self.nonce_writer.close()
        await self.engine.dispose()

    async def get_meta(self, key: str) -> dict[str, Any] | None:
        async with self.sessions() as session:
            row = await session.get(MetaRow, key)
            return None if row is None else dict(row.value)

    async def put_meta_once(self, key: str, value: dict[str, Any]) -> dict[str, Any]:
        """Store `value` under `key` unless a value is there already; return the stored one.

        Two processes racing to initialise get the same answer.
        """
        async with self.writing() as session:
            try:
                await session.execute(insert(MetaRow).values(key=key, value=value, counter=0))
                await session.commit()
                return value
            except IntegrityError:
                await session.rollback()
        stored = await self.get_meta(key)
        assert stored is not None
        return stored

    async def set_meta(self, key: str, value: dict[str, Any]) -> None:
        async with self.writing() as session:
            result = await session.execute(
                update(MetaRow).where(MetaRow.key == key).values(value=value)
            )
            if getattr(result, "rowcount", 0) == 0:
                await session.execute(insert(MetaRow).values(key=key, value=value, counter=0))
            await session.commit()

    async def next_counter(self, key: str, *, step: int = 1) -> int:
        """Atomically add `step` to a named counter (from 0) and return its new value."""
        for _ in range(2):
            async with self.writing() as session:
                result = await session.execute(
                    update(MetaRow)
                    .where(MetaRow.key == key)
                    .values(counter=MetaRow.counter + step)
                    .returning(MetaRow.counter)
                )
                value = result.scalar_one_or_none()
                await session.commit()
            if value is not None:
                return int(value)
            await self.put_meta_once(key, {})
        raise RuntimeError(f"counter {key} could not be created")

    async def remember_nonces(
        self, nonces: Sequence[str], *, expires_at: datetime, now: datetime
    ) -> set[str]:
        """Record signature nonces in one statement; return those not seen before.

        Callers batch concurrent requests into one call (group commit), which is what
        keeps signed calls above a thousand a second on SQLite. Expired nonces are
        forgotten at most once a minute.
        """
        if self.nonce_writer is not None:
            async with self.write_lock:
                prune_before = now if self.nonce_prune.due() else None
                return await self.nonce_writer.remember(
                    nonces, expires_at=expires_at, prune_before=prune_before
                )
        rows = [{"nonce": nonce, "expires_at": expires_at} for nonce in nonces]
        async with self.writing() as session:
            if self.nonce_prune.due():
                await session.execute(delete(NonceRow).where(NonceRow.expires_at < now))
            statement = _insert_new_nonces(self.dialect)
            connection = await session.connection()
            accepted = set((await connection.execute(statement, rows)).scalars())
            await session.commit()
        return accepted

    async def nonce_count(self) -> int:
        async with self.sessions() as session:
            return len((await session.execute(select(NonceRow.nonce))).all())


def async_url(url: str) -> str:
    """The async driver's URL: `sqlite:///x.db` and `postgresql://...` name no driver."""
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


async def open_database(url: str) -> Database:
    """Connect to `url` (a `sqlite+aiosqlite://` file or `postgresql+asyncpg://`) and
    create the schema if it is missing."""
    url = async_url(url)
    if url.startswith("sqlite") and ":memory:" in url:
        raise ValueError("an in-memory SQLite database cannot be shared across tasks; use a file")
    # statement parameters carry container specs (env values, registry passwords,
    # ConfigFileVolume contents): never format them into SQLAlchemy's logs or errors
    engine_options: dict[str, Any] = {"hide_parameters": True}
    if url.startswith("sqlite"):
        # sqlite3.connect's arguments as the aiosqlite dialect derives them from the URL
        # (path, uri=, check_same_thread=False), through connections that go to their
        # thread only for a statement that must wait (`sqlitetrips`).
        args, options = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
        options["timeout"] = 30

        async def connect() -> aiosqlite.Connection:
            return await sqlitetrips.connect(*args, **options)

        engine_options["async_creator"] = connect
    else:
        engine_options["pool_size"] = 10
        engine_options["max_overflow"] = 20
    engine = create_async_engine(url, **engine_options)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    for attempt in range(3):
        # Two processes may start together on one PostgreSQL database: a lost race
        # on CREATE TABLE means the other process created it; check again.
        try:
            async with engine.begin() as connection:
                await connection.run_sync(Base.metadata.create_all)
            break
        except (IntegrityError, ProgrammingError):
            if attempt == 2:
                raise
    nonce_writer = None
    if engine.dialect.name == "sqlite":
        nonce_writer = await open_writer(args, options, dialect=engine.dialect)
    return Database(
        engine=engine,
        sessions=async_sessionmaker(engine, expire_on_commit=False),
        nonce_writer=nonce_writer,
    )
