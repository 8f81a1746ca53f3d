"""`LocalKube`: the embedded API server's lifecycle, settings and test-facing controls.

Tests, `vk-eci apiserver` and `vk-eci demo` start it in-process with `async with
LocalKube(settings) as kube`; request handling lives in `handlers.py`. It binds 127.0.0.1
unless told otherwise, and on stop it ends every watch before closing connections so no
handler outlives it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import structlog
from aiohttp import web

from localkube import kubeconfig, logs
from localkube.bodies import MAX_BODY_BYTES
from localkube.cluster import Cluster
from localkube.controllers.assembly import start_controllers
from localkube.controllers.runtime import ControllerManager, ControllerSettings
from localkube.faults import Faults, admin_routes, middleware
from localkube.guard import unexpected_errors
from localkube.handlers import ApiHandlers
from localkube.negotiation import render_error
from localkube.resources import Registry
from localkube.store import Store

logger = structlog.get_logger("localkube")


@dataclass(frozen=True)
class LocalKubeSettings:
    """How the embedded API server listens and how long it remembers."""

    host: str = "127.0.0.1"
    """Address to bind; loopback only by default."""
    port: int = 0
    """TCP port; 0 picks a free one (see `LocalKube.url`)."""
    history_window: int = 10000
    """Changes kept for watches and continue tokens; older resourceVersions get 410 Gone."""
    bookmark_interval_seconds: float = 60.0
    """Seconds between BOOKMARK events on watches that allow them (kube: about a minute)."""
    default_watch_timeout_seconds: float = 1800.0
    """Server-side end of a watch without `timeoutSeconds` (kube: 30-60 min)."""
    shutdown_timeout_seconds: float = 2.0
    """Grace given to in-flight requests when the server stops."""
    controllers: bool = True
    """Run the stand-in scheduler and controllers (`localkube.controllers`); off, the server
    is a bare API server: nothing schedules, scales or garbage-collects."""
    controller_settings: ControllerSettings = field(default_factory=ControllerSettings)
    """Their resync and back-off intervals."""
    kubelet_client_certificate: str = ""
    """PEM client certificate presented to kubelets when proxying `pods/log`
    (kube-apiserver's `--kubelet-client-certificate`); empty: none, as without the flag."""
    kubelet_client_key: str = ""
    """PEM private key of `kubelet_client_certificate` (`--kubelet-client-key`)."""


class LocalKube:
    """An in-memory Kubernetes API server on 127.0.0.1; use as an async context manager."""

    def __init__(self, settings: LocalKubeSettings | None = None) -> None:
        self.settings = settings or LocalKubeSettings()
        self.store = Store(history_window=self.settings.history_window)
        self.registry = Registry()
        self.cluster = Cluster(store=self.store, registry=self.registry)
        self.faults = Faults(store=self.store)
        self._runner: web.AppRunner | None = None
        self._controllers: ControllerManager | None = None
        self._port = 0
        self.handlers = ApiHandlers(
            cluster=self.cluster,
            bookmark_interval_seconds=self.settings.bookmark_interval_seconds,
            default_watch_timeout_seconds=self.settings.default_watch_timeout_seconds,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if not self._port:
            raise RuntimeError("LocalKube is not started")
        return f"http://{self.settings.host}:{self._port}"

    async def start(self) -> None:
        app = web.Application(
            middlewares=[unexpected_errors(render_error), middleware(self.faults, render_error)],
            client_max_size=MAX_BODY_BYTES,
        )
        app[logs.KUBELET_CLIENT_TLS] = logs.kubelet_client_context(
            certificate=self.settings.kubelet_client_certificate,
            key=self.settings.kubelet_client_key,
        )
        app.add_routes(admin_routes(self.faults, compact=self.compact_history))
        app.add_routes(self.handlers.routes())
        self._runner = web.AppRunner(
            app, shutdown_timeout=self.settings.shutdown_timeout_seconds, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        address = self._runner.addresses[0]
        self._port = int(address[1])
        if self.settings.controllers:
            self._controllers = start_controllers(self.cluster, self.settings.controller_settings)
        logger.info("localkube started", url=self.url)

    async def stop(self) -> None:
        """Stop the controllers, end every watch (new ones are refused), close connections."""
        if self._controllers is not None:
            await self._controllers.stop(self.cluster)
            self._controllers = None
        self.handlers.closing = True
        self.store.drop_subscriptions()
        watches = set(self.handlers.watch_tasks)
        if watches:
            await asyncio.wait(watches, timeout=self.settings.shutdown_timeout_seconds)
        for task in watches:
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        logger.info("localkube stopped")

    async def __aenter__(self) -> LocalKube:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def write_kubeconfig(self, path: Path) -> Path:
        return kubeconfig.write(Path(path), server=self.url)

    def compact_history(self) -> None:
        """Forget history: watches and continue tokens from before now get 410 Gone."""
        self.store.compact()
