"""Benchmark of the ECI simulator through the official SDK; prints JSON (and a table on stderr).

Two halves:

* image preparation of the seed's `flink:seed` (386.26 MB) as ECI would do it
  uncached, with an explicit image cache (`ImageSnapshotId`) and with
  automatic matching (`AutoMatchImageCache`), in *simulated* seconds read
  from the container group's recorded phases (events);
* the agent's call mix (`--mix PODS`, `simulator_callmix.py`): CPU per call of each
  per-Pod call against DescribeRegions measured in the same run, zero-delay time model;
* signed-call throughput: N calls of one action over several client
  processes, each running a few concurrent SDK clients; reported as calls per
  wall second and calls per CPU second of the simulator process (the "one
  core" figure: the simulator runs in its own process, a single event loop).

The simulator runs as `vk-eci simulator` in a subprocess with a SQLite file
in a temporary directory and throw-away credentials (`vkeci.bench.processes`).

    .venv/bin/python benchmarks/simulator_bench.py [--calls 4000] [--processes 2]
    .venv/bin/python benchmarks/simulator_bench.py --mix 2000   # the agent's call mix only
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_openapi_util.client import Client as OpenApiUtilClient
from alibabacloud_tea_openapi.models import OpenApiRequest, Params
from alibabacloud_tea_util.models import RuntimeOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator_callmix import measure_call_mix

from vkeci.bench.processes import SimulatorTarget, cpu_seconds, running_simulator
from vkeci.bench.scale import zero_delay_time_model

# --- throughput ---------------------------------------------------------------------------


async def _call_loop(target: SimulatorTarget, *, action: str, calls: int, concurrency: int) -> int:
    client = target.client()
    remaining = calls
    errors = 0

    async def one_client() -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            try:
                if action == "DescribeRegions":
                    await client.describe_regions_async(
                        eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
                    )
                else:
                    await client.describe_container_group_status_async(
                        eci_models.DescribeContainerGroupStatusRequest(region_id="cn-hangzhou")
                    )
            except Exception:
                errors += 1

    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return errors


def _worker(target: SimulatorTarget, action: str, calls: int, concurrency: int) -> int:
    return asyncio.run(_call_loop(target, action=action, calls=calls, concurrency=concurrency))


async def measure_throughput(
    target: SimulatorTarget, *, action: str, calls: int, processes: int, concurrency: int
) -> dict[str, Any]:
    await _call_loop(target, action=action, calls=50, concurrency=4)  # warm-up
    loop = asyncio.get_running_loop()
    per_process = calls // processes
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        # Start the workers (imports) before the clock starts.
        await asyncio.gather(
            *(loop.run_in_executor(pool, _worker, target, action, 1, 1) for _ in range(processes))
        )
        cpu_before = cpu_seconds(target.pid)
        started = time.perf_counter()
        errors = await asyncio.gather(
            *(
                loop.run_in_executor(pool, _worker, target, action, per_process, concurrency)
                for _ in range(processes)
            )
        )
        wall = time.perf_counter() - started
        server_cpu = cpu_seconds(target.pid) - cpu_before
    total = per_process * processes
    return {
        "action": action,
        "calls": total,
        "errors": sum(errors),
        "client_processes": processes,
        "concurrency_per_process": concurrency,
        "wall_seconds": round(wall, 3),
        "calls_per_second": round(total / wall, 1),
        "server_cpu_seconds": round(server_cpu, 3),
        "calls_per_server_cpu_second": round(total / server_cpu, 1) if server_cpu else None,
    }


# --- image preparation ----------------------------------------------------------------------

SEED_IMAGE = "flink:seed"
POLL_INTERVAL_SECONDS = 0.02


def _rpc_params(action: str) -> Params:
    return Params(
        action=action,
        version="2018-08-08",
        protocol="HTTP",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )


async def _raw_call(client: Client, action: str, query: dict[str, Any]) -> dict[str, Any]:
    """A signed call through the SDK that keeps the raw JSON (simulator-only fields included)."""
    response = await client.call_api_async(
        _rpc_params(action),
        OpenApiRequest(query=OpenApiUtilClient.query(query)),
        RuntimeOptions(),
    )
    body: dict[str, Any] = response["body"]
    return body


async def _wait_for(
    client: Client,
    *,
    action: str,
    query: dict[str, Any],
    items: str,
    done: set[str],
) -> dict[str, Any]:
    """Poll until the first item's Status is in `done` (the caller bounds the wait)."""
    while True:
        body = await _raw_call(client, action, query)
        found = body.get(items) or []
        if found and found[0].get("Status") in done:
            return dict(found[0])
        await asyncio.sleep(POLL_INTERVAL_SECONDS)


async def _run_group(client: Client, *, name: str, extra: dict[str, Any]) -> dict[str, Any]:
    request = eci_models.CreateContainerGroupRequest(
        region_id="cn-hangzhou",
        container_group_name=name,
        cpu=2.0,
        memory=4.0,
        restart_policy="Never",
        container=[eci_models.CreateContainerGroupRequestContainer(name="flink", image=SEED_IMAGE)],
        **extra,
    )
    created = await client.create_container_group_async(request)
    group_id = created.body.container_group_id
    group = await _wait_for(
        client,
        action="DescribeContainerGroups",
        query={"RegionId": "cn-hangzhou", "ContainerGroupIds": json.dumps([group_id])},
        items="ContainerGroups",
        done={"Running", "Failed", "ScheduleFailed"},
    )
    phases = dict(group.get("SimulatedPhases") or {})
    return {
        "container_group_id": group_id,
        "status": group["Status"],
        "image_preparation_seconds": phases.get("ImagePreparationSeconds"),
        "scheduling_seconds": phases.get("SchedulingSeconds"),
        "container_start_seconds": phases.get("ContainerStartSeconds"),
        "image_preparation": phases.get("ImagePreparation"),
        "image_cache_id": phases.get("ImageCacheId"),
        "image_cache_match": phases.get("ImageCacheMatch"),
    }


