"""The keyed work queue: once per key, never two workers on a key, back-off on failure."""

from __future__ import annotations

import asyncio

from tests.polling import eventually
from vkprovider.queueing import WorkQueue
from vkprovider.settings import RetrySettings


async def test_same_key_is_never_processed_concurrently_and_reruns_when_dirty() -> None:
    queue: WorkQueue[str] = WorkQueue(retry=RetrySettings(backoff_seconds=(0.01,)))
    active: set[str] = set()
    overlaps = 0
    runs: list[str] = []
    gate = asyncio.Event()

    async def handler(key: str) -> None:
        nonlocal overlaps
        if key in active:
            overlaps += 1
        active.add(key)
        runs.append(key)
        if len(runs) == 1:
            queue.add("a")  # added while processing: must run again afterwards
            queue.add("a")
            await gate.wait()
        active.discard(key)

    queue.add("a")
    queue.add("b")
    workers = asyncio.create_task(
        queue.run_workers(workers=4, handler=handler, on_error=lambda k, e: None)
    )

    async def both_keys_taken() -> bool:
        # "a" is held (blocked on the gate) and was added again; nothing may wait in the
        # queue: a queue that let a second worker take "a" would have counted an overlap.
        return sorted(runs) == ["a", "b"] and len(queue) == 0

    async def a_ran_again() -> bool:
        return runs.count("a") == 2

    await eventually(both_keys_taken, what="workers holding a and b", deadline_seconds=5)
    gate.set()
    await eventually(a_ran_again, what="a processed again after its worker let go")
    workers.cancel()
    await asyncio.gather(workers, return_exceptions=True)
    assert overlaps == 0
    assert sorted(runs) == ["a", "a", "b"]


async def test_failures_back_off_and_reset() -> None:
    queue: WorkQueue[str] = WorkQueue(retry=RetrySettings(backoff_seconds=(0.01, 0.02, 0.04)))
    assert queue.add_rate_limited("k") == 0.01
    assert queue.add_rate_limited("k") == 0.02
    assert queue.add_rate_limited("k") == 0.04
    assert queue.add_rate_limited("k") == 0.04
    assert queue.add_rate_limited("k", at_least=1.0) == 1.0
    queue.forget("k")
    assert queue.add_rate_limited("k") == 0.01

    async def queued_again() -> bool:
        return len(queue) == 1

    await eventually(queued_again, what="k queued again after its 0.01 s back-off")
    assert len(queue) == 1
    queue.close()


async def test_urgent_keys_go_first_and_the_normal_lane_still_gets_its_share() -> None:
    queue: WorkQueue[str] = WorkQueue(retry=RetrySettings(backoff_seconds=(0.01,)))
    for name in ("create-1", "create-2", "create-3"):
        queue.add(name)
    for name in ("status-1", "status-2", "status-3", "status-4"):
        queue.add(name, urgent=True)
    queue.add("create-3", urgent=True)  # waiting as new work, now urgent: moves up, once
    assert len(queue) == 7
    taken = [await queue.get() for _ in range(7)]
    # urgent first, but one key in every NORMAL_SHARE (4) taken comes from the normal lane
    assert taken == [
        "status-1", "status-2", "status-3", "create-1",
        "status-4", "create-3", "create-2",
    ]  # fmt: skip
    assert len(queue) == 0
    queue.done("status-1")
    queue.add("status-1")
    queue.add("status-1", urgent=True)
    assert await queue.get() == "status-1"
    assert len(queue) == 0


async def test_a_key_added_urgently_while_held_comes_back_urgent() -> None:
    queue: WorkQueue[str] = WorkQueue(retry=RetrySettings(backoff_seconds=(0.01,)))
    queue.add("pod")
    assert await queue.get() == "pod"
    queue.add("new-1")
    queue.add("pod", urgent=True)  # held by a worker: queued again when it lets go
    queue.done("pod")
    assert await queue.get() == "pod"
    assert await queue.get() == "new-1"
