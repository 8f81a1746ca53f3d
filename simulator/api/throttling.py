"""Flow control per AccessKey and operation: `Throttling.User` when a caller exceeds its rate.

ECI's gateway limits how often one account may call one operation and
answers `Throttling.User` ("Request was denied due to user flow control.",
HTTP 400) past it. Here each (AccessKey, operation) pair has a token bucket
refilled at the configured rate (`ThrottleSettings`, off by default); a call
that finds it empty is refused with a retry hint (`x-acs-retry-after`) saying
when the next token arrives. The check runs after the signature and the
nonce, so only an authenticated, fresh request spends a token; a retry needs
a fresh nonce like every request (the SDKs sign each attempt anew).

Rates are about real request traffic, so the bucket runs on a monotonic real
clock (injectable for tests), never on simulated time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from simulator.api.errors import ThrottlingUser
from simulator.settings import ThrottleSettings

THROTTLED_MESSAGE = "Request was denied due to user flow control."


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


class Throttle:
    """Token buckets keyed by (AccessKey, operation)."""

    def __init__(
        self, settings: ThrottleSettings, *, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._default_rate = settings.calls_per_second
        self._rates = dict(settings.per_action)
        self._burst = settings.burst
        self._now = now
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self.enabled = settings.enabled

    def _capacity(self, rate: float) -> float:
        return float(self._burst) if self._burst > 0 else max(1.0, float(math.ceil(rate)))

    def admit(self, *, access_key_id: str, action: str) -> None:
        """Spend one token of the caller's bucket for `action`, or raise `ThrottlingUser`."""
        rate = self._rates.get(action, self._default_rate)
        if rate <= 0:
            return
        capacity = self._capacity(rate)
        now = self._now()
        key = (access_key_id, action)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=capacity, updated_at=now)
        else:
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated_at) * rate)
            bucket.updated_at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return
        raise ThrottlingUser(THROTTLED_MESSAGE, retry_after_seconds=(1.0 - bucket.tokens) / rate)
