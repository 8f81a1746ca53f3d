"""SdkThreads: blocking calls off the event loop, every caller gets its own answer.

The calls here are plain functions (the SDK's are `tests/vkprovider/eci/test_connections.py`
and `test_eci_client.py`, through `EciClient`); gates are `threading.Event`s, waited on with
a deadline, never slept for.
"""

from __future__ import annotations

import asyncio
import threading
from functools import partial

import pytest

from vkprovider.eci.threads import SdkThreads

DEADLINE_SECONDS = 10.0


async def test_many_calls_in_flight_each_get_their_own_result() -> None:
    threads = SdkThreads(size=4, name="test-sdk")
    loop_thread = threading.get_ident()
    ran_on: set[int] = set()

    def call(index: int) -> int:
        ran_on.add(threading.get_ident())
        return index * index

    try:
        results = await asyncio.gather(*(threads.run(partial(call, index)) for index in range(200)))
    finally:
        threads.close()
    assert results == [index * index for index in range(200)]
    assert ran_on
    assert loop_thread not in ran_on
    assert len(ran_on) <= 4


async def test_an_exception_reaches_its_caller_and_no_other() -> None:
    threads = SdkThreads(size=2, name="test-sdk")

    def fails() -> None:
        raise ValueError("no such group")

    try:
        outcomes = await asyncio.gather(
            threads.run(fails), threads.run(lambda: "fine"), return_exceptions=True
        )
    finally:
        threads.close()
    assert isinstance(outcomes[0], ValueError)
    assert str(outcomes[0]) == "no such group"
    assert outcomes[1] == "fine"


async def test_calls_run_at_once_up_to_the_size() -> None:
    threads = SdkThreads(size=3, name="test-sdk")
    release = threading.Event()
    started = threading.Semaphore(0)

    def wait_for_release() -> bool:
        started.release()
        return release.wait(DEADLINE_SECONDS)

    try:
        calls = [asyncio.ensure_future(threads.run(wait_for_release)) for _ in range(3)]
        for _ in range(3):  # all three started before any was released
            assert await asyncio.to_thread(started.acquire, timeout=DEADLINE_SECONDS)
        release.set()
        assert await asyncio.gather(*calls) == [True, True, True]
    finally:
        release.set()
        threads.close()


async def test_close_cancels_calls_not_started_and_refuses_new_ones() -> None:
    threads = SdkThreads(size=1, name="test-sdk")
    release = threading.Event()
    running = threading.Event()

    def blocks() -> str:
        running.set()
        release.wait(DEADLINE_SECONDS)
        return "finished"

    first = asyncio.ensure_future(threads.run(blocks))
    assert await asyncio.to_thread(running.wait, DEADLINE_SECONDS)
    queued = asyncio.ensure_future(threads.run(lambda: "never"))
    await asyncio.sleep(0)  # let `queued` put its call on the queue
    threads.close()
    release.set()
    assert await first == "finished"  # a started call finishes
    with pytest.raises(asyncio.CancelledError):
        await queued
    with pytest.raises(RuntimeError, match="closed"):
        await threads.run(lambda: "late")


def test_one_instance_serves_callers_on_different_loops() -> None:
    threads = SdkThreads(size=2, name="test-sdk")

    async def ask(value: str) -> str:
        answer: str = await threads.run(lambda: value.upper())
        return answer

    try:
        assert asyncio.run(ask("first loop")) == "FIRST LOOP"
        assert asyncio.run(ask("second loop")) == "SECOND LOOP"
    finally:
        threads.close()
