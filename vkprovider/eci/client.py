"""The only way the agent talks to ECI: the official SDK, wrapped with retries.

`make_eci_client(settings)` builds `alibabacloud_eci20180808.client.Client`
from `EciSettings` (http for a loopback simulator, https for the real
service). `EciClient.call(action, request)` runs one SDK call, translates SDK
exceptions through `vkprovider.eci.errors`, retries the
retryable ones through `vkprovider.retrying.with_backoff` (honouring ECI's
throttling hint, logging `attempt 2/9`), and records latency and errors in the
Prometheus metrics. It never imports the simulator: pointed at the real
endpoint with real credentials it drives real instances.

Connections are reused. The SDK's `*_async` methods open a new aiohttp session, hence a
new TCP (and TLS) connection, for every call, and accept no session or connector to share;
its blocking methods send through a `requests` session the SDK keeps per endpoint, whose
pool holds `RuntimeOptions.max_idle_conns` kept-alive connections. So each call runs the
SDK's blocking `*_with_options` method on one of `EciSettings.connections` threads
(`eci.threads`: answers handed back to the event loop in batches), with
`max_idle_conns` set to the same number: the calls in flight never exceed the pool and
every call after the first few rides an open connection. The event loop never blocks on
ECI, and neither the SDK nor its transport is patched.

Reads keep a lane of their own: calls that change something (creations above all) hold
at most `connections - connections // 4` of the threads, so a status poll's Describe calls
never queue behind a burst of thousands of CreateContainerGroup calls.

Answers are parsed by orjson instead of the standard library's json (`eci.answers`: the
SDK's client, only its `call_api` asks for bytes), the largest single cost per Pod before.
"""

from __future__ import annotations

import asyncio
import re
import time
import weakref
from collections.abc import Callable
from functools import cache, partial
from typing import Any

import structlog
from alibabacloud_eci20180808.client import Client
from alibabacloud_openapi_util.client import Client as OpenApiUtilClient
from alibabacloud_tea_openapi.models import Config, OpenApiRequest, Params
from alibabacloud_tea_util.models import ExtendsParameters, RuntimeOptions
from prometheus_client import Histogram

from vkprovider import metrics
from vkprovider.eci.answers import OrjsonSdkClient, parse_answer
from vkprovider.eci.errors import (
    EciError,
    EciRetryableError,
    EciThrottled,
    translate,
)
from vkprovider.eci.threads import SdkThreads
from vkprovider.retrying import Verdict, with_backoff
from vkprovider.settings import EciSettings, RetrySettings

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")

API_VERSION = "2018-08-08"
"""The ECI OpenAPI version the SDK speaks."""

NO_RETRIES = RetrySettings(backoff_seconds=())
"""For `call(..., retry=False)`: one attempt."""


def _judge(exc: Exception) -> Verdict:
    if isinstance(exc, EciRetryableError):
        hint = exc.retry_after_seconds if isinstance(exc, EciThrottled) else None
        return Verdict(
            retryable=True,
            retry_after_seconds=hint,
            fields={"code": exc.code, "error": exc.message},
        )
    return Verdict(retryable=False)


@cache
def _latency(action: str) -> Histogram:
    """The latency histogram of `action` (looked up once per action, not per call)."""
    child: Histogram = metrics.ECI_CALL_SECONDS.labels(action=action)
    return child


def make_eci_client(settings: EciSettings) -> Client:
    """The SDK client for `settings` (no SDK-level retries: `EciClient` does them).

    It is the SDK's own client with its JSON answers parsed by orjson (`eci.answers`).
    """
    config = Config(
        access_key_id=settings.access_key_id,
        access_key_secret=settings.access_key_secret,
        endpoint=settings.endpoint,
        protocol=settings.effective_protocol(),
        region_id=settings.region_id,
        connect_timeout=settings.connect_timeout_ms,
        read_timeout=settings.read_timeout_ms,
    )
    return OrjsonSdkClient(config)


def rpc_params(action: str, *, body_type: str = "json") -> Params:
    """What the SDK's `*_with_options` methods hand `call_api` for an ECI action."""
    return Params(
        action=action,
        version=API_VERSION,
        protocol="HTTPS",  # the Config's protocol wins, as for the SDK's own methods
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type=body_type,
    )


@cache
def sdk_method_name(action: str) -> str:
    """`DescribeContainerGroupStatus` -> `describe_container_group_status_async`."""
    return _CAMEL.sub("_", action).lower() + "_async"


@cache
def sdk_blocking_method_name(action: str) -> str:
    """`DescribeContainerGroupStatus` -> `describe_container_group_status_with_options`."""
    return _CAMEL.sub("_", action).lower() + "_with_options"


