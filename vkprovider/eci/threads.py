"""The threads the SDK's blocking calls run on, handed work and answers in batches.

`EciClient` runs every SDK call on one of a few threads (the SDK's pooled `requests` session
is blocking, see `eci.client`). `loop.run_in_executor` on a `ThreadPoolExecutor` costs about
17 us of CPU per call around the call itself (`benchmarks/handoff_bench.py`: 16 threads, 64
calls in flight, a 5 us call: 20.7 us per call against 3.6 us inline): a concurrent and an
asyncio Future chained by callbacks, two locks and an idle-thread semaphore per submit, and
one self-pipe write per answer. `SdkThreads` does the same job with one queue put per call
and one wake-up of the event loop per batch of answers: a thread that finishes a call
appends the answer to its loop's list and wakes the loop only if that list was empty; the
loop then settles every Future in the list at once (same benchmark: 6.3 us per call).

What is left is the wake-up of a sleeping thread by the queue put (3.9 % of the agent's
GIL samples at 10,000 Pods, the same as `ThreadPoolExecutor.submit`'s before): against the
zero-delay simulator the threads are idle between calls, and each wake-up preempts the loop.

It must never run anything on the event loop's thread but the settling of Futures, and never
drop an answer: a call's Future gets its result or its exception (anything the call raised,
`BaseException` included, as `ThreadPoolExecutor` does), or is cancelled by `close()` if the
call had not started. A caller cancelled while its call runs leaves the call to finish, as
with `run_in_executor` (the SDK has no way to stop one).

The threads are daemon threads: at interpreter exit a call in flight is abandoned, not
waited for (ClientToken makes a repeated CreateContainerGroup harmless).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

_Call = tuple[Callable[[], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop]
_Answer = tuple["asyncio.Future[Any]", bool, Any]


class SdkThreads:
    """`size` threads running blocking calls for asyncio callers."""

    def __init__(self, *, size: int, name: str) -> None:
        self._size = max(1, size)
        self._name = name
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._answers: dict[asyncio.AbstractEventLoop, list[_Answer]] = {}
        """Answers not yet settled, per loop; a loop has an entry only while a wake-up of it
        is pending."""
        self._threads: list[threading.Thread] = []
        self._closed = False

    async def run(self, blocking: Callable[[], Any]) -> Any:
        """`blocking()` on one of the threads; its result or exception."""
        if self._closed:
            raise RuntimeError("the SDK threads are closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._threads:
            self._start()
        self._calls.put((blocking, future, loop))
        return await future

    def close(self) -> None:
        """Stop the threads once their calls are done; calls not started are cancelled."""
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                pending = self._calls.get_nowait()
            except queue.Empty:
                break
            if pending is not None:
                _, future, loop = pending
                self._wake(loop, future.cancel)
        for _ in self._threads:
            self._calls.put(None)

    def _start(self) -> None:
        for index in range(self._size):
            thread = threading.Thread(target=self._serve, name=f"{self._name}_{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self) -> None:
        while True:
            call = self._calls.get()
            if call is None:
                return
            blocking, future, loop = call
            try:
                answer: _Answer = (future, True, blocking())
            except BaseException as exc:  # handed to the caller, as ThreadPoolExecutor does
                answer = (future, False, exc)
            with self._lock:
                waiting = self._answers.get(loop)
                if waiting is not None:
                    waiting.append(answer)  # the loop was woken already and will see it
                    continue
                self._answers[loop] = [answer]
            self._wake(loop, partial(self._settle, loop))

    @staticmethod
    def _wake(loop: asyncio.AbstractEventLoop, callback: Callable[[], Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(callback)

    def _settle(self, loop: asyncio.AbstractEventLoop) -> None:
        """On `loop`'s thread: give every finished call of this loop its answer."""
        with self._lock:
            answers = self._answers.pop(loop, [])
        for future, ok, value in answers:
            if future.cancelled():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


__all__ = ["SdkThreads"]
