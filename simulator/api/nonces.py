"""Replay protection with group commit: concurrent calls share one database write for their nonces.

Every signed call's nonce must be recorded in the shared database before the
call is answered, so that a replay is refused by any simulator process. One
transaction per call caps a SQLite-backed simulator at a few hundred calls per
second; instead, nonces that arrive while a write is in flight wait for the
next write and go in together. A caller is answered only after the write that
carries its nonce has committed, so the guarantee is unchanged: a nonce is
accepted once, across processes.

A nonce repeated within one batch is accepted for its first caller only.
Batches hold at most `MAX_BATCH` nonces (a bound on statement size).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

MAX_BATCH = 500

RememberMany = Callable[[Sequence[str], datetime], Awaitable[set[str]]]
"""Record nonces until a wall-clock time; return those not seen before."""


class NonceGroupCommit:
    """Batches `remember(nonce)` calls into `remember_many` writes, one write in flight."""

    def __init__(self, remember_many: RememberMany) -> None:
        self._remember_many = remember_many
        self._pending: list[tuple[str, datetime, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def remember(self, nonce: str, *, expires_at: datetime) -> bool:
        """True when `nonce` is new (and now recorded); False when it was seen before."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((nonce, expires_at, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_batches())
        return await future

    async def _write_batches(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                await self._write(batch)
        finally:
            self._writer = None

    async def _write(self, batch: list[tuple[str, datetime, asyncio.Future[bool]]]) -> None:
        unique = list(dict.fromkeys(nonce for nonce, _, _ in batch))
        expires_at = max(when for _, when, _ in batch)
        try:
            accepted = await self._remember_many(unique, expires_at)
        except BaseException as exc:
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for nonce, _, future in batch:
            if future.done():
                continue
            if nonce in accepted:
                accepted.discard(nonce)  # only the first caller with this nonce gets it
                future.set_result(True)
            else:
                future.set_result(False)
