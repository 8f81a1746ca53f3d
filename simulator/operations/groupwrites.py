"""Writing new container groups: one transaction for every creation waiting at that moment.

On SQLite every write transaction takes its turn on the store's write lock, and
each statement is a hop to aiosqlite's thread and back; under a burst the lock,
not the work, limits CreateContainerGroup. So a creation is queued here and the
first waiter writes every queued group in one transaction: one count of the
pulls in flight, one multi-row insert of groups, one of tags, one commit. The
result is what the same creations one after another would have stored: groups
are planned in queue order, each seeing the pulls of those before it, all at
the instant the transaction starts (the creation time).

It must never lose or merge creations: if the batch fails on a unique column
(a `ClientToken` another request or process stored meanwhile), it is rolled
back and every group is written alone, so only the duplicate gets the existing
group's id. The inserts are compiled once and rows go to the DBAPI's
executemany as tuples, bound by the columns' own types (`store.rowinserts`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from simulator.engine.groupplan import Failure, GroupPlan
from simulator.engine.groupstate import project_until
from simulator.engine.grouptypes import GroupState
from simulator.engine.planning import ChosenCache, plan_group
from simulator.engine.projections import ProjectionCache
from simulator.engine.timestamps import on_millisecond
from simulator.registry.catalog import Catalog
from simulator.registry.images import Image
from simulator.specs.groups import GroupSpec
from simulator.specs.tokens import scoped_token
from simulator.store.database import Database
from simulator.store.rowinserts import RowInsert
from simulator.store.tables import ContainerGroupRow, GroupTagRow
from simulator.timemodel.clock import Clock
from simulator.timemodel.settings import TimeModelSettings

MAX_BATCH = 200
"""Creations written in one transaction at most (bounds the lock's hold time)."""

_GROUPS = cast(Table, ContainerGroupRow.__table__)
_TAGS = cast(Table, GroupTagRow.__table__)
_GROUP_COLUMNS = (
    "id",
    "name",
    "region_id",
    "zone_id",
    "client_token",
    "intranet_ip",
    "serial",
    "created_at",
    "spec",
    "plan",
    "tags",
    "deleted_at",
    "pulls_until",
    "status",
    "changed_at",
    "next_due_at",
    "seq",
)
_PLAN = _GROUP_COLUMNS.index("plan")
_PULLS_UNTIL = _GROUP_COLUMNS.index("pulls_until")
_INSERT_GROUP = RowInsert(_GROUPS, _GROUP_COLUMNS)
_INSERT_TAG = RowInsert(_TAGS, ("group_id", "key", "value"))
_PULLING = select(func.count()).select_from(_GROUPS).where(_GROUPS.c.pulls_until > bindparam("now"))
_ID_BY_TOKEN = select(_GROUPS.c.id).where(_GROUPS.c.client_token == bindparam("token"))


@dataclass(frozen=True)
class NewGroup:
    """A validated creation, ready to plan: everything but the instant it is written."""

    group_id: str
    spec: GroupSpec
    zone_id: str
    intranet_ip: str
    serial: int
    cache: ChosenCache | None
    images: dict[str, Image]
    failures: dict[str, Failure]


class _Waiting:
    """A creation in the queue and the future its creator awaits (a plain slotted class:
    one is made per creation, and a dataclass's default factory cost more than the rest)."""

    __slots__ = ("done", "group")

    def __init__(self, group: NewGroup) -> None:
        self.group = group
        self.done: asyncio.Future[str] = asyncio.get_running_loop().create_future()


class GroupWriter:
    """Queues creations and writes them in batches (see the module docstring)."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        catalog: Catalog,
        model: TimeModelSettings,
        projections: ProjectionCache | None = None,
    ) -> None:
        """`projections`, if given, learns each stored group's state at its creation."""
        self._db = db
        self._projections = projections
        self._clock = clock
        self._catalog = catalog
        self._model = model
        self._queue: list[_Waiting] = []
        self._turn = asyncio.Lock()

    async def create(self, group: NewGroup) -> str:
        """Store `group`; returns its id, or the id of the group that already has its
        ClientToken. Raises what planning or the store raised for this group."""
        waiting = _Waiting(group)
        self._queue.append(waiting)
        try:
            while not waiting.done.done():
                async with self._turn:
                    if not waiting.done.done():
                        await self._write_next_batch()
        except asyncio.CancelledError:
            if waiting in self._queue:
                self._queue.remove(waiting)  # not taken yet: it is never written
            raise
        return waiting.done.result()

    async def _write_next_batch(self) -> None:
        batch: list[_Waiting] = []
        try:
            async with self._db.writing_core() as connection:
                # Taken once the lock is ours: everything queued while waiting joins.
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                try:
                    await self._write(connection, batch)
                    return
                except IntegrityError:
                    await connection.rollback()
        except asyncio.CancelledError:
            # Rolled back: the next writer writes them (their creators still wait).
            self._queue[:0] = [w for w in batch if not w.done.done()]
            raise
        except Exception as exc:
            for waiting in batch:
                _settle(waiting, None, exc)  # each creator raises it
            return
        # A unique column clashed: write each alone, so only the duplicate is told.
        for waiting in batch:
            if waiting.done.done():
                continue
            try:
                async with self._db.writing_core() as connection:
                    await self._write(connection, [waiting])
            except IntegrityError as exc:
                spec = waiting.group.spec
                existing = await self._id_by_token(
                    None
                    if spec.client_token is None
                    else scoped_token(spec.region_id, spec.client_token)
                )
                _settle(waiting, existing, exc)
            except asyncio.CancelledError:
                self._queue[:0] = [w for w in batch if not w.done.done()]
                raise
            except Exception as exc:
                _settle(waiting, None, exc)

    async def _write(self, connection: AsyncConnection, batch: list[_Waiting]) -> None:
        now = on_millisecond(self._clock.now())
        pulling = int((await connection.execute(_PULLING, {"now": now})).scalar_one())
        rows: list[tuple[Any, ...]] = []
        tags: list[tuple[str, str, str]] = []
        planned: list[_Waiting] = []
        projected: list[tuple[str, GroupPlan, GroupState, datetime | None]] = []
        for waiting in batch:
            try:
                row, plan, state, until = self._row(waiting.group, now=now, pulling=pulling)
            except Exception as exc:
                waiting.done.set_exception(exc)
                continue
            group_id = waiting.group.group_id
            projected.append((group_id, plan, state, until))
            pulls_until = row[_PULLS_UNTIL]
            if pulls_until is not None and pulls_until > now:
                pulling += 1
            rows.append(row)
            tags.extend((group_id, k, v) for k, v in waiting.group.spec.tags.items())
            planned.append(waiting)
        if not rows:
            return
        stored = await _INSERT_GROUP.run(connection, rows)
        if tags:
            await _INSERT_TAG.run(connection, tags)
        await connection.commit()
        if self._projections is not None:
            for (group_id, plan, state, until), row, values in zip(
                projected, rows, stored, strict=True
            ):
                # The text the store holds (the JSON type's processor wrote json.dumps(value)).
                text = values[_PLAN] if isinstance(values[_PLAN], str) else json.dumps(row[_PLAN])
                self._projections.seed(group_id, text, plan, at=now, state=state, until=until)
        for waiting in planned:
            if not waiting.done.done():
                waiting.done.set_result(waiting.group.group_id)

    def _row(
        self, group: NewGroup, *, now: datetime, pulling: int
    ) -> tuple[tuple[Any, ...], GroupPlan, GroupState, datetime | None]:
        """The group's row (values in `_GROUP_COLUMNS` order), and its plan and state at
        `now` (valid until the instant given)."""
        spec = group.spec
        plan = plan_group(
            group_id=group.group_id,
            spec=spec,
            catalog=self._catalog,
            images=group.images,
            failures=group.failures,
            model=self._model,
            now=now,
            cache=group.cache,
            concurrent_pulls=pulling + 1,
        )
        state, until = project_until(plan, deleted_at=None, at=now)
        row = (
            group.group_id,
            spec.name,
            spec.region_id,
            group.zone_id,
            None if spec.client_token is None else scoped_token(spec.region_id, spec.client_token),
            group.intranet_ip,
            group.serial,
            now,
            spec.to_json(),
            plan.to_json(),
            spec.tags,
            None,
            max((i.finished_at for i in plan.images if i.pulled_bytes > 0), default=None),
            state.status.value,
            state.changed_at,
            state.next_change_at,
            0,
        )
        return row, plan, state, until

    async def _id_by_token(self, token: str | None) -> str | None:
        if token is None:
            return None
        async with self._db.reading() as connection:
            result = await connection.execute(_ID_BY_TOKEN, {"token": token})
            value = result.scalar_one_or_none()
            return None if value is None else str(value)


def _settle(waiting: _Waiting, existing: str | None, error: BaseException) -> None:
    if waiting.done.done():
        return
    if existing is not None:
        waiting.done.set_result(existing)
    else:
        waiting.done.set_exception(error)
