"""Scale benchmark: the API server's raw write ceiling, then one agent bringing N Pods to Running.

Both runs happen in one invocation against the same API server, so a noisy machine slows
both and their ratio stays meaningful:

1. the ceiling: a plain aiohttp client creates N Pods and patches each one's status to
   Running (`vkeci.bench.writing`), 32 requests in flight, with no agent running;
2. the agent run: the same N creations, and `vk-eci agent` (its own process, production
   defaults except a 2 s lease renewal so even a short run sees renewals, and a 0.5 s
   status poll) against `vk-eci simulator` with a zero-delay time model (every scheduling,
   pull and start duration 0), until every Pod is seen Running.

The API server is `vk-eci apiserver` in its own process (so its CPU is measured alone and
the benchmark's observing does not run on its event loop), or, with `--kubeconfig`, any
cluster: then the run gets its own namespace and node name, cleans up after itself
(Pods force-deleted) and reports the API server's CPU only when `--apiserver-pid` names
its process. Running Pods are counted from one watch (`vkeci.bench.observing`) open during
both runs. At the end every agent Pod's status is checked field by field.

Reported: both durations and their ratio, CPU milliseconds per Pod of the agent, the
simulator and the API server, the agent's memory per 1,000 Pods (VmHWM growth over its
resident memory before any Pod), Events written and dropped, and lease renewal gaps.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Final

import aiohttp
from rich.console import Console

from simulator.timemodel.settings import TimeModelSettings
from vkeci.bench.kubetarget import KubeTarget, load_target
from vkeci.bench.observing import (
    LeaseSampler,
    PodWatch,
    check_statuses,
    count_events,
    list_all,
    watching,
)
from vkeci.bench.processes import (
    MIB,
    cpu_seconds,
    log_tail,
    parse_ready_line,
    peak_rss_bytes,
    rss_bytes,
    running_child,
)
from vkeci.bench.results import CeilingRun, ScaleRun, timeline
from vkeci.bench.writing import (
    create_node,
    delete_lease,
    delete_namespace,
    delete_node,
    ensure_namespace,
    force_delete_pods,
    write_pods,
)
from vkeci.stack.cluster import poll
from vkeci.stack.errors import StackError, StackTimeout

EMBEDDED_NAMESPACE: Final = "vk-eci-scale"
EMBEDDED_NODE: Final = "virtual-kubelet"
CEILING_RUN: Final = "ceiling"
AGENT_RUN: Final = "agent"
TARGET_CEILING_FRACTION: Final = 0.8
TARGET_CPU_MS_PER_POD: Final = 3.0
"""Agent + simulator CPU per Pod, together."""
TARGET_MIB_PER_1000: Final = 20.0
EVENT_METRICS: Final = (
    "vk_eci_events_dropped_total",
    "vk_eci_events_aggregated_total",
    "vk_eci_events_written_total",
    "vk_eci_events_pending",
    "vk_eci_status_poll_groups_total",
)
EVENTS_SETTLE_SECONDS: Final = 120.0
"""After the measurement, how long to wait for the agent's queued Events to be written."""


@dataclass(frozen=True, kw_only=True)
class ScaleOptions:
    pods: int
    agent_workers: int = 64
    lease_renew_seconds: float = 2.0
    status_poll_seconds: float = 0.5
    deadline_seconds: float | None = None
    """Give up on a run after this many wall seconds (default: 60 s + 50 ms per Pod)."""
    kubeconfig: Path | None = None
    """A real cluster to run against instead of a `vk-eci apiserver` of our own."""
    apiserver_pid: int | None = None
    """The process whose CPU counts as the API server's when `kubeconfig` is given."""


@dataclass(frozen=True)
class _Place:
    """Where one benchmark invocation writes: its namespace and node names."""

    namespace: str
    node: str
    embedded: bool

    @property
    def ceiling_node(self) -> str:
        return f"{self.node}-ceiling"


