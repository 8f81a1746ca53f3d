"""Admin endpoints `/_sim/...`: the simulator's own controls, beside the ECI API on one port.

They let tests, demos and benchmarks read and move the clock, inject faults,
manage the image catalog and scrape metrics. They are not part of ECI and are
guarded by their own bearer token (`SecuritySettings.admin_token`): a request
without it gets 401, and with no token configured the endpoints do not exist
(404), so a simulator started without one exposes nothing but ECI.

    GET    /_sim/clock    {"now", "mode", "time_scale", "advanceable"}
    POST   /_sim/clock    {"advance_seconds": 60} or {"advance_to": "2026-01-01T00:00:00Z"}
                          (virtual clock only, else 409); answers once what fell due is visible
    GET    /_sim/faults   the injected faults, and "failures_sent": how many injected
                          failures calls have been answered with since the process started
    POST   /_sim/faults   {"fail": {"count": 3, "code": "ServiceUnavailable", "status": 503,
                          "message": "...", "actions": ["CreateContainerGroup"]},
                          "latency_seconds": 0.2, "throttle_per_second": 50 (null lifts it)}
    DELETE /_sim/faults   clear every fault
    GET    /_sim/catalog  {"images": [...]}
    POST   /_sim/catalog  a catalog document {"images": [...], "registries": [...],
                          "missing": ["ref", ...]} or one image {"ref": "...", "layers_mb":
                          [...]}; 201 {"added": [...], "missing": [...]}
    GET    /_sim/metrics  Prometheus text: eci_api_calls_total{action,code},
                          eci_api_call_duration_seconds{action}, eci_resources{kind,state}

Errors are `{"error": "<what is wrong>"}` with 400, 401, 404 or 409.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from simulator.api.faults import FailureRule, FaultInjector, describe
from simulator.api.metrics import ApiMetrics
from simulator.errors import EciError
from simulator.registry.catalog import Catalog
from simulator.registry.catalogfiles import CatalogFileError
from simulator.registry.images import Image
from simulator.settings import ClockSettings
from simulator.store.database import Database
from simulator.store.tables import ContainerGroupRow, ImageCacheRow

ADMIN_PREFIX = "/_sim"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ClockView(Protocol):
    """The part of `simulator.timemodel.clock.Clock` the admin API reads."""

    def now(self) -> datetime: ...


@runtime_checkable
class AdvanceableClock(Protocol):
    """A virtual clock: moves only when told to."""

    def now(self) -> datetime: ...

    def advance(self, seconds: float) -> None: ...

    def advance_to(self, when: datetime) -> None: ...


class ResourceCounter(Protocol):
    async def __call__(self) -> dict[tuple[str, str], int]: ...


class AdminApi:
    """Routes under `/_sim`, each behind the admin bearer token."""

    def __init__(
        self,
        *,
        token: str,
        clock: ClockView,
        clock_settings: ClockSettings,
        faults: FaultInjector,
        metrics: ApiMetrics,
        catalog: Catalog | None = None,
        after_clock_move: Callable[[], Awaitable[None]] | None = None,
        count_resources: ResourceCounter | None = None,
    ) -> None:
        self._token = token.encode()
        self._clock = clock
        self._clock_settings = clock_settings
        self._faults = faults
        self._metrics = metrics
        self._catalog = catalog
        self._after_clock_move = after_clock_move
        self._count_resources = count_resources

    def add_routes(self, app: web.Application) -> None:
        routes = {
            ("GET", "/clock"): self.get_clock,
            ("POST", "/clock"): self.post_clock,
            ("GET", "/faults"): self.get_faults,
            ("POST", "/faults"): self.post_faults,
            ("DELETE", "/faults"): self.delete_faults,
            ("GET", "/metrics"): self.get_metrics,
            ("GET", "/catalog"): self.get_catalog,
            ("POST", "/catalog"): self.post_catalog,
        }
        for (method, path), handler in routes.items():
            app.router.add_route(method, ADMIN_PREFIX + path, self._guarded(handler))

    def _guarded(self, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                token.strip().encode(), self._token
            ):
                return _error(401, "admin endpoints need 'Authorization: Bearer <admin token>'")
            return await handler(request)

        return guarded

    async def get_clock(self, request: web.Request) -> web.StreamResponse:
        del request
        return web.json_response(self._clock_view())

    async def post_clock(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        clock = self._clock
        if not isinstance(clock, AdvanceableClock):
            return _error(
                409,
                f"the clock is {self._clock_settings.mode.value}; only a virtual clock"
                " (--virtual-clock) can be moved",
            )
        if "advance_seconds" in body:
            seconds = body["advance_seconds"]
            if not isinstance(seconds, int | float) or seconds < 0:
                return _error(400, f"advance_seconds: {seconds!r} is not a number >= 0")
            clock.advance(float(seconds))
        elif "advance_to" in body:
            try:
                when = datetime.fromisoformat(str(body["advance_to"]))
            except ValueError:
                return _error(400, f"advance_to: {body['advance_to']!r} is not an ISO 8601 time")
            if when.tzinfo is None:
                return _error(400, "advance_to: give a time zone (e.g. 'Z' or '+00:00')")
            try:
                clock.advance_to(when)
            except ValueError as exc:
                return _error(400, f"advance_to: {exc}")
        else:
            return _error(400, "give advance_seconds (number) or advance_to (ISO 8601 time)")
        if self._after_clock_move is not None:
            await self._after_clock_move()  # what fell due is visible when this returns
        return web.json_response(self._clock_view())

    def _clock_view(self) -> dict[str, Any]:
        return {
            "now": self._clock.now().isoformat(),
            "mode": self._clock_settings.mode.value,
            "time_scale": self._clock_settings.time_scale,
            "advanceable": isinstance(self._clock, AdvanceableClock),
        }

    async def get_faults(self, request: web.Request) -> web.StreamResponse:
        del request
        return web.json_response(
            {**describe(self._faults.state), "failures_sent": self._faults.failures_sent}
        )

    async def post_faults(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        try:
            failure = _failure_rule(body.get("fail"))
            latency = _optional_number(body, "latency_seconds")
            throttle = _optional_number(body, "throttle_per_second")
        except ValueError as exc:
            return _error(400, str(exc))
        if throttle is not None and throttle <= 0:
            return _error(400, "throttle_per_second: must be > 0 (or null to lift the throttle)")
        state = self._faults.configure(
            failure=failure,
            latency_seconds=latency,
            throttle_per_second=throttle,
            clear_throttle="throttle_per_second" in body and body["throttle_per_second"] is None,
        )
        return web.json_response(describe(state))

    async def delete_faults(self, request: web.Request) -> web.StreamResponse:
        del request
        self._faults.clear()
        return web.json_response(describe(self._faults.state))

    async def get_metrics(self, request: web.Request) -> web.StreamResponse:
        del request
        if self._count_resources is not None:
            self._metrics.set_resource_counts(await self._count_resources())
        return web.Response(
            body=generate_latest(self._metrics.registry),
            headers={"Content-Type": CONTENT_TYPE_LATEST},
        )

    async def get_catalog(self, request: web.Request) -> web.StreamResponse:
        del request
        if self._catalog is None:
            return _error(404, "this simulator has no image catalog")
        return web.json_response({"images": [_image_view(i) for i in self._catalog.images()]})

    async def post_catalog(self, request: web.Request) -> web.StreamResponse:
        """Add images: a catalog document (`{"images": [...], "registries": [...]}`) or one image.

        Additions live in this process's catalog only (not in the database).
        """
        if self._catalog is None:
            return _error(404, "this simulator has no image catalog")
        body = await _json_body(request)
        document = body if "images" in body or "missing" in body else {"images": [body]}
        before = {image.reference: image for image in self._catalog.images()}
        try:
            self._catalog.add_document(document, source="POST /_sim/catalog")
        except (CatalogFileError, EciError) as exc:
            return _error(400, str(exc))
        added = [
            _image_view(image)
            for image in self._catalog.images()
            if before.get(image.reference) != image
        ]
        return web.json_response(
            {"added": added, "missing": sorted(self._catalog.missing)}, status=201
        )


def _image_view(image: Image) -> dict[str, Any]:
    return {
        "reference": image.reference,
        "aliases": list(image.aliases),
        "private_server": image.private_server,
        "compressed_bytes": image.compressed_bytes,
        "uncompressed_bytes": image.uncompressed_bytes,
        "layers": [
            {
                "digest": layer.digest,
                "compressed_bytes": layer.compressed_bytes,
                "uncompressed_bytes": layer.uncompressed_bytes,
            }
            for layer in image.layers
        ],
    }


async def count_resources(db: Database) -> dict[tuple[str, str], int]:
    """Container groups (not deleted) and image caches by materialised status.

    The status columns may lag the plans by one engine tick: settle the
    service first for exact numbers.
    """
    async with db.sessions() as session:
        groups = await session.execute(
            select(ContainerGroupRow.status, func.count())
            .where(ContainerGroupRow.deleted_at.is_(None))
            .group_by(ContainerGroupRow.status)
        )
        caches = await session.execute(
            select(ImageCacheRow.status, func.count()).group_by(ImageCacheRow.status)
        )
        counts = {("container_group", status): int(n) for status, n in groups.all()}
        counts.update({("image_cache", status): int(n) for status, n in caches.all()})
    return counts


def _failure_rule(spec: Any) -> FailureRule | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ValueError("fail: expected an object like {'count': 3, 'code': ..., 'status': ...}")
    count = spec.get("count", 1)
    status = spec.get("status", 503)
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"fail.count: {count!r} is not an integer >= 1")
    if not isinstance(status, int) or not 400 <= status <= 599:
        raise ValueError(f"fail.status: {status!r} is not an HTTP error status (400..599)")
    actions = spec.get("actions", [])
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise ValueError(f"fail.actions: {actions!r} is not a list of action names")
    return FailureRule(
        remaining=count,
        code=str(spec.get("code", "ServiceUnavailable")),
        http_status=status,
        message=str(spec.get("message", "The request failed due to an injected fault.")),
        actions=frozenset(actions),
    )


def _optional_number(body: dict[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name}: {value!r} is not a number >= 0")
    return float(value)


async def _json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": f"body is not JSON: {exc}"}), content_type="application/json"
        ) from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "body must be a JSON object"}),
            content_type="application/json",
        )
    return body


def _error(status: int, message: str) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="eci-simulator"'} if status == 401 else None
    return web.json_response({"error": message}, status=status, headers=headers)
