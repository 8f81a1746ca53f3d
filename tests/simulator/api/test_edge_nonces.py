"""Group commit of nonces: fewer database writes, the same once-only guarantee."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from simulator.api.nonces import NonceGroupCommit

EXPIRY = datetime(2030, 1, 1, tzinfo=UTC)


class SlowStore:
    """Remembers nonces; each write takes a few loop iterations, like a database round trip."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.writes: list[list[str]] = []

    async def remember_many(self, nonces: Sequence[str], expires_at: datetime) -> set[str]:
        assert expires_at == EXPIRY
        self.writes.append(list(nonces))
        for _ in range(3):
            await asyncio.sleep(0)
        fresh = set(nonces) - self.seen
        self.seen.update(nonces)
        return fresh


async def test_concurrent_nonces_share_writes_and_each_is_accepted_once() -> None:
    store = SlowStore()
    group = NonceGroupCommit(store.remember_many)
    results = await asyncio.gather(*(group.remember(f"n{i}", expires_at=EXPIRY) for i in range(50)))
    assert all(results)
    assert len(store.writes) <= 3
    assert sorted(n for write in store.writes for n in write) == sorted(f"n{i}" for i in range(50))
    assert await group.remember("n7", expires_at=EXPIRY) is False


async def test_a_nonce_repeated_within_one_batch_is_accepted_once() -> None:
    store = SlowStore()
    group = NonceGroupCommit(store.remember_many)
    results = await asyncio.gather(*(group.remember("same", expires_at=EXPIRY) for _ in range(3)))
    assert sorted(results) == [False, False, True]


async def test_a_failed_write_fails_every_caller_in_the_batch() -> None:
    async def broken(nonces: Sequence[str], expires_at: datetime) -> set[str]:
        raise ConnectionError("database gone")

    group = NonceGroupCommit(broken)
    results = await asyncio.gather(
        *(group.remember(f"n{i}", expires_at=EXPIRY) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(result, ConnectionError) for result in results)
    with pytest.raises(ConnectionError):
        await group.remember("later", expires_at=EXPIRY)
