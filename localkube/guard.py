"""The outermost middleware: no request ends in a plain-text 500.

Whatever escapes the handlers (a bug, or a fault a test injected with `Faults.crash_next`) is
logged with its traceback and answered with kube's 500 `Status` (`InternalError`, "Internal
error occurred: ..."), so clients see the shape they parse and the server keeps serving.
"""

from __future__ import annotations

import traceback
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web
from aiohttp.typedefs import Middleware

from localkube.errors import ApiError, internal_error

logger = structlog.get_logger("localkube")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def unexpected_errors(render: Callable[[ApiError], web.Response]) -> Middleware:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception as exc:  # every unexpected failure still leaves as a Status
            logger.error(
                "request failed unexpectedly",
                method=request.method,
                path=request.path,
                error=f"{type(exc).__name__}: {exc}",
                traceback=traceback.format_exc(),
            )
            return render(internal_error(f"{type(exc).__name__}: {exc}"))

    return guard