class EciClient:
    """An SDK client plus retry policy, error translation and metrics."""

    def __init__(
        self,
        *,
        settings: EciSettings,
        logger: Any = None,
        sdk: Client | None = None,
    ) -> None:
        self.settings = settings
        self.sdk = sdk if sdk is not None else make_eci_client(settings)
        self.logger = logger if logger is not None else structlog.get_logger("vkprovider.eci")
        self._connections = max(1, settings.connections)
        self._plain_runtime = RuntimeOptions(max_idle_conns=self._connections)
        self._threads = SdkThreads(size=self._connections, name="vk-eci-sdk")
        weakref.finalize(self, self._threads.close)
        self._changes = asyncio.Semaphore(max(1, self._connections - self._connections // 4))
        """Held by every call but the Describe ones, around its thread."""
        self._first_call: asyncio.Lock | None = asyncio.Lock()
        """Held by the first call: the SDK creates its pooled session on first use without a
        lock, so calls racing each other then would each build (and drop) one."""

    def close(self) -> None:
        """Let the SDK threads go once their calls are done (calls after this fail)."""
        self._threads.close()

    async def _run(self, blocking: Any) -> Any:
        first = self._first_call
        if first is None:
            return await self._threads.run(blocking)
        async with first:
            if self._first_call is None:
                return await self._threads.run(blocking)
            try:
                return await self._threads.run(blocking)
            finally:
                self._first_call = None

    @property
    def region_id(self) -> str:
        return self.settings.region_id

    async def call(
        self,
        action: str,
        request: Any,
        *,
        retry: bool = True,
        extra_query: dict[str, str] | None = None,
    ) -> Any:
        """Run SDK action `action` (e.g. "CreateContainerGroup") and return the response body.

        `extra_query` adds parameters the SDK's request model lacks (sent
        through the SDK's `extends_parameters`, still signed). Raises
        `EciPermanentError` (incl. `EciNotFound`) at once, and
        `EciRetryableError` once the back-off sequence is exhausted.
        """
        runtime = self._runtime(extra_query)
        blocking = partial(getattr(self.sdk, sdk_blocking_method_name(action)), request, runtime)
        response = await self._attempts(action, blocking, retry=retry)
        return response.body

    async def call_json(self, action: str, request: Any, *, retry: bool = True) -> dict[str, Any]:
        """Like `call` for a read whose answer is only read as data: ECI's JSON body as a dict.

        The SDK's response models are not built (filling them from a page of thousands of
        groups, and turning them back into dicts, cost more than the parse). The request is
        still the SDK's model, validated, flattened into the query by the SDK's own
        `OpenApiUtilClient.query` from its `to_map()` (the same parameters its
        `*_with_options` method sends for the Describe actions, whose fields are all query
        parameters named as in the API), signed and sent by the SDK's `call_api`. Keys a
        model would have dropped stay, and absent values may be JSON nulls.
        """
        runtime = self._runtime(None)

        def blocking() -> dict[Any, Any]:
            request.validate()
            answer: dict[Any, Any] = self.sdk.call_api(
                rpc_params(action, body_type="byte"),
                OpenApiRequest(query=OpenApiUtilClient.query(request.to_map())),
                runtime,
            )
            return answer

        def parsed(answer: dict[Any, Any]) -> Any:
            return parse_answer(answer, action=action)

        result: dict[str, Any] = await self._attempts(action, blocking, retry=retry, then=parsed)
        return result

    def _runtime(self, extra_query: dict[str, str] | None) -> RuntimeOptions:
        """The call's runtime options (one shared object when there is no extra query: the
        SDK only reads them)."""
        if not extra_query:
            return self._plain_runtime
        return RuntimeOptions(
            extends_parameters=ExtendsParameters(queries=extra_query),
            max_idle_conns=self._connections,
        )

    async def _attempts(
        self,
        action: str,
        blocking: Any,
        *,
        retry: bool,
        then: Callable[[Any], Any] | None = None,
    ) -> Any:
        """`blocking()` on an SDK thread, then `then(result)` on the loop, with retries."""
        reads = action.startswith("Describe")

        async def attempt() -> Any:
            started = time.perf_counter()
            try:
                if reads:
                    response = await self._run(blocking)
                else:
                    async with self._changes:
                        response = await self._run(blocking)
                if then is not None:
                    response = then(response)
            except Exception as exc:
                error = translate(exc, action=action)
                _latency(action).observe(time.perf_counter() - started)
                metrics.ECI_CALL_ERRORS.labels(action=action, code=error.code).inc()
                if error is exc:
                    raise
                raise error from exc
            _latency(action).observe(time.perf_counter() - started)
            return response

        return await with_backoff(
            attempt,
            retry=self.settings.retry if retry else NO_RETRIES,
            judge=_judge,
            logger=self.logger,
            event="eci call failed, retrying",
            fields={"action": action},
        )


__all__ = [
    "EciClient",
    "EciError",
    "make_eci_client",
    "rpc_params",
    "sdk_blocking_method_name",
    "sdk_method_name",
]
