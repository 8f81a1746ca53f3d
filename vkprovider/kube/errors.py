"""Errors of the Kubernetes API boundary, translated from kubernetes_asyncio / aiohttp.

Retryable: 429 (with its Retry-After), 5xx, 410 Gone on a watch (relist),
connection failures and timeouts. Permanent: everything else, with `NotFound`
(404) and `Conflict` (409, incl. a failed UID precondition) as their own
classes because callers act on them.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from kubernetes_asyncio.client.exceptions import ApiException


class KubeError(Exception):
    def __init__(self, message: str, *, status: int | None = None, operation: str = "") -> None:
        super().__init__(f"{operation}: {message}" if operation else message)
        self.status = status
        self.operation = operation


class KubeRetryableError(KubeError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class KubeGone(KubeRetryableError):
    """410: the resourceVersion is too old; list again."""


class KubePermanentError(KubeError):
    pass


class KubeNotFound(KubePermanentError):
    pass


class KubeConflict(KubePermanentError):
    pass


def _message(exc: ApiException) -> str:
    try:
        body = json.loads(exc.body) if exc.body else {}
        return str(body.get("message") or exc.reason)
    except (ValueError, TypeError, AttributeError):
        return str(exc.reason)


def _retry_after(exc: ApiException) -> float | None:
    headers: Any = exc.headers or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def translate(exc: BaseException, *, operation: str = "") -> KubeError:
    if isinstance(exc, KubeError):
        return exc
    if isinstance(exc, ApiException):
        status = int(exc.status or 0)
        message = _message(exc)
        if status == 410:
            return KubeGone(message, status=status, operation=operation)
        if status == 429 or status >= 500 or status == 0:
            return KubeRetryableError(
                message, status=status, operation=operation, retry_after=_retry_after(exc)
            )
        if status == 404:
            return KubeNotFound(message, status=status, operation=operation)
        if status == 409:
            return KubeConflict(message, status=status, operation=operation)
        return KubePermanentError(message, status=status, operation=operation)
    if isinstance(exc, aiohttp.ClientResponseError):
        if exc.status == 410:
            return KubeGone(exc.message, status=410, operation=operation)
        if exc.status == 429 or exc.status >= 500:
            return KubeRetryableError(exc.message, status=exc.status, operation=operation)
        return KubePermanentError(exc.message, status=exc.status, operation=operation)
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return KubeRetryableError(f"{type(exc).__name__}: {exc}", operation=operation)
    return KubePermanentError(f"{type(exc).__name__}: {exc}", operation=operation)
