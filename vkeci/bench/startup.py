"""Start-up benchmark: cached vs uncached Pods, driven through the whole running stack.

Every scenario creates real Pods in the (embedded) API server; the agent turns them into
container groups in the simulator through the official SDK, and the numbers are the
simulated seconds the agent recorded on each Pod (`vk-eci.io/phase-seconds`). Caches are
ImageCache resources built by the agent's ImageCache controller. Scenarios:

* single: one `flink:seed` Pod uncached, with an explicit cache and with automatic matching;
* burst: N replicas at once, uncached (they share the modelled registry bandwidth), then N
  from the cache;
* partial: a three-image Pod whose only matching cache holds one of its images (automatic
  matching pulls the other two), against uncached and a cache holding all three;
* size: uncached vs explicit cache for images from 62 MB (nginx) to 3.9 GB (pytorch).

Scenarios run one after another so their pulls never share bandwidth unless that is the point.
Beside the seconds, each scenario reports what ECI billed its Pods' container groups, and
each cached one what its cache cost and when it pays for itself (`vkeci.stack.costs`: the
simulator's figures, read through the SDK).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from vkeci.bench.results import ScenarioResult, StartupResults, scenario_result, with_economics
from vkeci.stack.cluster import ClusterOps
from vkeci.stack.costs import cache_costs, pod_costs
from vkeci.stack.embedded import Stack, StackSettings, running_stack
from vkeci.stack.objects import CacheUse, imagecache_body, pod_body
from vkeci.stack.timings import PodTiming

SEED_IMAGE: Final = "flink:seed"
PARTIAL_IMAGES: Final = ("flink:seed", "nginx:1.31.3", "python:3.14.7")
SIZE_IMAGES: Final = (
    "nginx:1.31.3",
    "python:3.14.7",
    "flink:seed",
    "flink:2.3.0",
    "pytorch/pytorch:latest",
)
NAMESPACE: Final = "vk-eci-bench"
APP: Final = "vk-eci-bench"
CREATE_CONCURRENCY: Final = 32
"""Pod creations in flight at once."""
SIMULATED_BOUND_SECONDS: Final = 3600.0
"""Generous bound on one step in simulated seconds (the pytorch cache takes about 10 min)."""
SLACK_SECONDS: Final = 120.0
"""Real seconds added to every deadline for the parts' own work."""


@dataclass(frozen=True, kw_only=True)
class StartupOptions:
    time_scale: float
    replicas: int
    pod_run_minutes: float = 0.0
    """How long each Pod is assumed to run after start-up, for the cache disk's cost."""


class _Run:
    """One benchmark run: the stack, its cluster operations and the progress display."""

    def __init__(
        self, *, stack: Stack, options: StartupOptions, progress: Progress, console: Console
    ) -> None:
        self.stack = stack
        self.options = options
        self.ops = ClusterOps(api=stack.api, app=APP)
        self.progress = progress
        self.console = console
        self.caches: dict[tuple[str, ...], str] = {}
        self.scenarios: list[ScenarioResult] = []
        self.counter = 0

    @property
    def deadline(self) -> float:
        return SIMULATED_BOUND_SECONDS * self.options.time_scale + SLACK_SECONDS

    def megabytes(self, images: Sequence[str]) -> float:
        catalog = self.stack.simulator.service.catalog
        return sum(catalog.resolve(image).compressed_bytes for image in images) / 1e6

    async def build_caches(self, image_sets: Sequence[Sequence[str]]) -> None:
        """Create one ImageCache per image set at once; wait until all are Ready."""
        names = {}
        for images in image_sets:
            self.counter += 1
            name = f"bench-cache-{self.counter}"
            names[tuple(images)] = name
            await self.ops.create_imagecache(imagecache_body(name=name, images=images, app=APP))
        task = self.progress.add_task(f"building {len(names)} image cache(s)", total=len(names))
        for images, name in names.items():
            self.caches[images] = await self.ops.wait_imagecache_ready(
                name, within_seconds=self.deadline
            )
            self.progress.advance(task)
        self.progress.remove_task(task)

    async def run_pods(
        self, *, label: str, images: Sequence[str], use: CacheUse, count: int, cache_id: str | None
    ) -> list[PodTiming]:
        """Create `count` Pods at once and wait for the phases of every one."""
        self.counter += 1
        prefix = f"b{self.counter}-{label}"
        names = [f"{prefix}-{index}" for index in range(count)]
        limit = asyncio.Semaphore(CREATE_CONCURRENCY)

        async def create(name: str) -> None:
            body = pod_body(
                name=name,
                images=images,
                node_name=self.stack.agent.settings.node.name,
                app=APP,
                cache_use=use,
                cache_id=cache_id,
            )
            body["metadata"]["labels"]["vk-eci.io/scenario"] = prefix
            async with limit:
                await self.ops.create_pod(NAMESPACE, body)

        # All at once, as a Deployment's ReplicaSet would: on a fast clock, creating them one
        # by one would spread the "burst" over many simulated seconds.
        await asyncio.gather(*(create(name) for name in names))
        task = self.progress.add_task(f"{label}: {count} Pod(s)", total=count)
        timings = await self.ops.wait_timings(
            NAMESPACE,
            names,
            within_seconds=self.deadline,
            label_selector=f"vk-eci.io/scenario={prefix}",
            on_progress=lambda done: self.progress.update(task, completed=done),
        )
        self.progress.remove_task(task)
        return [timings[name] for name in names]

    async def scenario(
        self,
        *,
        name: str,
        group: str,
        images: Sequence[str],
        use: CacheUse,
        cache: str,
        count: int = 1,
        cache_images: Sequence[str] | None = None,
    ) -> None:
        cache_id = self.caches[tuple(cache_images)] if cache_images else None
        timings = await self.run_pods(
            label=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40],
            images=images,
            use=use,
            count=count,
            cache_id=cache_id,
        )
        costs = await pod_costs(self.stack.eci, [t.container_group_id for t in timings])
        self.scenarios.append(
            scenario_result(
                name=name,
                group=group,
                images=images,
                image_megabytes=self.megabytes(images),
                cache=cache,
                timings=timings,
                costs=costs,
            )
        )

    async def compared(self) -> list[ScenarioResult]:
        """Every scenario, the cached ones with what their cache cost and saved."""
        used = [p["image_cache_id"] for s in self.scenarios for p in s["pods"]]
        caches = await cache_costs(self.stack.eci, [c for c in used if c])
        return with_economics(
            self.scenarios, caches=caches, run_minutes=self.options.pod_run_minutes
        )


