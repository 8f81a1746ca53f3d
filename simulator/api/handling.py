"""The ECI API request path: parse, authenticate, refuse replays, inject faults, call the service.

One aiohttp handler serves every ECI operation, RPC style: `POST /` (or GET)
with the action and version in `x-acs-action` / `x-acs-version`, parameters
flattened into the query string or a form body, and an ACS3-HMAC-SHA256
`Authorization` header. Checks run in the order a gateway applies them:
size limits and the one parse of the parameters (a repeated key is refused
here, before any signature scheme, see `parameters.py`), method, action,
version, signature (AccessKey, date, payload, HMAC) over exactly the parsed
parameters the service will read, then the nonce. Only a request that passes
all of them reaches the service.

This path must stay cheap (the target is over 1,000 signed calls/s on one
core): no per-call logging unless debug logging is on, metric children
cached, no copies of the body beyond what parsing needs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import structlog
from aiohttp import web

from simulator.api.actions import API_VERSION, ECI_ACTIONS
from simulator.api.errors import (
    InvalidActionNotFound,
    InvalidVersion,
    SignatureNonceUsed,
    UnsupportedHTTPMethod,
)
from simulator.api.faults import FaultInjector
from simulator.api.flattening import unflatten
from simulator.api.metrics import ApiMetrics
from simulator.api.nonces import NonceGroupCommit, RememberMany
from simulator.api.parameters import RequestLimits, read_parameters
from simulator.api.redaction import redact_params, redact_query_text
from simulator.api.responses import error_body, error_headers, json_response, new_request_id
from simulator.api.signing import SignatureVerifier
from simulator.errors import EciError, MissingParameter
from simulator.settings import RegionSettings, SecuritySettings


class EciBackend(Protocol):
    """What the edge needs of the service (`simulator.service.EciService` provides it)."""

    async def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run one ECI operation; return its body without RequestId, or raise EciError."""
        ...

    async def remember_nonce(self, nonce: str, *, expires_at: datetime) -> bool:
        """Record a signature nonce until `expires_at` (wall-clock UTC); False if already seen."""
        ...


@runtime_checkable
class BatchNonceBackend(Protocol):
    """A service that can record many nonces in one write (used for group commit)."""

    async def remember_nonces(self, nonces: Sequence[str], *, expires_at: datetime) -> set[str]:
        """Record nonces until `expires_at` (wall-clock UTC); return those not seen before."""
        ...


class EciApi:
    """The aiohttp handler for ECI OpenAPI calls."""

    def __init__(
        self,
        *,
        backend: EciBackend,
        security: SecuritySettings,
        region: RegionSettings,
        faults: FaultInjector,
        metrics: ApiMetrics,
        remember_nonces: RememberMany | None = None,
        limits: RequestLimits | None = None,
        logger: Any = None,
    ) -> None:
        """`remember_nonces`, if given, records nonces in batches (group commit); otherwise
        the backend's own `remember_nonces` is used when it has one, else `remember_nonce`.
        """
        self._backend = backend
        self.limits = limits if limits is not None else RequestLimits()
        self._verifier = SignatureVerifier(
            credentials=security.credentials,
            max_clock_skew_seconds=security.max_clock_skew_seconds,
        )
        self._nonce_ttl = timedelta(seconds=security.nonce_ttl_seconds)
        self._remember_nonce = backend.remember_nonce
        if remember_nonces is None and isinstance(backend, BatchNonceBackend):
            batch_backend = backend

            async def remember_many(nonces: Sequence[str], expires_at: datetime) -> set[str]:
                return await batch_backend.remember_nonces(nonces, expires_at=expires_at)

            remember_nonces = remember_many
        if remember_nonces is not None:
            self._remember_nonce = NonceGroupCommit(remember_nonces).remember
        self._host_id = f"eci.{region.region_id}.aliyuncs.com"
        self._faults = faults
        self._metrics = metrics
        self._logger = logger if logger is not None else structlog.get_logger("simulator.api")
        self._debug = logging.getLogger("simulator.api").isEnabledFor(logging.DEBUG)

    async def handle(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        request_id = new_request_id()
        headers = request.headers
        action = headers.get("x-acs-action", "")
        metric_action = action if action in ECI_ACTIONS else "unknown"
        try:
            body = await self._answer(request, action)
        except EciError as error:
            self._metrics.observe(
                action=metric_action, code=error.code, seconds=time.perf_counter() - started
            )
            log = self._logger.warning if error.http_status >= 500 else self._logger.info
            log(
                "eci call refused",
                request_id=request_id,
                action=action,
                code=error.code,
                status=error.http_status,
                message=redact_query_text(error.message),
            )
            return json_response(
                error_body(error, request_id=request_id, host_id=self._host_id),
                status=error.http_status,
                headers=error_headers(error),
            )
        except Exception:
            self._logger.exception("eci call crashed", request_id=request_id, action=action)
            crash = EciError("The request processing has failed due to an internal error.")
            self._metrics.observe(
                action=metric_action, code=crash.code, seconds=time.perf_counter() - started
            )
            return json_response(
                error_body(crash, request_id=request_id, host_id=self._host_id),
                status=crash.http_status,
            )
        self._metrics.observe(
            action=metric_action, code="Success", seconds=time.perf_counter() - started
        )
        return json_response({"RequestId": request_id, **body})

    async def _answer(self, request: web.Request, action: str) -> dict[str, Any]:
        parsed = await read_parameters(request, limits=self.limits)
        if request.method not in ("POST", "GET"):
            raise UnsupportedHTTPMethod(f"HTTP method {request.method} is not supported.")
        headers = request.headers
        if not action:
            raise MissingParameter("The header x-acs-action (the operation name) is required.")
        if action not in ECI_ACTIONS:
            raise InvalidActionNotFound(
                f"The operation {action!r} does not exist in ECI {API_VERSION};"
                " check the action name and the endpoint."
            )
        version = headers.get("x-acs-version", "")
        if version != API_VERSION:
            raise InvalidVersion(
                f"The API version {version!r} is not valid; ECI serves {API_VERSION}."
            )
        caller = self._verifier.verify(
            method=request.method,
            path=request.raw_path.partition("?")[0],
            query=parsed.query,
            headers=headers,
            payload=parsed.payload,
        )
        if not await self._remember_nonce(
            caller.nonce, expires_at=caller.received_at + self._nonce_ttl
        ):
            raise SignatureNonceUsed(
                f"The signature nonce {caller.nonce!r} was used already; every request needs"
                " a fresh x-acs-signature-nonce."
            )
        if self._debug:
            self._logger.debug(
                "eci call",
                action=action,
                access_key_id=caller.access_key_id,
                params=redact_params(parsed.pairs),
            )
        if self._faults.active:
            await self._faults.before_call(action)
        body = await self._backend.call(action, unflatten(parsed.pairs))
        uri = body.get("WebSocketUri")
        if isinstance(uri, str) and uri.startswith("/"):  # ExecContainerCommand: this server
            body["WebSocketUri"] = f"{'wss' if request.secure else 'ws'}://{request.host}{uri}"
        return body
