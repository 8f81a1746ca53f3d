"""The keyed work queue: one worker per key, changes during work are not lost."""

from __future__ import annotations

import asyncio

from vkprovider.imagecaches.queueing import KeyedQueue


async def test_events_for_a_key_in_work_requeue_it_once_done() -> None:
    queue = KeyedQueue()
    queue.add("a")
    queue.add("a")
    queue.add("b")
    assert queue.depth == 2
    key = await queue.get()
    assert key == "a"
    queue.add("a")  # changed while in work: must come back, but not run in parallel
    assert await queue.get() == "b"
    assert queue.depth == 0
    queue.done("a")
    assert await asyncio.wait_for(queue.get(), 1) == "a"


async def test_delayed_add_keeps_the_earliest_deadline() -> None:
    queue = KeyedQueue()
    queue.add_after("a", 0.05)
    queue.add_after("a", 30)
    assert await asyncio.wait_for(queue.get(), 2) == "a"
    queue.done("a")
    queue.add_after("b", 30)
    queue.forget("b")
    queue.close()
    assert queue.depth == 0