async def measure_image_preparation(target: SimulatorTarget) -> dict[str, Any]:
    client = target.client()
    uncached = await _run_group(client, name="flink-uncached", extra={})
    cache = await client.create_image_cache_async(
        eci_models.CreateImageCacheRequest(
            region_id="cn-hangzhou", image_cache_name="flink-seed", image=[SEED_IMAGE]
        )
    )
    cache_id = cache.body.image_cache_id
    ready = await _wait_for(
        client,
        action="DescribeImageCaches",
        query={"RegionId": "cn-hangzhou", "ImageCacheId": cache_id},
        items="ImageCaches",
        done={"Ready", "Failed"},
    )
    explicit = await _run_group(
        client, name="flink-explicit", extra={"image_snapshot_id": cache_id}
    )
    automatic = await _run_group(client, name="flink-auto", extra={"auto_match_image_cache": True})
    return {
        "image": SEED_IMAGE,
        "unit": "simulated seconds",
        "image_cache": {"id": cache_id, "status": ready["Status"]},
        "uncached": uncached,
        "explicit_cache": explicit,
        "automatic_match": automatic,
    }


# --- main -----------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    if args.mix:
        with tempfile.TemporaryDirectory(prefix="eci-bench-") as tmp:
            model = Path(tmp) / "zero-delay.json"
            model.write_text(json.dumps(zero_delay_time_model()))
            async with running_simulator(
                Path(tmp), extra_args=("--time-model", str(model))
            ) as target:
                results["call_mix"] = await measure_call_mix(
                    target, pods=args.mix, concurrency=args.mix_concurrency
                )
        return results
    with tempfile.TemporaryDirectory(prefix="eci-bench-") as tmp:
        async with running_simulator(
            Path(tmp), extra_args=("--time-scale", str(args.time_scale))
        ) as target:
            if not args.skip_images:
                async with asyncio.timeout(args.timeout):
                    results["image_preparation"] = await measure_image_preparation(target)
            results["throughput"] = await measure_throughput(
                target,
                action=args.action,
                calls=args.calls,
                processes=args.processes,
                concurrency=args.concurrency,
            )
    return results


def draw_phases(results: dict[str, Any], path: Path) -> None:
    """Stacked bars of scheduling, image preparation and container start per case (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    images = results["image_preparation"]
    cases = ("uncached", "explicit_cache", "automatic_match")
    phases = (
        ("scheduling_seconds", "scheduling"),
        ("image_preparation_seconds", "image preparation"),
        ("container_start_seconds", "container start"),
    )
    figure, axes = pyplot.subplots(figsize=(7, 3.5))
    left = [0.0] * len(cases)
    for key, label in phases:
        widths = [float(images[case][key] or 0.0) for case in cases]
        axes.barh(cases, widths, left=left, label=label)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_xlabel("simulated seconds")
    axes.set_title(f"{images['image']}: start-up phases (ECI simulator)")
    axes.legend(loc="upper right")
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)


def print_table(results: dict[str, Any]) -> None:
    images = results.get("image_preparation")
    if images:
        print(f"{images['image']} image preparation (simulated seconds):", file=sys.stderr)
        for label in ("uncached", "explicit_cache", "automatic_match"):
            run = images[label]
            print(
                f"  {label:<16} {run['image_preparation_seconds']!s:>8}"
                f"  ({run['image_preparation']}, {run['status']})",
                file=sys.stderr,
            )
    throughput = results.get("throughput")
    if throughput:
        print(
            f"signed {throughput['action']} calls: {throughput['calls']} in"
            f" {throughput['wall_seconds']} s = {throughput['calls_per_second']} calls/s wall,"
            f" {throughput['calls_per_server_cpu_second']} calls per simulator CPU second"
            f" ({throughput['errors']} errors)",
            file=sys.stderr,
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent calls per process")
    parser.add_argument(
        "--action",
        choices=("DescribeRegions", "DescribeContainerGroupStatus"),
        default="DescribeRegions",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=0.01,
        help="real seconds per simulated second for the simulator (default %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="real seconds for the image half",
    )
    parser.add_argument(
        "--mix", type=int, metavar="PODS", help="run only the agent's call mix for PODS groups"
    )
    parser.add_argument(
        "--mix-concurrency", type=int, default=16, help="calls in flight in the mix"
    )
    parser.add_argument("--skip-images", action="store_true", help="throughput only")
    parser.add_argument(
        "--chart", type=Path, metavar="PNG", help="draw the per-phase bars of the image half"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    outcome = asyncio.run(main(arguments))
    print(json.dumps(outcome, indent=2))
    print_table(outcome)
    if arguments.chart is not None and "image_preparation" in outcome:
        draw_phases(outcome, arguments.chart)
