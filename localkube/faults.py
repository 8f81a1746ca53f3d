"""Fault injection for tests: failing requests, latency, dropped watches, compacted history.

Reachable from Python (`LocalKube.faults`) and over HTTP under `/_localkube/` so a test can
break an API server that runs in another process. Faults only ever touch the Kubernetes API
paths; the admin paths themselves never fail or slow down.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from localkube.errors import ApiError, Reason, internal_error, too_many_requests
from localkube.store import Store

ADMIN_PREFIX = "/_localkube/"
REASONS_BY_STATUS = {
    503: Reason.SERVICE_UNAVAILABLE,
    504: Reason.TIMEOUT,
    409: Reason.CONFLICT,
    403: Reason.FORBIDDEN,
    404: Reason.NOT_FOUND,
}
"""`reason` kube-apiserver gives a failure with this HTTP status (default InternalError)."""


@dataclass(frozen=True)
class PlannedFailure:
    status: int
    retry_after_seconds: int

    def error(self) -> ApiError:
        if self.status == 429:
            return too_many_requests(retry_after_seconds=self.retry_after_seconds)
        error = internal_error("injected fault")
        error.code = self.status
        error.reason = REASONS_BY_STATUS.get(self.status, Reason.INTERNAL_ERROR)
        return error


class Faults:
    """The faults a test has asked for; consulted by the server on every API request."""

    def __init__(self, *, store: Store) -> None:
        self._store = store
        self._failures: deque[PlannedFailure] = deque()
        self._failures_sent = 0
        self._crashes = 0
        self.latency_seconds = 0.0
        """Added before every API request is handled, in seconds (0 = none)."""

    @property
    def failures_pending(self) -> int:
        """Planned failures not yet sent."""
        return len(self._failures)

    @property
    def failures_sent(self) -> int:
        """Planned failures sent to clients since the server started (`clear` keeps it)."""
        return self._failures_sent

    def fail_next(self, count: int, *, status: int = 500, retry_after_seconds: int = 1) -> None:
        """The next `count` API requests fail with `status` (429 carries Retry-After)."""
        self._failures.extend(PlannedFailure(status, retry_after_seconds) for _ in range(count))

    def drop_watches(self) -> int:
        """End every open watch stream now; returns how many were open."""
        return self._store.drop_subscriptions()

    def crash_next(self, count: int = 1) -> None:
        """The next `count` API requests raise an unexpected exception (a stand-in for a bug)."""
        self._crashes += count

    def clear(self) -> None:
        self._failures.clear()
        self._crashes = 0
        self.latency_seconds = 0.0

    def take_crash(self) -> bool:
        if self._crashes <= 0:
            return False
        self._crashes -= 1
        return True

    def next_failure(self) -> ApiError | None:
        if not self._failures:
            return None
        self._failures_sent += 1
        return self._failures.popleft().error()


class InjectedCrash(RuntimeError):
    """What `Faults.crash_next` raises: an exception no handler expects."""


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def middleware(faults: Faults, render: Callable[[ApiError], web.Response]) -> Middleware:
    @web.middleware
    async def inject(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(ADMIN_PREFIX):
            return await handler(request)
        if faults.latency_seconds > 0:
            await asyncio.sleep(faults.latency_seconds)
        if faults.take_crash():
            raise InjectedCrash("injected crash")
        failure = faults.next_failure()
        if failure is not None:
            return render(failure)
        return await handler(request)

    return inject


def admin_routes(faults: Faults, *, compact: Callable[[], None]) -> list[web.RouteDef]:
    async def drop(_: web.Request) -> web.Response:
        return web.json_response({"dropped": faults.drop_watches()})

    async def fail_next(request: web.Request) -> web.Response:
        body = await request.json()
        faults.fail_next(
            int(body.get("count", 1)),
            status=int(body.get("status", 500)),
            retry_after_seconds=int(body.get("retryAfterSeconds", 1)),
        )
        return web.json_response({"ok": True})

    async def latency(request: web.Request) -> web.Response:
        body = await request.json()
        faults.latency_seconds = float(body.get("seconds", 0.0))
        return web.json_response({"latencySeconds": faults.latency_seconds})

    async def state(_: web.Request) -> web.Response:
        return web.json_response(
            {
                "failuresPending": faults.failures_pending,
                "failuresSent": faults.failures_sent,
                "latencySeconds": faults.latency_seconds,
            }
        )

    async def clear(_: web.Request) -> web.Response:
        faults.clear()
        return web.json_response({"ok": True})

    async def compact_history(_: web.Request) -> web.Response:
        compact()
        return web.json_response({"ok": True})

    return [
        web.get(f"{ADMIN_PREFIX}faults", state),
        web.post(f"{ADMIN_PREFIX}faults/drop-watches", drop),
        web.post(f"{ADMIN_PREFIX}faults/fail-next", fail_next),
        web.post(f"{ADMIN_PREFIX}faults/latency", latency),
        web.post(f"{ADMIN_PREFIX}faults/clear", clear),
        web.post(f"{ADMIN_PREFIX}compact", compact_history),
    ]
