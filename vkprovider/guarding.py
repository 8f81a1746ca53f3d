"""Forever-tasks under a guard: an unexpected exit is logged and the task restarted.

A task of the agent (lease, informer, poller...) must never end while the
agent runs. If one returns or raises, the guard logs it with the error and
starts it again after a back-off, so one bug cannot silently stop, say, the
lease renewals. Cancellation (shutdown) passes through untouched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


async def guarded(
    name: str,
    factory: Callable[[], Awaitable[Any]],
    *,
    logger: Any,
    restart_delays: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0),
) -> None:
    failures = 0
    while True:
        try:
            await factory()
            logger.error("task exited unexpectedly, restarting", task=name)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("task crashed, restarting", task=name)
        delay = restart_delays[min(failures, len(restart_delays) - 1)]
        failures += 1
        await asyncio.sleep(delay)
