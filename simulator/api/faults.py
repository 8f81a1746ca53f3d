"""Fault injection at the API edge: failing calls, added latency, a request-rate throttle.

Faults are set through the admin API (`/_sim/faults`) so that tests and demos
can exercise a client's retry and error paths: "fail the next 3
CreateContainerGroup calls with ServiceUnavailable/503", "add 200 ms to every
call", "allow at most 50 calls per second". They act before the service sees
the call, as a failing gateway would, and never change simulated state.
Latency and throttling are measured in real time: they shape the network, not
the simulated world. State is per process (each simulator process injects its
own faults).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any

from simulator.api.errors import ThrottlingUser
from simulator.errors import EciError


@dataclass(frozen=True)
class FailureRule:
    """Fail the next `remaining` calls (of `actions`, or of every action when empty)."""

    remaining: int
    code: str = "ServiceUnavailable"
    http_status: int = 503
    message: str = "The request failed due to an injected fault."
    actions: frozenset[str] = frozenset()

    def applies_to(self, action: str) -> bool:
        return self.remaining > 0 and (not self.actions or action in self.actions)


@dataclass(frozen=True)
class FaultState:
    """Everything injected right now."""

    failures: tuple[FailureRule, ...] = ()
    latency_seconds: float = 0.0
    """Real seconds added before every ECI call; 0 adds nothing."""
    throttle_per_second: float | None = None
    """At most this many ECI calls per real second (burst of one second's worth); None: no limit."""


@dataclass
class _TokenBucket:
    rate: float
    tokens: float
    updated: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def seconds_until_next(self) -> float:
        """Real seconds until a token is available again."""
        return max(0.0, (1.0 - self.tokens) / self.rate)


class FaultInjector:
    """Applies the current `FaultState` to each call; mutated only through the admin API."""

    def __init__(self) -> None:
        self._state = FaultState()
        self._bucket: _TokenBucket | None = None
        self._failures_sent = 0

    @property
    def state(self) -> FaultState:
        return self._state

    @property
    def failures_sent(self) -> int:
        """Calls answered with an injected failure since the process started (`clear` keeps it)."""
        return self._failures_sent

    @property
    def active(self) -> bool:
        state = self._state
        return bool(state.failures or state.latency_seconds or state.throttle_per_second)

    def configure(
        self,
        *,
        failure: FailureRule | None = None,
        latency_seconds: float | None = None,
        throttle_per_second: float | None = None,
        clear_throttle: bool = False,
    ) -> FaultState:
        state = self._state
        if failure is not None:
            state = replace(state, failures=(*state.failures, failure))
        if latency_seconds is not None:
            state = replace(state, latency_seconds=latency_seconds)
        if throttle_per_second is not None:
            state = replace(state, throttle_per_second=throttle_per_second)
            self._bucket = _TokenBucket(rate=throttle_per_second, tokens=throttle_per_second)
        elif clear_throttle:
            state = replace(state, throttle_per_second=None)
            self._bucket = None
        self._state = state
        return state

    def clear(self) -> None:
        self._state = FaultState()
        self._bucket = None

    async def before_call(self, action: str) -> None:
        """Delay, throttle or fail this call as configured; return to let it through."""
        if self._state.latency_seconds > 0:
            await asyncio.sleep(self._state.latency_seconds)
        state = self._state  # read after the sleep: other calls may have spent failures meanwhile
        if self._bucket is not None and not self._bucket.take():
            raise ThrottlingUser(
                f"Request was denied: at most {state.throttle_per_second:g} calls per second"
                " are allowed (injected throttle).",
                retry_after_seconds=self._bucket.seconds_until_next(),
            )
        for index, rule in enumerate(state.failures):
            if rule.applies_to(action):
                failures = list(state.failures)
                if rule.remaining > 1:
                    failures[index] = replace(rule, remaining=rule.remaining - 1)
                else:
                    del failures[index]
                self._state = replace(state, failures=tuple(failures))
                self._failures_sent += 1
                raise EciError(rule.message, code=rule.code, http_status=rule.http_status)


def describe(state: FaultState) -> dict[str, Any]:
    """The admin API's JSON view of the faults."""
    return {
        "failures": [
            {
                "remaining": rule.remaining,
                "code": rule.code,
                "status": rule.http_status,
                "message": rule.message,
                "actions": sorted(rule.actions),
            }
            for rule in state.failures
        ],
        "latency_seconds": state.latency_seconds,
        "throttle_per_second": state.throttle_per_second,
    }
