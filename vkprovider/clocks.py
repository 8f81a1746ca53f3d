"""The agent's two clocks, read in one place.

* `agent_time()`: monotonic seconds of the running event loop, for intervals
  (visibility grace, Ready-cache memo, the ECI clock estimate). Never compared
  with ECI's timestamps, which run on ECI's (possibly scaled) clock.
* `utc_now()`: wall-clock, timezone-aware UTC, for the timestamps written to
  the API server; `kube_time` / `kube_micro_time` format it as Kubernetes
  writes `metav1.Time` (seconds) and `metav1.MicroTime` (microseconds).
Domain code takes these as injected callables where a test needs to pin them.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime


def agent_time() -> float:
    """Seconds on the running loop's monotonic clock (only meaningful as differences)."""
    return asyncio.get_running_loop().time()


def utc_now() -> datetime:
    return datetime.now(UTC)


def _in_utc(when: datetime | None) -> datetime:
    if when is None:
        return utc_now()
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def kube_time(when: datetime | None = None) -> str:
    """RFC 3339 in UTC, second precision (`metav1.Time`); now when `when` is None.

    A naive `when` is taken to be UTC already."""
    return _in_utc(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def kube_micro_time(when: datetime | None = None) -> str:
    """RFC 3339 in UTC, microsecond precision (`metav1.MicroTime`)."""
    return _in_utc(when).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