def zero_delay_time_model() -> dict[str, float]:
    """Every duration 0 and every bandwidth huge: the simulator answers instantly."""
    model: dict[str, float] = {}
    for item in fields(TimeModelSettings):
        name = item.name
        if name.endswith("_per_s"):
            model[name] = 1e9
        elif name == "startup_read_fraction" or (
            name.endswith("_seconds") and not name.startswith(("restart_", "failed_"))
        ):
            model[name] = 0.0
    return model


def _agent_config(options: ScaleOptions, place: _Place) -> dict[str, Any]:
    return {
        "node": {"name": place.node, "pods": str(max(20_000, options.pods * 2))},
        "lease": {"renew_interval_seconds": options.lease_renew_seconds},
        "pods": {
            "workers": options.agent_workers,
            "status_poll_interval_seconds": options.status_poll_seconds,
            "reconcile_interval_seconds": 60.0,
            "watch_timeout_seconds": 300,
        },
        "imagecache_controller": False,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def _api_server(
    options: ScaleOptions, workdir: Path
) -> AsyncIterator[tuple[Path, int | None]]:
    """The kubeconfig to use and the API server's pid (ours, or `--apiserver-pid`)."""
    if options.kubeconfig is not None:
        yield options.kubeconfig, options.apiserver_pid
        return
    kubeconfig = workdir / "kubeconfig"
    args = [
        "apiserver",
        "--listen", "127.0.0.1:0",
        "--kubeconfig", str(kubeconfig),
        "--history-window", str(max(50_000, options.pods * 16)),
        # The Pods name their node, so nothing here needs the stand-in scheduler and
        # controllers; off, their bookkeeping stays out of the server's measured CPU.
        "--no-controllers",
        "--log-level", "warning",
    ]  # fmt: skip
    async with running_child(
        "apiserver", args, env={}, workdir=workdir, wait_for_stdout_line=True
    ) as (child, line):
        if "listening on" not in line:
            raise StackError(f"vk-eci apiserver printed {line!r}:\n{log_tail(child.log_path)}")
        yield kubeconfig, child.pid


def _place(options: ScaleOptions) -> _Place:
    if options.kubeconfig is None:
        return _Place(namespace=EMBEDDED_NAMESPACE, node=EMBEDDED_NODE, embedded=True)
    suffix = secrets.token_hex(3)
    return _Place(namespace=f"vk-eci-scale-{suffix}", node=f"vk-eci-scale-{suffix}", embedded=False)


async def run_scale(options: ScaleOptions, *, console: Console) -> ScaleRun:
    """The ceiling, then the agent run, of `options.pods` Pods; the JSON-ready measurements."""
    deadline = options.deadline_seconds or 60.0 + 0.05 * options.pods
    place = _place(options)
    with tempfile.TemporaryDirectory(prefix="vk-eci-scale-") as tmp:
        workdir = Path(tmp)
        async with _api_server(options, workdir) as (kubeconfig, apiserver_pid):
            target = await load_target(kubeconfig)
            async with target.session() as session:
                await ensure_namespace(session, place.namespace)
                try:
                    async with watching(target, place.namespace) as watch:
                        console.print(f"ceiling: {options.pods} Pods created and patched Running")
                        ceiling = await _ceiling(
                            options, session=session, watch=watch, place=place,
                            apiserver_pid=apiserver_pid, deadline=deadline,
                        )  # fmt: skip
                        console.print(
                            f"ceiling: {ceiling['seconds']:.1f} s; now the agent, same Pods"
                        )
                        return await _with_agent(
                            options, session=session, watch=watch, target=target,
                            place=place, kubeconfig=kubeconfig, apiserver_pid=apiserver_pid,
                            ceiling=ceiling, workdir=workdir, deadline=deadline,
                        )  # fmt: skip
                finally:
                    if not place.embedded:
                        await _clean_up(session, place)
    raise AssertionError("unreachable")


async def _clean_up(session: aiohttp.ClientSession, place: _Place) -> None:
    """Leave a real cluster as it was: Pods force-deleted, both nodes and the namespace gone."""
    pods, _ = await list_all(session, f"/api/v1/namespaces/{place.namespace}/pods")
    names = [pod["metadata"]["name"] for pod in pods]
    await force_delete_pods(session, namespace=place.namespace, names=names)
    for node in (place.node, place.ceiling_node):
        await delete_node(session, node)
        await delete_lease(session, node)
    await delete_namespace(session, place.namespace)


async def _ceiling(
    options: ScaleOptions,
    *,
    session: aiohttp.ClientSession,
    watch: PodWatch,
    place: _Place,
    apiserver_pid: int | None,
    deadline: float,
) -> CeilingRun:
    await create_node(session, place.ceiling_node)
    apiserver_cpu_before = cpu_seconds(apiserver_pid) if apiserver_pid else 0.0
    started = time.monotonic()
    written: list[float] = []
    await asyncio.wait_for(
        write_pods(
            session, namespace=place.namespace, node_name=place.ceiling_node, run=CEILING_RUN,
            count=options.pods, patch_status=True, on_written=written.append,
        ),
        timeout=deadline,
    )  # fmt: skip
    writes_seconds = max(written) - started

    async def ceiling_running() -> bool | None:
        return watch.running(CEILING_RUN) >= options.pods or None

    await poll(
        ceiling_running,
        what=f"the watch to see the ceiling's {options.pods} Pods Running",
        within_seconds=deadline,
    )
    seconds = max(watch.running_at[CEILING_RUN].values()) + watch.origin - started
    apiserver_cpu = cpu_seconds(apiserver_pid) - apiserver_cpu_before if apiserver_pid else None
    run: CeilingRun = {
        "seconds": round(seconds, 2),
        "writes_seconds": round(writes_seconds, 2),
        "writes_per_second": round(2 * options.pods / writes_seconds, 1),
        "apiserver_cpu_ms_per_pod": (
            round(apiserver_cpu * 1000 / options.pods, 3) if apiserver_cpu is not None else None
        ),
        "timeline": timeline([t - started for t in written]),
    }
    names = list(watch.running_at[CEILING_RUN])
    await force_delete_pods(session, namespace=place.namespace, names=names)
    await delete_node(session, place.ceiling_node)
    return run


async def _with_agent(
    options: ScaleOptions,
    *,
    session: aiohttp.ClientSession,
    watch: PodWatch,
    target: KubeTarget,
    place: _Place,
    kubeconfig: Path,
    apiserver_pid: int | None,
    ceiling: CeilingRun,
    workdir: Path,
    deadline: float,
) -> ScaleRun:
    (workdir / "zero-delay.json").write_text(json.dumps(zero_delay_time_model()))
    (workdir / "agent.json").write_text(json.dumps(_agent_config(options, place)))
    credentials = {
        "ECI_ACCESS_KEY_ID": "LTAIscale" + secrets.token_hex(6),
        "ECI_ACCESS_KEY_SECRET": secrets.token_urlsafe(24),
        "ECI_SIM_ADMIN_TOKEN": secrets.token_urlsafe(16),
    }
    simulator_args = [
        "simulator",
        "--listen", "127.0.0.1:0",
        "--database-url", f"sqlite+aiosqlite:///{workdir / 'eci-simulator.db'}",
        "--time-model", str(workdir / "zero-delay.json"),
        "--log-level", "warning",
        "--log-format", "json",
    ]  # fmt: skip
    async with running_child(
        "simulator", simulator_args, env=credentials, workdir=workdir, wait_for_stdout_line=True
    ) as (simulator, line):
        ready = parse_ready_line("vk-eci simulator", line)
        endpoint = ready["endpoint"]
        eci_admin = (ready["admin_url"], credentials["ECI_SIM_ADMIN_TOKEN"])
        kubelet_port = _free_port()
        agent_args = [
            "agent",
            "--config", str(workdir / "agent.json"),
            "--kubeconfig", str(kubeconfig),
            "--node-name", place.node,
            "--eci-endpoint", endpoint,
            "--kubelet-port", str(kubelet_port),
            # the bench reads the agent's /metrics itself, on 127.0.0.1, with no credentials
            "--kubelet-anonymous-auth",
            "--state-dir", str(workdir / "agent-state"),
            "--no-imagecache-controller",
            "--log-level", "warning",
            "--log-format", "json",
        ]  # fmt: skip
        async with running_child("agent", agent_args, env=credentials, workdir=workdir) as (
            agent,
            _,
        ):
            try:
                await _wait_node_ready(session, place.node)
            except StackTimeout as exc:
                raise StackError(
                    f"{exc}; agent log ends with:\n{log_tail(agent.log_path)}"
                ) from exc
            return await _measure_agent(
                options, session=session, watch=watch, target=target, place=place,
                pids={"agent": agent.pid, "simulator": simulator.pid, "apiserver": apiserver_pid},
                kubelet_port=kubelet_port, ceiling=ceiling, deadline=deadline,
                eci_admin=eci_admin,
            )  # fmt: skip
    raise AssertionError("unreachable")


async def _wait_node_ready(session: aiohttp.ClientSession, node: str) -> None:
    async def ready() -> bool | None:
        async with session.get(f"/api/v1/nodes/{node}") as response:
            if response.status != 200:
                return None
            conditions = ((await response.json()).get("status") or {}).get("conditions") or []
        return (
            any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions) or None
        )

    await poll(ready, what=f"node {node} to be Ready", within_seconds=60)


