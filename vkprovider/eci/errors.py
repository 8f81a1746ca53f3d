"""Errors of the ECI boundary: what the agent may see from the ECI OpenAPI.

The SDK raises `ClientException` / `ServerException` / `ThrottlingException`
(all `TeaException`s) for error bodies and `UnretryableException` for network
failures. `translate()` turns any of them into one of ours, split into
*retryable* (throttling, 5xx, network: try again after a back-off) and
*permanent* (a bad request, a missing resource, a cache that is not Ready:
retrying cannot help, the Pod must be told). Callers never catch SDK classes.

Two answers need more than a table. A not-found code is recognised by its
`.NotFound` suffix, whatever the resource's spelling (`InvalidContainerGroup.NotFound`,
`InvalidContainerGroupId.NotFound`, `InvalidImageSnapshotId.NotFound`, ...),
except the few that name the request rather than a resource (`NOT_A_RESOURCE`:
an unknown AccessKey or action): for a delete, not-found is success, never a
retry loop. And an answer whose body is not JSON (a
front end's plain-text or HTML error page, e.g. aiohttp's `400, message: Got
more than 8190 bytes` for an oversized URL) reaches us only as the SDK's JSON
parse failure quoting the body, without the HTTP status. The status is read
from the SDK frame that caught the failure (its `_response` local: read, never
changed), else from the status a front end's error page starts with; 4xx is
permanent (`NonEciAnswer`), anything else is retried as a network failure.
"""

from __future__ import annotations

import re
from typing import Any

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "Throttling.Resource",
        "RequestLimitExceeded",
    }
)
RETRYABLE_CODES = THROTTLING_CODES | frozenset(
    {
        "ServiceUnavailable",
        "InternalError",
        "UnknownError",
        "OperationConflict",
        "LastTokenProcessing",
    }
)
NOT_FOUND_CODES = frozenset(
    {
        "ResourceNotFound",
        "InvalidContainerGroupId.NotFound",
        "InvalidResourceId.NotFound",
        "ContainerGroup.NotFound",
        "InvalidImageCacheId.NotFound",
        "ImageCache.NotFound",
    }
)
NOT_FOUND_SUFFIX = ".NotFound"
NOT_A_RESOURCE = frozenset(
    {
        "InvalidAccessKeyId.NotFound",
        "InvalidAction.NotFound",
        "InvalidVersion.NotFound",
        "InvalidRegionId.NotFound",
        "InvalidSecurityToken.NotFound",
    }
)
"""`*.NotFound` codes about the request itself (credentials, action, region), not the named
resource: a delete answered with one of these did nothing, so it is never taken as done."""

NON_JSON_ANSWER = "Failed to parse the value as json format"
"""How the SDK's stream reader words a body that is not JSON (darabonba, tea-util)."""

_ANSWER_STATUS = re.compile(r'Value: "\s*(?:<[^>]*>\s*)*?(?:<title>)?\s*([1-5]\d\d)\b', re.S)
"""The HTTP status a front end's error page starts with ("400, message:", "<title>502")."""

NON_ECI_ANSWER = "NonEciAnswer"
"""Our code for a 4xx answer that is not an ECI error body."""


def is_not_found(code: str) -> bool:
    """ECI's not-found answers, whatever the resource's spelling (see module doc)."""
    if code in NOT_A_RESOURCE:
        return False
    return code in NOT_FOUND_CODES or code.endswith(NOT_FOUND_SUFFIX)


class EciError(Exception):
    """Any failure of an ECI call: ECI's error `code`, its `message` and HTTP status."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "Unknown",
        http_status: int | None = None,
        request_id: str | None = None,
        action: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.request_id = request_id
        self.action = action

    def __str__(self) -> str:
        prefix = f"{self.action}: " if self.action else ""
        return f"{prefix}{self.code}: {self.message}"


class EciRetryableError(EciError):
    """Worth retrying after a back-off: 5xx, throttling, network trouble."""


class EciThrottled(EciRetryableError):
    """ECI asked us to slow down; `retry_after_seconds` is its hint, if any."""

    def __init__(self, message: str, *, retry_after_seconds: float | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.retry_after_seconds = retry_after_seconds


class EciNetworkError(EciRetryableError):
    """The call did not get an answer (connection refused, reset, timeout)."""


class EciPermanentError(EciError):
    """Retrying the same request cannot succeed (4xx other than throttling)."""


class EciNotFound(EciPermanentError):
    """The container group or image cache named in the request does not exist."""


def _status_code(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        value = data.get("statusCode")
        if isinstance(value, int):
            return value
    return None


def _body(exc: BaseException) -> dict[str, Any]:
    data = getattr(exc, "data", None)
    return data if isinstance(data, dict) else {}


def _unparsed_answer_status(exc: BaseException) -> int | None:
    """HTTP status of the answer whose body the SDK could not parse (see module doc)."""
    trace = exc.__traceback__
    while trace is not None:
        status = getattr(trace.tb_frame.f_locals.get("_response"), "status_code", None)
        if isinstance(status, int):
            return status
        trace = trace.tb_next
    match = _ANSWER_STATUS.search(str(exc))
    return int(match.group(1)) if match else None


def translate(exc: BaseException, *, action: str = "") -> EciError:
    """Map an exception raised by the SDK to our error classes (never raises)."""
    if isinstance(exc, EciError):
        return exc
    inner = getattr(exc, "inner_exception", None)
    body = _body(exc)
    code = str(body.get("Code") or body.get("code") or getattr(exc, "code", None) or "")
    if inner is not None and not body and NON_JSON_ANSWER in str(inner):
        status = _unparsed_answer_status(inner)
        text = str(inner).split("Value:", 1)[-1].strip().strip('".')[:300]
        if status is not None and 400 <= status < 500:
            return EciPermanentError(
                f"HTTP {status} answer that is not an ECI error body: {text}",
                code=NON_ECI_ANSWER,
                http_status=status,
                action=action,
            )
        return EciNetworkError(
            f"answer that is not an ECI error body (HTTP {status or 'status unknown'}): {text}",
            code="NetworkError",
            http_status=status,
            action=action,
        )
    if inner is not None and not body:
        return EciNetworkError(
            f"{type(inner).__name__}: {inner}", code="NetworkError", action=action
        )
    if not code and not body and not hasattr(exc, "status_code"):
        # Not an API answer at all: a connection or protocol failure.
        return EciNetworkError(f"{type(exc).__name__}: {exc}", code="NetworkError", action=action)
    status = _status_code(exc)
    message = str(body.get("Message") or body.get("message") or getattr(exc, "message", "") or exc)
    request_id = body.get("RequestId") or getattr(exc, "request_id", None)
    kw: dict[str, Any] = {
        "code": code or "Unknown",
        "http_status": status,
        "request_id": str(request_id) if request_id else None,
        "action": action,
    }
    retry_after_ms = getattr(exc, "retry_after", None)
    if code in THROTTLING_CODES or status == 429 or isinstance(retry_after_ms, int):
        seconds = retry_after_ms / 1000.0 if isinstance(retry_after_ms, int) else None
        return EciThrottled(message, retry_after_seconds=seconds, **kw)
    if code in RETRYABLE_CODES or (status is not None and status >= 500):
        return EciRetryableError(message, **kw)
    if is_not_found(code):
        return EciNotFound(message, **kw)
    return EciPermanentError(message, **kw)