async def run_startup(
    options: StartupOptions,
    *,
    settings: StackSettings,
    console: Console,
    on_scenario: Callable[[ScenarioResult], None] | None = None,
) -> StartupResults:
    """Every scenario, in order; returns the JSON-ready results."""
    started = time.monotonic()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    )
    async with running_stack(settings) as stack:
        await ClusterOps(api=stack.api, app=APP).ensure_namespace(NAMESPACE)
        with progress:
            run = _Run(stack=stack, options=options, progress=progress, console=console)
            overall = progress.add_task("start-up scenario groups", total=4)
            await _single(run)
            progress.advance(overall)
            await _burst(run)
            progress.advance(overall)
            await _partial(run)
            progress.advance(overall)
            await _sizes(run)
            progress.advance(overall)
        scenarios = await run.compared()
        if on_scenario is not None:
            for scenario in scenarios:
                on_scenario(scenario)
    return {
        "benchmark": "startup",
        "time_scale": options.time_scale,
        "replicas": options.replicas,
        "pod_run_minutes": options.pod_run_minutes,
        "wall_seconds": round(time.monotonic() - started, 1),
        "scenarios": scenarios,
    }


async def _single(run: _Run) -> None:
    seed = (SEED_IMAGE,)
    await run.build_caches([seed])
    await run.scenario(
        name="single/uncached", group="single", images=seed, use=CacheUse.NONE, cache="uncached"
    )
    await run.scenario(
        name="single/explicit",
        group="single",
        images=seed,
        use=CacheUse.EXPLICIT,
        cache="explicit",
        cache_images=seed,
    )
    await run.scenario(
        name="single/automatic",
        group="single",
        images=seed,
        use=CacheUse.AUTOMATIC,
        cache="automatic",
    )


async def _burst(run: _Run) -> None:
    seed = (SEED_IMAGE,)
    count = run.options.replicas
    await run.scenario(
        name=f"burst/{count}x uncached",
        group="burst",
        images=seed,
        use=CacheUse.NONE,
        cache="uncached",
        count=count,
    )
    await run.scenario(
        name=f"burst/{count}x explicit",
        group="burst",
        images=seed,
        use=CacheUse.EXPLICIT,
        cache="explicit",
        count=count,
        cache_images=seed,
    )


async def _partial(run: _Run) -> None:
    images = PARTIAL_IMAGES
    await run.scenario(
        name="partial/uncached", group="partial", images=images, use=CacheUse.NONE, cache="uncached"
    )
    # Only the flink:seed cache exists yet: automatic matching finds one of three images.
    await run.scenario(
        name="partial/1 of 3 cached",
        group="partial",
        images=images,
        use=CacheUse.AUTOMATIC,
        cache="partial",
    )
    await run.build_caches([images])
    await run.scenario(
        name="partial/3 of 3 cached",
        group="partial",
        images=images,
        use=CacheUse.EXPLICIT,
        cache="explicit",
        cache_images=images,
    )


async def _sizes(run: _Run) -> None:
    missing = [(image,) for image in SIZE_IMAGES if (image,) not in run.caches]
    await run.build_caches(missing)
    for image in SIZE_IMAGES:
        await run.scenario(
            name=f"size/{image} uncached",
            group="size",
            images=(image,),
            use=CacheUse.NONE,
            cache="uncached",
        )
        await run.scenario(
            name=f"size/{image} explicit",
            group="size",
            images=(image,),
            use=CacheUse.EXPLICIT,
            cache="explicit",
            cache_images=(image,),
        )
