"""Looking up ClientTokens: every lookup waiting at that moment in one query.

CreateContainerGroup first asks whether its `ClientToken` already made a group
(a retry, or another process). Alone, each ask is a session of its own: a pool
checkout, the query and a rollback, three hops to aiosqlite's thread; under a
burst that was half of a creation's cost. Here, while one lookup runs, the
others queue, and the next runs all queued tokens as one `IN (...)` query.
The answer for each token is what its own query would have said at that moment.
It never writes and never caches an answer: a token stored a moment later is
found by the next lookup (and the unique column settles any race). Tokens are
stored and looked up scoped to their region (`simulator.specs.tokens`): a token names
one request in one region, as ECI's idempotency does.
"""

from __future__ import annotations

import asyncio
from typing import cast

from sqlalchemy import Table, bindparam, select

from simulator.store.database import Database
from simulator.store.tables import ContainerGroupRow

MAX_TOKENS = 500
"""Tokens in one query at most (well under every dialect's parameter limit)."""

_GROUPS = cast(Table, ContainerGroupRow.__table__)
_BY_TOKENS = select(_GROUPS.c.id, _GROUPS.c.client_token).where(
    _GROUPS.c.client_token.in_(bindparam("tokens", expanding=True))
)


class _Waiting:
    """A token to look up and the future its asker awaits (slotted: one per creation)."""

    __slots__ = ("done", "token")

    def __init__(self, token: str) -> None:
        self.token = token
        self.done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()


class TokenLookups:
    """`group_id_for(token)`, batched (see the module docstring)."""

    def __init__(self, *, db: Database) -> None:
        self._db = db
        self._queue: list[_Waiting] = []
        self._turn = asyncio.Lock()

    async def group_id_for(self, token: str) -> str | None:
        """The id of the group created with `token`, or None."""
        waiting = _Waiting(token)
        self._queue.append(waiting)
        try:
            while not waiting.done.done():
                async with self._turn:
                    if not waiting.done.done():
                        await self._look_up_next()
        except asyncio.CancelledError:
            if waiting in self._queue:
                self._queue.remove(waiting)
            raise
        return waiting.done.result()

    async def _look_up_next(self) -> None:
        batch, self._queue = self._queue[:MAX_TOKENS], self._queue[MAX_TOKENS:]
        try:
            async with self._db.reading() as connection:
                result = await connection.execute(
                    _BY_TOKENS, {"tokens": sorted({w.token for w in batch})}
                )
                found = {str(token): str(group_id) for group_id, token in result.all()}
        except asyncio.CancelledError:
            self._queue[:0] = [w for w in batch if not w.done.done()]
            raise
        except Exception as exc:
            for waiting in batch:
                if not waiting.done.done():
                    waiting.done.set_exception(exc)
            return
        for waiting in batch:
            if not waiting.done.done():
                waiting.done.set_result(found.get(waiting.token))
