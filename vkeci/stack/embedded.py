"""Start the embedded API server (or use a given cluster), the simulator and the agent together.

`running_stack(settings)` is what `vk-eci demo` and `vk-eci bench startup` stand on: the
three parts in one process, each on a random 127.0.0.1 port, talking real HTTP to each other
exactly as separate processes would (the agent reaches the API server through a kubeconfig
and the simulator through the official ECI SDK with a signed AccessKey). The simulator keeps
its SQLite file in the given work directory and runs on a scaled clock. The agent runs its
ImageCache controller with short polling so a cache's progress is visible at any time scale.

With `kubeconfig` set, no API server is started: the agent registers its node in that
cluster, and the CRD is applied there if missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import structlog
from kubernetes_asyncio import client as k8s
from kubernetes_asyncio import config as k8s_config

from localkube.server import LocalKube, LocalKubeSettings
from simulator.server import Simulator
from simulator.settings import (
    ClockMode,
    ClockSettings,
    Credential,
    SecuritySettings,
    SimulatorSettings,
)
from vkeci.stack.cluster import ClusterOps
from vkeci.stack.errors import StackError
from vkeci.stack.kubeletpki import KubeletClientPki, make_kubelet_client_pki
from vkprovider.agent import Agent
from vkprovider.eci.client import EciClient
from vkprovider.settings import (
    AgentSettings,
    EciSettings,
    ImageCacheSettings,
    KubeletSettings,
    LeaseSettings,
    NodeSettings,
    PodSettings,
    RetrySettings,
)

QUICK_RETRY = RetrySettings(
    backoff_seconds=(0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 2.0, 2.0), max_retry_after_seconds=5.0
)
"""Retries of the embedded stack: every part is local, so failures clear up fast."""


@dataclass(frozen=True, kw_only=True)
class StackSettings:
    """How the demo or a benchmark runs the three parts."""

    workdir: Path
    """Directory for the kubeconfig, the simulator's SQLite file and the agent's certificate."""

    time_scale: float = 0.05
    """Real seconds per simulated second (0.05: twenty times faster); 1 runs in real time."""

    kubeconfig: Path | None = None
    """A real cluster's kubeconfig; None starts the embedded API server."""

    node_name: str = "virtual-kubelet"
    """Name of the virtual node the agent registers."""

    time_model_path: Path | None = None
    """Optional JSON overriding the simulator's time-model defaults."""

    history_window: int = 50_000
    """Changes the embedded API server keeps for watches (a burst writes many)."""

    pod_workers: int = 32
    """Concurrent pod work items in the agent."""

    status_poll_seconds: float = 0.1
    """Real seconds between the agent's status polls of ECI."""

    imagecache_poll_seconds: float = 0.1
    """Real seconds between the ImageCache controller's polls of a building cache."""

    events_enabled: bool = True
    """Whether the agent writes core/v1 Events on Pods."""

    extra_catalogs: tuple[Path, ...] = field(default=())
    """Extra simulator catalog files."""


@dataclass
class Stack:
    """The running parts and how to reach them."""

    kubeconfig: Path
    api: k8s.ApiClient
    simulator: Simulator
    agent: Agent
    embedded: LocalKube | None
    eci: EciSettings

    @property
    def api_server_url(self) -> str:
        return self.embedded.url if self.embedded is not None else str(self.api.configuration.host)


def simulator_settings(settings: StackSettings, credential: Credential) -> SimulatorSettings:
    if settings.time_scale <= 0:
        raise StackError(f"--time-scale {settings.time_scale}: must be > 0")
    clock = (
        ClockSettings(mode=ClockMode.REAL)
        if settings.time_scale == 1.0
        else ClockSettings(mode=ClockMode.SCALED, time_scale=settings.time_scale)
    )
    return SimulatorSettings(
        database_url=f"sqlite+aiosqlite:///{settings.workdir / 'eci-simulator.db'}",
        clock=clock,
        security=SecuritySettings(credentials=(credential,), admin_token=secrets.token_urlsafe(24)),
        catalog_paths=settings.extra_catalogs,
        time_model_path=settings.time_model_path,
    )


