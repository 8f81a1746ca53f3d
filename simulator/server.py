"""`Simulator`: one process's ECI API and admin endpoints on one port, over one service.

It opens the service (store, clock, catalog, engine), serves the ECI OpenAPI
at `/` and the admin API at `/_sim/...` with aiohttp, and closes both in
order. It is what `vk-eci simulator`, the demo and the test fixtures run;
it holds no simulated state of its own (that lives in the service's database).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

import structlog
from aiohttp import web

from simulator.api.admin import AdminApi, ClockView, count_resources
from simulator.api.execsocket import ExecSockets
from simulator.api.faults import FaultInjector
from simulator.api.handling import EciApi
from simulator.api.metrics import ApiMetrics
from simulator.api.parameters import RequestLimits
from simulator.operations.execs import SESSION_PATH
from simulator.registry.catalog import Catalog
from simulator.service import EciService, open_service
from simulator.settings import SimulatorSettings


class SimulatorService(Protocol):
    """What the server needs of `simulator.service.EciService`."""

    @property
    def clock(self) -> ClockView: ...

    @property
    def catalog(self) -> Catalog: ...

    async def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]: ...

    async def remember_nonce(self, nonce: str, *, expires_at: datetime) -> bool: ...

    async def settle(self) -> None:
        """Materialise every transition due at the clock's current time."""
        ...

    async def close(self) -> None: ...


ServiceFactory = Callable[..., Awaitable[SimulatorService]]
"""`open_service(*, settings, logger)`."""


class Simulator:
    """An ECI simulator serving HTTP; use as `async with Simulator(settings) as sim:`."""

    def __init__(
        self,
        settings: SimulatorSettings,
        *,
        logger: Any = None,
        service_factory: ServiceFactory | None = None,
    ) -> None:
        self.settings = settings
        self._logger = logger if logger is not None else structlog.get_logger("simulator")
        self._service_factory = service_factory
        self._runner: web.AppRunner | None = None
        self._service: SimulatorService | None = None
        self.faults = FaultInjector()
        self.metrics = ApiMetrics()
        self.port = 0

    @property
    def backend(self) -> SimulatorService:
        """The service behind the API (a stand-in when one was injected)."""
        if self._service is None:
            raise RuntimeError("the simulator is not started")
        return self._service

    @property
    def service(self) -> EciService:
        """The real service (its clock, catalog, database); not available with a stand-in."""
        backend = self.backend
        if not isinstance(backend, EciService):
            raise TypeError(f"this simulator runs a stand-in service ({type(backend).__name__})")
        return backend

    @property
    def host(self) -> str:
        return self.settings.listen.host

    @property
    def endpoint(self) -> str:
        """`host:port`, what the SDK's `Config(endpoint=..., protocol="http")` takes."""
        return f"{self.host}:{self.port}"

    @property
    def admin_url(self) -> str:
        return f"http://{self.host}:{self.port}/_sim"

    async def start(self) -> None:
        factory = self._service_factory or open_service
        self._service = await factory(settings=self.settings, logger=self._logger)
        try:
            app, limits = self._build_app(self._service)
            self._runner = web.AppRunner(
                app,
                access_log=None,
                handle_signals=False,
                # aiohttp's defaults (8190 bytes) answer a long SDK query or header with a
                # plain-text 400; above these ceilings it still does, below them the edge
                # answers in ECI's words (see simulator.api.parameters)
                max_line_size=limits.parser_line_bytes,
                max_field_size=limits.parser_field_bytes,
            )
            await self._runner.setup()
            site = web.TCPSite(
                self._runner, self.settings.listen.host, self.settings.listen.port, backlog=1024
            )
            await site.start()
        except BaseException:
            await self.stop()
            raise
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        self.port = server.sockets[0].getsockname()[1]
        self._logger.info(
            "simulator listening",
            endpoint=self.endpoint,
            region=self.settings.region.region_id,
            clock=self.settings.clock.mode.value,
            time_scale=self.settings.clock.time_scale,
            admin=self.settings.security.admin_token is not None,
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._service is not None:
            await self._service.close()
            self._service = None

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def _build_app(self, service: SimulatorService) -> tuple[web.Application, RequestLimits]:
        security = self.settings.security
        api = EciApi(
            backend=service,
            security=security,
            region=self.settings.region,
            faults=self.faults,
            throttle=self.settings.throttle,
            metrics=self.metrics,
            logger=self._logger,
        )
        app = web.Application(client_max_size=api.limits.max_body_bytes)
        if security.admin_token:
            counter = None
            if isinstance(service, EciService):
                real_service = service

                async def counter() -> dict[tuple[str, str], int]:
                    await real_service.settle()  # status columns catch up with the plans
                    return await count_resources(real_service.db)

            AdminApi(
                token=security.admin_token,
                clock=service.clock,
                clock_settings=self.settings.clock,
                faults=self.faults,
                metrics=self.metrics,
                catalog=service.catalog,
                after_clock_move=service.settle,
                count_resources=counter,
            ).add_routes(app)
        if isinstance(service, EciService):
            sockets = ExecSockets(
                open_session=service.open_exec_session,
                run_line=service.run_exec_line,
                clock=service.clock,
            )
            app.router.add_get(SESSION_PATH, sockets.handle)
        app.router.add_route("*", "/", api.handle)
        return app, api.limits
