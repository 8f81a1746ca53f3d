"""The demo's story: build a flink cache, start three Pods, show what the cache saved.

1. an ImageCache for `flink:seed` (the product document's 386.26 MB flink), with a live
   progress bar fed by the resource's `status.progress` until it is Ready;
2. three Pods of that image: uncached (`k8s.aliyun.com/eci-image-cache: "false"`, since
   automatic matching is ECI's default), with the explicit annotation
   `k8s.aliyun.com/eci-image-snapshot-id: imc-...`, and with automatic matching
   `k8s.aliyun.com/eci-image-cache: "true"`;
3. a table of the simulated seconds ECI recorded for each (expected: about 50 s of image
   preparation uncached, about 5 s from the cache), a table of what ECI billed each, and
   what the cache cost against what it saves: the break-even number of Pods a day;
4. a Deployment `web` (nginx, one replica, placed on the virtual node by the cluster's
   scheduler) in the `default` namespace, for the reader to `kubectl scale`.

On a real cluster (`--kubeconfig`) the demo's Deployment, Pods and cache are deleted at the
end, while the agent still runs (the cache's finalizer needs it). The embedded API server
disappears with the process, so nothing is cleaned there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from vkeci.demo.report import (
    DemoRow,
    cost_table,
    economics_line,
    kubectl_hints,
    speedup_line,
    timings_table,
)
from vkeci.stack.cluster import ClusterOps
from vkeci.stack.costs import CacheEconomics, cache_costs, cache_economics, pod_costs
from vkeci.stack.embedded import Stack, StackSettings, running_stack
from vkeci.stack.objects import CacheUse, deployment_body, imagecache_body, pod_body

DEMO_IMAGE: Final = "flink:seed"
DEMO_NAMESPACE: Final = "vk-eci-demo"
DEMO_CACHE: Final = "flink-seed-demo"
DEMO_APP: Final = "vk-eci-demo"
DEMO_DEPLOYMENT: Final = "web"
"""A Deployment in the `default` namespace for the reader to scale (`kubectl scale`)."""
DEMO_DEPLOYMENT_NAMESPACE: Final = "default"
DEMO_DEPLOYMENT_IMAGE: Final = "nginx:1.7.9"
CACHE_BUILD_SIMULATED_SECONDS: Final = 600.0
"""Generous bound on the cache build (about 100 simulated seconds by default)."""
POD_START_SIMULATED_SECONDS: Final = 300.0
"""Generous bound on one Pod's start-up (about 55 simulated seconds uncached)."""
SLACK_SECONDS: Final = 60.0
"""Real seconds added to every deadline for the parts' own work."""


@dataclass(frozen=True, kw_only=True)
class DemoOptions:
    time_scale: float
    kubeconfig: Path | None
    keep_running: bool
    workdir: Path | None
    json_path: Path | None


def _deadline(options: DemoOptions, simulated_seconds: float) -> float:
    return simulated_seconds * options.time_scale + SLACK_SECONDS


async def run_demo(options: DemoOptions, console: Console) -> None:
    """Tell the whole story; raises StackError (with a message for the user) on failure."""
    with contextlib.ExitStack() as cleanup:
        workdir = options.workdir
        if workdir is None:
            workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="vk-eci-")))
        settings = StackSettings(
            workdir=workdir, time_scale=options.time_scale, kubeconfig=options.kubeconfig
        )
        _print_intro(console, options)
        async with running_stack(settings) as stack:
            _print_parts(console, stack)
            ops = ClusterOps(api=stack.api, app=DEMO_APP)
            created_namespace = await ops.ensure_namespace(DEMO_NAMESPACE)
            try:
                rows = await _story(console, options, stack, ops)
                economics = await _economics(stack, rows)
                await ops.create_deployment(
                    DEMO_DEPLOYMENT_NAMESPACE,
                    deployment_body(
                        name=DEMO_DEPLOYMENT, image=DEMO_DEPLOYMENT_IMAGE, app=DEMO_APP
                    ),
                )
                _print_results(console, rows, economics, stack, options)
                if options.keep_running:
                    await _wait_for_interrupt(console)
            finally:
                if options.kubeconfig is not None:
                    await _clean_up(console, ops, created_namespace=created_namespace)


def _print_intro(console: Console, options: DemoOptions) -> None:
    speed = (
        "real time"
        if options.time_scale == 1
        else f"{1 / options.time_scale:g}x faster than real time"
    )
    console.print(
        f"[bold]vk-eci demo[/bold]: time scale {options.time_scale:g}"
        f" (1 simulated second = {options.time_scale:g} real seconds, {speed})"
    )


def _print_parts(console: Console, stack: Stack) -> None:
    where = "embedded" if stack.embedded is not None else f"cluster of {stack.kubeconfig}"
    console.print(f"  API server     {stack.api_server_url} ({where})")
    console.print(f"  ECI simulator  http://{stack.simulator.endpoint} (SQLite, scaled clock)")
    console.print(f"  node agent     node {stack.agent.settings.node.name} registered")
    kubelet = stack.agent.kubelet
    if kubelet is not None:
        auth = (
            "client certificates and TokenReview/SubjectAccessReview; the API server presents "
            "its kubelet client certificate"
            if stack.agent.settings.kubelet.authentication
            else "anonymous access (authentication off)"
        )
        host = stack.agent.settings.kubelet.host
        console.print(f"  kubelet API    https://{host}:{kubelet.port} ({auth})")