def agent_settings(
    settings: StackSettings,
    *,
    kubeconfig: Path,
    eci: EciSettings,
    kubelet_client_ca: Path | None = None,
) -> AgentSettings:
    """The agent's settings; `kubelet_client_ca` is the CA of the embedded API server's kubelet
    client certificate (None on a cluster: the agent trusts the kubeconfig's CA)."""
    return AgentSettings(
        node=NodeSettings(
            name=settings.node_name,
            status_interval_seconds=10.0,
            # In a real cluster the node outlives the demo: say it is gone rather than let it
            # look Ready until the lease expires.
            mark_not_ready_on_exit=settings.kubeconfig is not None,
        ),
        lease=LeaseSettings(renew_interval_seconds=5.0),
        pods=PodSettings(
            workers=settings.pod_workers,
            status_poll_interval_seconds=settings.status_poll_seconds,
            reconcile_interval_seconds=5.0,
            orphan_grace_seconds=30.0,
            watch_timeout_seconds=60,
            watch_inactivity_seconds=90.0,
            retry=QUICK_RETRY,
            events_enabled=settings.events_enabled,
        ),
        eci=eci,
        kubelet=KubeletSettings(
            port=0,
            state_dir=str(settings.workdir / "agent-state"),
            client_ca_file=str(kubelet_client_ca) if kubelet_client_ca is not None else "",
        ),
        imagecaches=ImageCacheSettings(
            build_poll_seconds=settings.imagecache_poll_seconds,
            resync_seconds=10.0,
            retry=QUICK_RETRY,
        ),
        kubeconfig=str(kubeconfig),
    )


async def _load_api(kubeconfig: Path) -> k8s.ApiClient:
    try:
        return await k8s_config.new_client_from_config(config_file=str(kubeconfig))
    except Exception as exc:
        raise StackError(f"cannot load kubeconfig {kubeconfig}: {exc}") from exc


async def _check_reachable(api: k8s.ApiClient, kubeconfig: Path) -> None:
    try:
        await k8s.VersionApi(api).get_code()
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise StackError(
            f"cannot reach the API server of {kubeconfig} ({api.configuration.host}): {exc}"
        ) from exc
    except k8s.ApiException as exc:
        raise StackError(
            f"the API server of {kubeconfig} refused /version: {exc.status} {exc.reason}"
        ) from exc


@contextlib.asynccontextmanager
async def running_stack(settings: StackSettings, *, logger: Any = None) -> AsyncIterator[Stack]:
    """API server (embedded unless a kubeconfig is given), simulator and agent, all started."""
    log = logger if logger is not None else structlog.get_logger("vkeci.stack")
    settings.workdir.mkdir(parents=True, exist_ok=True)
    credential = Credential(
        access_key_id="LTAIdemo" + secrets.token_hex(6), access_key_secret=secrets.token_urlsafe(24)
    )
    async with contextlib.AsyncExitStack() as stack:
        embedded: LocalKube | None = None
        pki: KubeletClientPki | None = None
        if settings.kubeconfig is None:
            # The kubelet API authenticates callers: the embedded API server presents a client
            # certificate of a CA made for this run, which the agent trusts (kubeletpki.py).
            pki = make_kubelet_client_pki(settings.workdir / "pki")
            embedded = LocalKube(
                LocalKubeSettings(
                    port=0,
                    history_window=settings.history_window,
                    kubelet_client_certificate=str(pki.certificate_file),
                    kubelet_client_key=str(pki.key_file),
                )
            )
            await stack.enter_async_context(embedded)
            kubeconfig = embedded.write_kubeconfig(settings.workdir / "kubeconfig")
        else:
            kubeconfig = settings.kubeconfig.expanduser().resolve()
        api = await _load_api(kubeconfig)
        stack.push_async_callback(api.close)
        await _check_reachable(api, kubeconfig)

        simulator = Simulator(simulator_settings(settings, credential), logger=log)
        await stack.enter_async_context(simulator)
        eci = EciSettings(
            endpoint=simulator.endpoint,
            region_id=simulator.settings.region.region_id,
            access_key_id=credential.access_key_id,
            access_key_secret=credential.access_key_secret,
            protocol="http",
            retry=QUICK_RETRY,
        )
        await ClusterOps(api=api, app="vk-eci").ensure_crd()

        agent_config = agent_settings(
            settings,
            kubeconfig=kubeconfig,
            eci=eci,
            kubelet_client_ca=pki.ca_file if pki is not None else None,
        )
        eci_client = EciClient(settings=eci)
        agent = Agent(
            settings=agent_config,
            api=api,
            eci_client=eci_client,
            logger=log,
        )
        stack.push_async_callback(agent.stop)
        try:
            await asyncio.wait_for(agent.start(), timeout=60)
        except TimeoutError as exc:
            raise StackError("the agent did not start within 60 s") from exc
        yield Stack(
            kubeconfig=kubeconfig,
            api=api,
            simulator=simulator,
            agent=agent,
            embedded=embedded,
            eci=eci,
        )
