"""Kubernetes API calls with retries: 429 (Retry-After), 5xx and network errors.

Errors are translated here (`kube.errors`) and counted; the loop itself is
`vkprovider.retrying.with_backoff`, which walks `RetrySettings.backoff_seconds`,
logs `attempt 2/9` and raises the last error once the sequence is exhausted.
Permanent errors (404, 409, 422...) surface at once as `KubePermanentError`
subclasses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from kubernetes_asyncio.client.exceptions import ApiException

from vkprovider import metrics, rawjson
from vkprovider.kube.errors import KubeRetryableError, translate
from vkprovider.retrying import Verdict, with_backoff
from vkprovider.settings import RetrySettings

T = TypeVar("T")


def _judge(exc: Exception) -> Verdict:
    if isinstance(exc, KubeRetryableError):
        return Verdict(
            retryable=True,
            retry_after_seconds=exc.retry_after,
            fields={"status": exc.status, "error": str(exc)},
        )
    return Verdict(retryable=False)


async def with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    operation: str,
    retry: RetrySettings,
    logger: Any,
) -> T:
    """`call()`'s result; its errors translated to `kube.errors` and retried when retryable."""

    async def attempt() -> T:
        try:
            return await call()
        except Exception as exc:
            error = translate(exc, operation=operation)
            metrics.KUBE_CALL_ERRORS.labels(
                operation=operation, status=str(error.status or "network")
            ).inc()
            if error is exc:
                raise
            raise error from exc

    return await with_backoff(
        attempt,
        retry=retry,
        judge=_judge,
        logger=logger,
        event="kubernetes call failed, retrying",
        fields={"operation": operation},
    )


async def read_json(response: Any) -> Any:
    """Body of a `_preload_content=False` response as JSON, releasing the connection.

    kubernetes_asyncio does not check the status of such responses: a non-2xx
    one becomes the `ApiException` the generated client would have raised.
    """
    data = await _read_checked(response)
    return rawjson.loads(data) if data else {}


async def read_nothing(response: Any) -> None:
    """Like `read_json` for a caller that does not use the body (no JSON parse)."""
    await _read_checked(response)


async def _read_checked(response: Any) -> bytes:
    try:
        data: bytes = await response.read()
    finally:
        response.release()
    if not 200 <= response.status <= 299:
        error = ApiException(status=response.status, reason=response.reason)
        error.body = data.decode("utf-8", "replace")  # type: ignore[assignment]
        error.headers = response.headers
        raise error
    return data
