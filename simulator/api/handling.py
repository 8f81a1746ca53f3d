"""The ECI API request path: parse, authenticate, refuse replays, inject faults, call the service.

One aiohttp handler serves every ECI operation, RPC style: `POST /` (or GET)
with parameters flattened into the query string or a form body, signed in
either of the two schemes ECI accepts: ACS3-HMAC-SHA256 (action and version
in `x-acs-action` / `x-acs-version`, an `Authorization` header; `signing.py`)
or RPC signature version 1.0, HMAC-SHA1 (`Action`, `Version`, `Signature`
and the other common parameters among the request's own; `rpcsigning.py`).
A request without an `Authorization` header that carries v1 signature
parameters takes the v1 path; every other request the ACS3 path. Checks run
in the order a gateway applies them: size limits and the one parse of the
parameters (a repeated key is refused here, before either signature scheme,
see `parameters.py`), method, action, version, signature (AccessKey, date,
payload, HMAC) over exactly the parsed parameters the service will read, the
nonce (one store for both schemes), then the caller's rate. Only a request
that passes all of them reaches the service. The answer is JSON, or XML when
`Format=XML` asks for it (the v1 scheme's default), errors included.

This path must stay cheap (the target is over 1,000 signed calls/s on one
core): no per-call logging unless debug logging is on, metric children
cached, no copies of the body beyond what parsing needs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from simulator.api.responses import (
    answer_response,
    error_body,
    error_headers,
    json_response,
    new_request_id,
)
from simulator.api.rpcsigning import (
    COMMON_PARAMETERS,
    RpcSignatureVerifier,
    check_complete,
    is_rpc_signed,
)
from simulator.api.signing import SignatureVerifier, VerifiedCaller
from simulator.api.throttling import Throttle
from simulator.api.xmlbodies import xml_response
from simulator.errors import EciError, InvalidParameter, MissingParameter
from simulator.settings import RegionSettings, SecuritySettings, ThrottleSettings


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
        throttle: ThrottleSettings | None = None,
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
        self._rpc_verifier = RpcSignatureVerifier(
            credentials=security.credentials,
            max_clock_skew_seconds=security.max_clock_skew_seconds,
        )
        self._throttle = Throttle(throttle if throttle is not None else ThrottleSettings())
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
        self._metrics.saw_connection(request.transport)
        request_id = new_request_id()
        call = _Call(action=request.headers.get("x-acs-action", ""))
        try:
            body = await self._answer(request, call)
        except EciError as error:
            action = call.action
            metric_action = action if action in ECI_ACTIONS else "unknown"
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
            return self._error_response(error, call=call, request_id=request_id)
        except Exception:
            self._logger.exception("eci call crashed", request_id=request_id, action=call.action)
            crash = EciError("The request processing has failed due to an internal error.")
            metric_action = call.action if call.action in ECI_ACTIONS else "unknown"
            self._metrics.observe(
                action=metric_action, code=crash.code, seconds=time.perf_counter() - started
            )
            return self._error_response(crash, call=call, request_id=request_id)
        self._metrics.observe(
            action=call.action, code="Success", seconds=time.perf_counter() - started
        )
        if call.xml:
            return xml_response(f"{call.action}Response", {"RequestId": request_id, **body})
        return answer_response(request_id, body)

    def _error_response(self, error: EciError, *, call: _Call, request_id: str) -> web.Response:
        body = error_body(error, request_id=request_id, host_id=self._host_id)
        if call.xml:
            return xml_response(
                "Error", body, status=error.http_status, headers=error_headers(error)
            )
        return json_response(body, status=error.http_status, headers=error_headers(error))

    async def _answer(self, request: web.Request, call: _Call) -> dict[str, Any]:
        """Check the request in a gateway's order and run it; `call` learns action and format."""
        parsed = await read_parameters(request, limits=self.limits)
        if request.method not in ("POST", "GET"):
            raise UnsupportedHTTPMethod(f"HTTP method {request.method} is not supported.")
        headers = request.headers
        pairs = parsed.pairs
        if "Authorization" not in headers and is_rpc_signed(params := dict(pairs)):
            caller = self._verify_rpc(request.method, params, call)
            pairs = [(key, value) for key, value in pairs if key not in COMMON_PARAMETERS]
        else:
            call.xml = _wants_xml(parsed.query.get("Format"), default=False)
            _check_action(call.action, version=headers.get("x-acs-version", ""), where="header")
            caller = self._verifier.verify(
                method=request.method,
                path=request.raw_path.partition("?")[0],
                query=parsed.query,
                headers=headers,
                payload=parsed.payload,
            )
        action = call.action
        if not await self._remember_nonce(
            caller.nonce, expires_at=caller.received_at + self._nonce_ttl
        ):
            raise SignatureNonceUsed(
                f"The signature nonce {caller.nonce!r} was used already; every request needs"
                " a fresh signature nonce."
            )
        if self._throttle.enabled:
            self._throttle.admit(access_key_id=caller.access_key_id, action=action)
        if self._debug:
            self._logger.debug(
                "eci call",
                action=action,
                access_key_id=caller.access_key_id,
                params=redact_params(pairs),
            )
        if self._faults.active:
            await self._faults.before_call(action)
        body = await self._backend.call(action, unflatten(pairs))
        uri = body.get("WebSocketUri")
        if isinstance(uri, str) and uri.startswith("/"):  # ExecContainerCommand: this server
            body["WebSocketUri"] = f"{'wss' if request.secure else 'ws'}://{request.host}{uri}"
        return body

    def _verify_rpc(self, method: str, params: dict[str, str], call: _Call) -> VerifiedCaller:
        """The v1 (HMAC-SHA1) path: action, version and Format come from the parameters."""
        call.xml = _wants_xml(params.get("Format"), default=True)
        call.action = params.get("Action", "")
        check_complete(params)
        _check_action(call.action, version=params["Version"], where="parameter")
        return self._rpc_verifier.verify(method=method, params=params)


@dataclass
class _Call:
    """What the edge learns of a call while checking it: the action, and the answer's format."""

    action: str
    xml: bool = False


def _wants_xml(value: str | None, *, default: bool) -> bool:
    """Whether `Format` asks for XML (ECI's default for the v1 scheme); JSON and XML only."""
    if value is None or value == "":
        return default
    fmt = value.upper()
    if fmt == "XML":
        return True
    if fmt == "JSON":
        return False
    raise InvalidParameter(f"Format {value!r} is not valid; expected JSON or XML.")


def _check_action(action: str, *, version: str, where: str) -> None:
    if not action:
        name = "x-acs-action" if where == "header" else "Action"
        raise MissingParameter(f"The {where} {name} (the operation name) is required.")
    if action not in ECI_ACTIONS:
        raise InvalidActionNotFound(
            f"The operation {action!r} does not exist in ECI {API_VERSION};"
            " check the action name and the endpoint."
        )
    if version != API_VERSION:
        raise InvalidVersion(f"The API version {version!r} is not valid; ECI serves {API_VERSION}.")