async def _story(
    console: Console, options: DemoOptions, stack: Stack, ops: ClusterOps
) -> list[DemoRow]:
    console.print(
        f"\n[bold]1.[/bold] ImageCache {DEMO_CACHE}: {DEMO_IMAGE}"
        " (the product document's 386.26 MB flink)"
    )
    await ops.create_imagecache(imagecache_body(name=DEMO_CACHE, images=[DEMO_IMAGE], app=DEMO_APP))
    progress = Progress(
        TextColumn("  {task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[phase]}"),
        TimeElapsedColumn(),
        console=console,
    )
    with progress:
        task = progress.add_task(f"building {DEMO_CACHE}", total=100, phase="Pending")

        def show(status: dict[str, Any]) -> None:
            percent = str(status.get("progress") or "0%").rstrip("%")
            completed = float(percent) if percent.replace(".", "", 1).isdigit() else 0.0
            progress.update(task, completed=completed, phase=status.get("phase") or "Pending")

        cache_id = await ops.wait_imagecache_ready(
            DEMO_CACHE,
            within_seconds=_deadline(options, CACHE_BUILD_SIMULATED_SECONDS),
            on_progress=show,
        )
        progress.update(task, completed=100, phase="Ready")
    console.print(f"  Ready: cache id [bold]{cache_id}[/bold]")

    pods = [
        ("flink-uncached", CacheUse.NONE, "no cache"),
        ("flink-explicit-cache", CacheUse.EXPLICIT, "explicit"),
        ("flink-auto-cache", CacheUse.AUTOMATIC, "automatic"),
    ]
    console.print(f"\n[bold]2.[/bold] Three Pods of {DEMO_IMAGE} in namespace {DEMO_NAMESPACE}:")
    console.print(
        f'  flink-uncached        k8s.aliyun.com/eci-image-cache: "false" (ECI pulls)\n'
        f"  flink-explicit-cache  k8s.aliyun.com/eci-image-snapshot-id: {cache_id}\n"
        f'  flink-auto-cache      k8s.aliyun.com/eci-image-cache: "true"'
    )
    for name, use, _ in pods:
        body = pod_body(
            name=name,
            images=[DEMO_IMAGE],
            node_name=stack.agent.settings.node.name,
            app=DEMO_APP,
            cache_use=use,
            cache_id=cache_id,
        )
        await ops.create_pod(DEMO_NAMESPACE, body)
    with Progress(
        TextColumn("  {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} started"),
        TimeElapsedColumn(),
        console=console,
    ) as started:
        task = started.add_task("starting Pods", total=len(pods))
        timings = await ops.wait_timings(
            DEMO_NAMESPACE,
            [name for name, _, _ in pods],
            within_seconds=_deadline(options, POD_START_SIMULATED_SECONDS),
            on_progress=lambda count: started.update(task, completed=count),
        )
    costs = await pod_costs(stack.eci, [timings[name].container_group_id for name, _, _ in pods])
    return [
        DemoRow(
            label=label,
            timing=timings[name],
            cost=costs.get(timings[name].container_group_id),
        )
        for name, _, label in pods
    ]


async def _economics(stack: Stack, rows: list[DemoRow]) -> CacheEconomics | None:
    """The explicit Pod against the uncached one, with the cache's own cost."""
    uncached, explicit = rows[0], rows[1]
    cache_id = explicit.timing.image_cache_id
    if uncached.cost is None or explicit.cost is None or cache_id is None:
        return None
    caches = await cache_costs(stack.eci, [cache_id])
    if cache_id not in caches:
        return None
    return cache_economics(
        uncached_seconds=uncached.timing.total_seconds,
        cached_seconds=explicit.timing.total_seconds,
        uncached=uncached.cost,
        cached=explicit.cost,
        cache=caches[cache_id],
        run_minutes=0.0,
    )


def _print_results(
    console: Console,
    rows: list[DemoRow],
    economics: CacheEconomics | None,
    stack: Stack,
    options: DemoOptions,
) -> None:
    console.print("\n[bold]3.[/bold] What the cache saved:")
    console.print(timings_table(rows))
    line = speedup_line(rows)
    if line:
        console.print(line)
    console.print(cost_table(rows))
    if economics is not None:
        console.print(economics_line(economics), highlight=False)
    if options.json_path is not None:
        options.json_path.parent.mkdir(parents=True, exist_ok=True)
        options.json_path.write_text(
            json.dumps(
                {
                    "time_scale": options.time_scale,
                    "pods": [
                        {"cache_use": row.label, **row.timing.as_json(), "cost": row.cost}
                        for row in rows
                    ],
                    "economics": economics,
                },
                indent=2,
            )
            + "\n"
        )
    console.print()
    console.print(
        kubectl_hints(
            kubeconfig=stack.kubeconfig,
            namespace=DEMO_NAMESPACE,
            pod=rows[0].timing.pod,
            deployment=DEMO_DEPLOYMENT,
            embedded=stack.embedded is not None,
        ),
        highlight=False,
        markup=False,
    )


async def _wait_for_interrupt(console: Console) -> None:
    console.print("\nStill running for kubectl; stop with Ctrl-C.")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    console.print("Stopping.")


async def _clean_up(console: Console, ops: ClusterOps, *, created_namespace: bool) -> None:
    console.print("Cleaning up the demo's Pods and ImageCache ...")
    await ops.delete_deployment(DEMO_DEPLOYMENT_NAMESPACE, DEMO_DEPLOYMENT)
    await ops.delete_pods(DEMO_NAMESPACE)
    await ops.delete_imagecache(DEMO_CACHE)
    if created_namespace:
        await ops.delete_namespace(DEMO_NAMESPACE)
