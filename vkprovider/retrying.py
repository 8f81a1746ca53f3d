"""The one retry loop of the agent, for ECI and Kubernetes calls alike.

`with_backoff(attempt, ...)` runs `attempt()` and, while it fails with an
error that `judge` calls retryable, waits along `RetrySettings.backoff_seconds`
(stretched to the server's Retry-After hint, capped by
`max_retry_after_seconds`), logging `attempt 2/9`, and re-raises the last
error once the sequence is exhausted. Permanent errors surface at once. It
knows nothing of either API: the callers translate their client's exceptions
into their own retryable and permanent classes (`eci/errors.py`,
`kube/errors.py`) before `judge` sees them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from vkprovider.settings import RetrySettings

T = TypeVar("T")


@dataclass(frozen=True)
class Verdict:
    """What a failed attempt means for the loop."""

    retryable: bool
    retry_after_seconds: float | None = None
    """The server's hint of how long to wait, in seconds, if it gave one."""
    fields: Mapping[str, object] = field(default_factory=dict)
    """Extra key=value fields for the retry log line."""


def retry_delay(retry: RetrySettings, *, attempt: int, retry_after_seconds: float | None) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based)."""
    delay = retry.backoff_seconds[attempt - 1]
    if retry_after_seconds is not None:
        delay = min(max(delay, retry_after_seconds), retry.max_retry_after_seconds)
    return delay


async def with_backoff(
    attempt: Callable[[], Awaitable[T]],
    *,
    retry: RetrySettings,
    judge: Callable[[Exception], Verdict],
    logger: Any,
    event: str,
    fields: Mapping[str, object],
) -> T:
    """`attempt()`'s result, retrying what `judge` calls retryable (see module doc)."""
    attempts = len(retry.backoff_seconds) + 1
    for number in range(1, attempts + 1):
        try:
            return await attempt()
        except Exception as exc:
            verdict = judge(exc)
            if not verdict.retryable or number == attempts:
                raise
            delay = retry_delay(
                retry, attempt=number, retry_after_seconds=verdict.retry_after_seconds
            )
            logger.warning(
                event,
                **fields,
                **verdict.fields,
                attempt=f"{number + 1}/{attempts}",
                delay_seconds=delay,
            )
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
