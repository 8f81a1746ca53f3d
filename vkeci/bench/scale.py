"""Scale benchmark: how fast one agent brings N Pods to Running, and what it costs in memory.

The simulator (`vk-eci simulator`) runs with a zero-delay time model (every scheduling, pull
and start duration 0, bandwidths effectively unlimited), so what is measured is the agent
and the API calls around it, not the model. The agent runs as `vk-eci agent` in its own
process with its production defaults except a 2 s lease renewal (so even a short run sees
renewals) and a 0.5 s status poll. The embedded API server runs in this process: Pods are
created through its HTTP API, and the count of Running Pods and the Lease's renewTime are
read from its in-memory store (observation only, no extra HTTP load on it).

Reported: wall seconds from the first Pod created to the last Running, Pods per second, the
agent's resident memory before any Pod and its peak (VmHWM), CPU seconds of the agent and
the simulator, and the gaps between lease renewals (late = more than 1.5 renew intervals).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import aiohttp
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from localkube.server import LocalKube, LocalKubeSettings
from simulator.timemodel.settings import TimeModelSettings
from vkeci.bench.processes import (
    MIB,
    cpu_seconds,
    log_tail,
    parse_ready_line,
    peak_rss_bytes,
    rss_bytes,
    running_child,
)
from vkeci.bench.results import LeaseReport, ScaleRun
from vkeci.stack.errors import StackError, StackTimeout
from vkeci.stack.objects import pod_body

NAMESPACE: Final = "vk-eci-scale"
NODE_NAME: Final = "virtual-kubelet"
PODS_KEY: Final = ("", "pods")
LEASES_KEY: Final = ("coordination.k8s.io", "leases")
NODES_KEY: Final = ("", "nodes")
CREATE_CONCURRENCY: Final = 32
"""Pod creations in flight at once (a Deployment controller creates in batches too)."""
TARGET_WALL_SECONDS_PER_10K: Final = 30.0
TARGET_MIB_PER_1000: Final = 50.0
LATE_FACTOR: Final = 1.5


@dataclass(frozen=True, kw_only=True)
class ScaleOptions:
    pods: int
    agent_workers: int = 64
    lease_renew_seconds: float = 2.0
    status_poll_seconds: float = 0.5
    deadline_seconds: float | None = None
    """Give up after this many wall seconds (default: 60 s + 50 ms per Pod)."""


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


def _agent_config(options: ScaleOptions) -> dict[str, Any]:
    return {
        "node": {"name": NODE_NAME, "pods": str(max(20_000, options.pods * 2))},
        "lease": {"renew_interval_seconds": options.lease_renew_seconds},
        "pods": {
            "workers": options.agent_workers,
            "status_poll_interval_seconds": options.status_poll_seconds,
            "reconcile_interval_seconds": 60.0,
            "watch_timeout_seconds": 300,
        },
        "imagecache_controller": False,
    }


class _Observer:
    """Reads the API server's store: Running Pods, the node's Lease renewals."""

    def __init__(self, kube: LocalKube) -> None:
        self.kube = kube
        self.renewals: list[datetime] = []

    def running(self) -> int:
        return sum(
            1
            for pod in self.kube.store.items(PODS_KEY, NAMESPACE)
            if (pod.get("status") or {}).get("phase") == "Running"
        )

    def node_ready(self) -> bool:
        node = self.kube.store.get(NODES_KEY, ("", NODE_NAME))
        conditions = ((node or {}).get("status") or {}).get("conditions") or []
        return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)

    def sample_lease(self) -> None:
        lease = self.kube.store.get(LEASES_KEY, ("kube-node-lease", NODE_NAME))
        text = ((lease or {}).get("spec") or {}).get("renewTime")
        if not text:
            return
        renewed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        if not self.renewals or renewed != self.renewals[-1]:
            self.renewals.append(renewed)

    def lease_report(self, interval: float) -> LeaseReport:
        gaps = [
            (b - a).total_seconds() for a, b in zip(self.renewals, self.renewals[1:], strict=False)
        ]
        late = sum(1 for gap in gaps if gap > LATE_FACTOR * interval)
        return {
            "renew_interval_seconds": interval,
            "renewals_seen": len(gaps),
            "max_gap_seconds": round(max(gaps, default=0.0), 2),
            "late_renewals": late,
            "ever_late": late > 0,
        }


async def _wait(check: Any, *, what: str, within_seconds: float, poll: float = 0.1) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_seconds
    while not check():
        if loop.time() >= deadline:
            raise StackTimeout(f"timed out after {within_seconds:.0f} s waiting for {what}")
        await asyncio.sleep(poll)


async def _create_pods(url: str, count: int, on_created: Any) -> None:
    """POST `count` Pods with CREATE_CONCURRENCY requests in flight."""
    names = iter(range(count))
    path = f"{url}/api/v1/namespaces/{NAMESPACE}/pods"

    async def creator(session: aiohttp.ClientSession) -> None:
        for index in names:
            body = pod_body(
                name=f"scale-{index:05d}", images=["nginx"], node_name=NODE_NAME, app="vk-eci-scale"
            )
            async with session.post(path, json=body) as response:
                if response.status != 201:
                    raise StackError(
                        f"creating Pod scale-{index:05d}: {response.status} {await response.text()}"
                    )
            on_created()

    connector = aiohttp.TCPConnector(limit=CREATE_CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(creator(session) for _ in range(CREATE_CONCURRENCY)))


async def run_scale(options: ScaleOptions, *, console: Console) -> ScaleRun:
    """One run of `options.pods` Pods; returns the JSON-ready measurements."""
    deadline = options.deadline_seconds or 60.0 + 0.05 * options.pods
    with tempfile.TemporaryDirectory(prefix="vk-eci-scale-") as tmp:
        workdir = Path(tmp)
        (workdir / "zero-delay.json").write_text(json.dumps(zero_delay_time_model()))
        (workdir / "agent.json").write_text(json.dumps(_agent_config(options)))
        credentials = {
            "ECI_ACCESS_KEY_ID": "LTAIscale" + secrets.token_hex(6),
            "ECI_ACCESS_KEY_SECRET": secrets.token_urlsafe(24),
        }
        history = max(50_000, options.pods * 12)
        # The Pods name their node, so nothing here needs the stand-in scheduler and
        # controllers; off, their bookkeeping stays out of the server's measured CPU.
        settings = LocalKubeSettings(port=0, history_window=history, controllers=False)
        async with LocalKube(settings) as kube:
            kubeconfig = kube.write_kubeconfig(workdir / "kubeconfig")
            async with aiohttp.ClientSession() as session:
                await session.post(
                    f"{kube.url}/api/v1/namespaces", json={"metadata": {"name": NAMESPACE}}
                )
            simulator_args = [
                "simulator",
                "--listen", "127.0.0.1:0",
                "--database-url", f"sqlite+aiosqlite:///{workdir / 'eci-simulator.db'}",
                "--time-model", str(workdir / "zero-delay.json"),
                "--log-level", "warning",
                "--log-format", "json",
            ]  # fmt: skip
            async with running_child(
                "simulator", simulator_args, env=credentials, workdir=workdir,
                wait_for_stdout_line=True,
            ) as (simulator, line):  # fmt: skip
                endpoint = parse_ready_line("vk-eci simulator", line)["endpoint"]
                agent_args = [
                    "agent",
                    "--config", str(workdir / "agent.json"),
                    "--kubeconfig", str(kubeconfig),
                    "--node-name", NODE_NAME,
                    "--eci-endpoint", endpoint,
                    "--kubelet-port", "0",
                    "--state-dir", str(workdir / "agent-state"),
                    "--no-imagecache-controller",
                    "--log-level", "warning",
                    "--log-format", "json",
                ]  # fmt: skip
                async with running_child("agent", agent_args, env=credentials, workdir=workdir) as (
                    agent,
                    _,
                ):
                    return await _measure(
                        options, kube=kube, agent_pid=agent.pid, simulator_pid=simulator.pid,
                        agent_log=agent.log_path, deadline=deadline, console=console,
                    )  # fmt: skip
    raise AssertionError("unreachable")


async def _measure(
    options: ScaleOptions,
    *,
    kube: LocalKube,
    agent_pid: int,
    simulator_pid: int,
    agent_log: Path,
    deadline: float,
    console: Console,
) -> ScaleRun:
    observer = _Observer(kube)
    try:
        await _wait(observer.node_ready, what="the agent's node to be Ready", within_seconds=60)
    except StackTimeout as exc:
        raise StackError(f"{exc}; agent log ends with:\n{log_tail(agent_log)}") from exc
    baseline = rss_bytes(agent_pid)
    agent_cpu_before = cpu_seconds(agent_pid)
    own_cpu_before = time.process_time()
    load_before = os.getloadavg()[0]
    simulator_cpu_before = cpu_seconds(simulator_pid)

    stop_sampling = asyncio.Event()

    async def sample_lease() -> None:
        while not stop_sampling.is_set():
            observer.sample_lease()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_sampling.wait(), timeout=0.1)

    sampler = asyncio.create_task(sample_lease())
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    )
    try:
        with progress:
            created_task = progress.add_task(f"{options.pods} Pods created", total=options.pods)
            running_task = progress.add_task(f"{options.pods} Pods Running", total=options.pods)
            started = time.monotonic()
            creation = asyncio.create_task(
                _create_pods(kube.url, options.pods, lambda: progress.advance(created_task))
            )

            def all_running() -> bool:
                count = observer.running()
                progress.update(running_task, completed=count)
                if creation.done() and creation.exception() is not None:
                    raise creation.exception()  # type: ignore[misc]
                return count >= options.pods

            await _wait(
                all_running,
                what=f"{options.pods} Pods to be Running (saw {observer.running()})",
                within_seconds=deadline,
                poll=0.2,
            )
            running_seconds = time.monotonic() - started
            await creation
            create_seconds = _creation_seconds(kube)
    finally:
        stop_sampling.set()
        await sampler
    peak = peak_rss_bytes(agent_pid)
    agent_cpu = cpu_seconds(agent_pid) - agent_cpu_before
    simulator_cpu = cpu_seconds(simulator_pid) - simulator_cpu_before
    own_cpu = time.process_time() - own_cpu_before
    per_pod_ms = 1000 / options.pods
    per_1000 = (peak - baseline) / MIB / (options.pods / 1000)
    pods_per_second = options.pods / running_seconds
    return {
        "pods": options.pods,
        "create_seconds": round(create_seconds, 2),
        "running_seconds": round(running_seconds, 2),
        "pods_per_second": round(pods_per_second, 1),
        "agent_rss_baseline_mb": round(baseline / MIB, 1),
        "agent_rss_peak_mb": round(peak / MIB, 1),
        "agent_rss_per_1000_pods_mb": round(per_1000, 2),
        "agent_cpu_seconds": round(agent_cpu, 1),
        "simulator_cpu_seconds": round(simulator_cpu, 1),
        "apiserver_cpu_seconds": round(own_cpu, 1),
        "cpu_ms_per_pod": {
            "agent": round(agent_cpu * per_pod_ms, 2),
            "simulator": round(simulator_cpu * per_pod_ms, 2),
            "apiserver": round(own_cpu * per_pod_ms, 2),
        },
        "lease": observer.lease_report(options.lease_renew_seconds),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count() or 0,
        "target_met": {
            "throughput": pods_per_second >= 10_000 / TARGET_WALL_SECONDS_PER_10K,
            "rss": per_1000 <= TARGET_MIB_PER_1000,
            "lease": not observer.lease_report(options.lease_renew_seconds)["ever_late"],
        },
    }


def _creation_seconds(kube: LocalKube) -> float:
    """Seconds between the first and the last Pod's creationTimestamp (1 s resolution)."""
    stamps = [
        datetime.fromisoformat(str(pod["metadata"]["creationTimestamp"]).replace("Z", "+00:00"))
        for pod in kube.store.items(PODS_KEY, NAMESPACE)
    ]
    return (max(stamps) - min(stamps)).total_seconds() if stamps else 0.0
