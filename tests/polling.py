"""The one way tests wait for state: poll a condition until it holds or a deadline passes.

Tests never `sleep` and hope; they name what they wait for and poll it with a generous
deadline and a small interval, so a fast machine is not slowed down and a slow one does not
fail spuriously. When the deadline passes the failure names what was awaited and the last
value (or assertion error) the probe saw, which is usually the whole diagnosis.

A probe may `assert`: an AssertionError counts as "not yet" and is reported if it is the last
thing seen. A Kubernetes API answer of 429, 500 or 503 also counts as "not yet": those are
what fault-injection tests make the embedded API server send, and they can hit the test's
own reads as well as the agent's. Every other error ends the wait at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from kubernetes_asyncio import client

T = TypeVar("T")

DEFAULT_DEADLINE_SECONDS = 15.0
"""How long `eventually` polls before failing, in real seconds, unless told otherwise."""

DEFAULT_INTERVAL_SECONDS = 0.02
"""Real seconds between two probes."""

TRANSIENT_API_STATUSES = frozenset({429, 500, 503})
"""HTTP statuses of the Kubernetes API that a probe retries instead of failing on."""


def _not_yet(exc: Exception) -> bool:
    if isinstance(exc, AssertionError):
        return True
    return isinstance(exc, client.ApiException) and exc.status in TRANSIENT_API_STATUSES


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    *,
    what: str,
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
    interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
) -> T:
    """Await `probe` until it returns something truthy and return that.

    Fails with an AssertionError naming `what`, the deadline and the last value seen once
    `deadline_seconds` (real time) have passed without success.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_seconds
    last: object = None
    while True:
        try:
            value = await probe()
        except Exception as exc:
            if not _not_yet(exc):
                raise
            last = exc
        else:
            if value:
                return value
            last = value
        if loop.time() >= deadline:
            raise AssertionError(
                f"timed out after {deadline_seconds:g} s waiting for {what}; last saw {last!r}"
            )
        await asyncio.sleep(interval_seconds)