async def _agent_metrics(port: int) -> dict[str, float]:
    """The agent's Event counters from its kubelet API's `/metrics` (0 when absent)."""
    values = dict.fromkeys(EVENT_METRICS, 0.0)
    text = ""
    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                f"https://127.0.0.1:{port}/metrics", ssl=False, timeout=aiohttp.ClientTimeout(10)
            ) as response,
        ):
            text = await response.text()
    for line in text.splitlines():
        series, _, value = line.partition(" ")
        name = series.partition("{")[0]
        if name in values:
            values[name] += float(value)
    return values


async def _eci_calls(admin_url: str, token: str) -> dict[str, float]:
    """ECI API calls the simulator answered, by action (its admin metrics)."""
    calls: dict[str, float] = {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{admin_url}/metrics",
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(10),
        ) as response,
    ):
        text = await response.text()
    for line in text.splitlines():
        if line.startswith("eci_api_calls_total{"):
            labels, _, value = line.partition("} ")
            action = labels.split('action="', 1)[1].split('"', 1)[0]
            calls[action] = calls.get(action, 0.0) + float(value)
    return calls


async def _settled_event_metrics(port: int) -> dict[str, float]:
    """The agent's Event counters once its queue is empty (Events trail the statuses)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + EVENTS_SETTLE_SECONDS
    while True:
        values = await _agent_metrics(port)
        if values["vk_eci_events_pending"] == 0 or loop.time() >= deadline:
            return values
        await asyncio.sleep(0.2)


async def _measure_agent(
    options: ScaleOptions,
    *,
    session: aiohttp.ClientSession,
    watch: PodWatch,
    target: KubeTarget,
    place: _Place,
    pids: dict[str, int | None],
    kubelet_port: int,
    ceiling: CeilingRun,
    deadline: float,
    eci_admin: tuple[str, str],
) -> ScaleRun:
    agent_pid = pids["agent"]
    assert agent_pid is not None
    baseline = rss_bytes(agent_pid)
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items() if pid}
    load_before = os.getloadavg()[0]
    async with target.session(limit=1) as lease_session:
        lease = LeaseSampler(session=lease_session, node_name=place.node)
        sampler = asyncio.create_task(lease.run(period=0.25), name="vk-eci:bench-lease")
        try:
            started = time.monotonic()
            created: list[float] = []
            creation = asyncio.create_task(
                write_pods(
                    session, namespace=place.namespace, node_name=place.node, run=AGENT_RUN,
                    count=options.pods, patch_status=False, on_written=created.append,
                )
            )  # fmt: skip

            async def all_running() -> bool | None:
                if creation.done() and creation.exception() is not None:
                    raise creation.exception()  # type: ignore[misc]
                return watch.running(AGENT_RUN) >= options.pods or None

            await poll(
                all_running,
                what=f"{options.pods} Pods to be Running (saw {watch.running(AGENT_RUN)})",
                within_seconds=deadline,
            )
            await creation
            running_times = [
                t + watch.origin - started for t in watch.running_at[AGENT_RUN].values()
            ]
            running_seconds = max(running_times)
            cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items() if pid}
            peak = peak_rss_bytes(agent_pid)
            await lease.sample()
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
    statuses = await check_statuses(session, namespace=place.namespace, run=AGENT_RUN)
    agent_metrics = await _settled_event_metrics(kubelet_port)
    eci_calls = await _eci_calls(*eci_admin)
    event_objects, event_occurrences = await count_events(session, namespace=place.namespace)
    per_pod_ms = 1000 / options.pods
    cpu_ms = {name: round(seconds * per_pod_ms, 2) for name, seconds in cpu.items()}
    per_1000 = (peak - baseline) / MIB / (options.pods / 1000)
    running_seconds = round(running_seconds, 2)
    fraction = ceiling["seconds"] / running_seconds  # as reported: both rounded to 10 ms
    lease_report = lease.report(options.lease_renew_seconds)
    return {
        "pods": options.pods,
        "cluster": "embedded" if place.embedded else "kubeconfig",
        "ceiling": ceiling,
        "create_seconds": round(max(created) - started, 2),
        "running_seconds": round(running_seconds, 2),
        "ceiling_fraction": round(fraction, 4),
        "pods_per_second": round(options.pods / running_seconds, 1),
        "agent_rss_baseline_mb": round(baseline / MIB, 1),
        "agent_rss_peak_mb": round(peak / MIB, 1),
        "agent_rss_per_1000_pods_mb": round(per_1000, 2),
        "agent_cpu_seconds": round(cpu["agent"], 2),
        "simulator_cpu_seconds": round(cpu["simulator"], 2),
        "apiserver_cpu_seconds": round(cpu["apiserver"], 2) if "apiserver" in cpu else None,
        "cpu_ms_per_pod": {
            "agent": cpu_ms["agent"],
            "simulator": cpu_ms["simulator"],
            "apiserver": cpu_ms.get("apiserver"),
        },
        "events": {
            "objects": event_objects,
            "occurrences": event_occurrences,
            "dropped": int(agent_metrics["vk_eci_events_dropped_total"]),
            "written": int(agent_metrics["vk_eci_events_written_total"]),
            "aggregated": int(agent_metrics["vk_eci_events_aggregated_total"]),
        },
        "status_check": statuses,
        "eci_calls_per_pod": {
            action: round(count / options.pods, 3) for action, count in sorted(eci_calls.items())
        },
        "status_groups_shown_per_pod": round(
            agent_metrics["vk_eci_status_poll_groups_total"] / options.pods, 2
        ),
        "lease": lease_report,
        "timeline": timeline(running_times),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count() or 0,
        "target_met": {
            "ceiling_fraction": fraction >= TARGET_CEILING_FRACTION,
            "cpu": cpu_ms["agent"] + cpu_ms["simulator"] <= TARGET_CPU_MS_PER_POD,
            "rss": per_1000 <= TARGET_MIB_PER_1000,
            "lease": not lease_report["ever_late"],
            "status": statuses["pods_wrong"] == 0 and statuses["pods_checked"] == options.pods,
        },
    }
