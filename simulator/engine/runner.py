"""The engine loop: materialise due transitions from persisted due times, on the Clock.

Every row carries `next_due_at`, the next simulated instant its plan changes
it. The runner sleeps on the clock until the earliest due time (or until told
new work exists, or a short real-time poll for work other processes added),
then recomputes each due row from its plan *at the current instant* and
writes the new status with a conditional `UPDATE ... WHERE seq = :seq`: when
two processes share one PostgreSQL database, exactly one write wins and the
other sees rowcount 0 and moves on. Because a row's state is a pure function
of its plan, a lost or late tick never loses or duplicates anything: a
restarted process simply finds the rows already due and catches up.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, Text, Update, bindparam, delete, func, select, update
from sqlalchemy import cast as sql_cast

from simulator.engine.cacheplan import CachePlan
from simulator.engine.cachestate import project as project_cache
from simulator.engine.projections import ProjectionCache
from simulator.store.database import Database
from simulator.store.tables import ContainerGroupRow, ImageCacheRow
from simulator.timemodel.clock import Clock


def _materialise(table: Table) -> Update:
    """`UPDATE ... SET status, changed_at, next_due_at, seq WHERE id = :row_id AND seq = :row_seq`,
    run for many rows at once; a row another process got to first is left alone."""
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.seq == bindparam("row_seq"))
        .values(
            status=bindparam("status"),
            changed_at=bindparam("changed_at"),
            next_due_at=bindparam("next_due_at"),
            seq=bindparam("seq"),
        )
    )


_REMOVE_GROUP = delete(ContainerGroupRow.__table__).where(  # type: ignore[arg-type]
    ContainerGroupRow.__table__.c.id == bindparam("row_id"),
    ContainerGroupRow.__table__.c.seq == bindparam("row_seq"),
)
"""`DELETE ... WHERE id = :row_id AND seq = :row_seq` for the gone groups of a batch at once
(a row another process got to first is left alone)."""

_GROUP_TABLE = cast(Table, ContainerGroupRow.__table__)
_PLAN_TEXT = sql_cast(_GROUP_TABLE.c.plan, Text)
"""A group's plan as its stored text (parsed and projected through `ProjectionCache`)."""

_DUE_GROUPS = (
    select(_GROUP_TABLE.c.id, _PLAN_TEXT, _GROUP_TABLE.c.deleted_at, _GROUP_TABLE.c.seq)
    .where(_GROUP_TABLE.c.next_due_at <= bindparam("now"))
    .limit(bindparam("size"))
)
"""The groups due by `now`, at most `size` of them (built once: the compiled-statement
cache keeps it)."""

_MATERIALISE_GROUP = _materialise(ContainerGroupRow.__table__)  # type: ignore[arg-type]
_MATERIALISE_CACHE = _materialise(ImageCacheRow.__table__)  # type: ignore[arg-type]


_EARLIEST_DUES = select(
    select(func.min(ContainerGroupRow.next_due_at)).scalar_subquery(),
    select(func.min(ImageCacheRow.next_due_at)).scalar_subquery(),
)
"""One query for both earliest due times (each an index lookup)."""

_MAX_BATCHES_PER_TICK = 100
"""A tick gives way after this many full batches (the next tick carries on)."""


@dataclass(frozen=True)
class RunnerSettings:
    """How the engine loop polls and batches."""

    poll_seconds: float = 0.5
    """Real seconds between looks for work added by other processes (default 0.5)."""
    batch_size: int = 500
    """Rows materialised per query (default 500)."""
    wake_delay_seconds: float = 0.02
    """Real seconds to gather more new work after a wake-up before ticking (default 0.02):
    a burst of creations costs one tick, not one per call."""


class Runner:
    """Runs every time-driven transition; one per process, safe to run in several."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        logger: Any,
        settings: RunnerSettings | None = None,
        projections: ProjectionCache | None = None,
    ) -> None:
        """`projections` is shared with the reads (a state the runner projected at a due
        time is what the next read at a later instant, before the next change, shows)."""
        self._db = db
        self._projections = projections if projections is not None else ProjectionCache()
        self._clock = clock
        self._logger = logger
        self._settings = settings or RunnerSettings()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.ticks = 0

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Ask `run` to return once the tick in progress has committed."""
        self._stopping.set()
        self._wake.set()

    async def tick(self) -> datetime | None:
        """Materialise every row due by now; return the earliest due time left.

        The earliest due times are read first (one read, no write lock): a tick with
        nothing due, the common case for the settle before every filtered read, writes
        nothing and costs one indexed query.
        """
        now = self._clock.now()
        group_due, cache_due = await self._earliest_dues()
        if (group_due is not None and group_due <= now) or (
            cache_due is not None and cache_due <= now
        ):
            batch = self._settings.batch_size
            for _ in range(_MAX_BATCHES_PER_TICK):
                groups = await self._groups(now) if group_due is not None else 0
                caches = await self._caches(now) if cache_due is not None else 0
                if groups < batch and caches < batch:
                    break
            group_due, cache_due = await self._earliest_dues()
        self.ticks += 1
        dues = [d for d in (group_due, cache_due) if d is not None]
        return min(dues) if dues else None

    async def _earliest_dues(self) -> tuple[datetime | None, datetime | None]:
        """The earliest `next_due_at` of the container groups and of the image caches."""
        async with self._db.reading() as connection:
            row = (await connection.execute(_EARLIEST_DUES)).one()
        return row[0], row[1]

    async def _groups(self, now: datetime) -> int:
        async with self._db.writing_core() as connection:
            rows = (
                await connection.execute(
                    _DUE_GROUPS, {"now": now, "size": self._settings.batch_size}
                )
            ).all()
            changes: list[dict[str, Any]] = []
            gone: list[dict[str, Any]] = []
            for group_id, plan_text, deleted_at, seq in rows:
                _, state = self._projections.project(
                    group_id, plan_text, deleted_at=deleted_at, at=now
                )
                if state.gone:
                    gone.append({"row_id": group_id, "row_seq": seq})
                    self._projections.forget(group_id)
                    continue
                changes.append(
                    {
                        "row_id": group_id,
                        "row_seq": seq,
                        "status": state.status.value,
                        "changed_at": state.changed_at,
                        "next_due_at": state.next_change_at,
                        "seq": seq + 1,
                    }
                )
            if gone:
                # Their tags go with them (ON DELETE CASCADE).
                await connection.execute(_REMOVE_GROUP, gone)
            if changes:
                await connection.execute(_MATERIALISE_GROUP, changes)
            await connection.commit()
        return len(rows)

    async def _caches(self, now: datetime) -> int:
        table = ImageCacheRow
        async with self._db.writing() as session:
            rows = (
                await session.execute(
                    select(table.id, table.plan, table.seq)
                    .where(table.next_due_at <= now)
                    .limit(self._settings.batch_size)
                )
            ).all()
            changes = []
            for cache_id, plan, seq in rows:
                state = project_cache(CachePlan.from_json(plan), at=now)
                changes.append(
                    {
                        "row_id": cache_id,
                        "row_seq": seq,
                        "status": state.status.value,
                        "changed_at": state.changed_at,
                        "next_due_at": state.next_change_at,
                        "seq": seq + 1,
                    }
                )
            if changes:
                await session.execute(_MATERIALISE_CACHE, changes)
            await session.commit()
        return len(rows)

    async def run(self) -> None:
        """Loop until stopped; an unexpected error is logged and the loop goes on.

        `stop` ends the loop between ticks. Cancelled instead, a tick can be cut inside a
        transaction, and SQLAlchemy logs the cancelled rollback of its connection as an error.
        """
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                due = await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                self._logger.exception("engine tick failed; retrying")
                due = None
            if self._stopping.is_set():
                return
            await self._wait(due)
            if self._wake.is_set() and not self._stopping.is_set():
                await asyncio.sleep(self._settings.wake_delay_seconds)

    async def _wait(self, due: datetime | None) -> None:
        waiters: list[asyncio.Task[Any]] = [asyncio.create_task(self._wake.wait())]
        if due is not None:
            waiters.append(asyncio.create_task(self._clock.sleep_until(due)))
        try:
            await asyncio.wait(
                waiters,
                timeout=self._settings.poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            for waiter in waiters:
                waiter.cancel()
            # asyncio.wait neither raises the waiters' CancelledError nor swallows this
            # task's own: suppressing CancelledError around `await waiter` would also eat a
            # cancel() of the runner that lands right here, and close() would wait forever.
            await asyncio.wait(waiters)
