"""The agent's own CPU per CreateContainerGroup call, against a running simulator.

`vk-eci bench scale` charges the agent's whole process per Pod; this isolates the part of
it a Pod's creation costs inside the agent: `build_create_request` (Pod -> SDK request) and
`EciClient.call("CreateContainerGroup", ...)` (the SDK's query building, signing, HTTP on a
pooled connection, the answer), run the way the pod workers run them (many at once on the
event loop, the calls on the client's SDK threads). The simulator runs in its own process
with the zero-delay time model, so its CPU is not counted; the figure is this process's CPU
(all threads) divided by the calls, with `DescribeRegions` measured in the same run as a
baseline (the cheapest signed call).

    .venv/bin/python benchmarks/agent_create_bench.py [--calls 3000] [--connections 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from alibabacloud_eci20180808 import models as eci_models

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vkeci.bench.processes import running_simulator
from vkeci.bench.scale import zero_delay_time_model
from vkeci.bench.writing import scale_pod
from vkprovider.eci.client import EciClient
from vkprovider.pods.requests import build_create_request
from vkprovider.settings import EciSettings

NODE = "vk-eci-create-bench"


async def _many(calls: int, in_flight: int, one: Any) -> float:
    """CPU seconds of this process for `calls` runs of `one(index)`, `in_flight` at a time."""
    next_index = 0

    async def lane() -> None:
        nonlocal next_index
        while next_index < calls:
            index = next_index
            next_index += 1
            await one(index)

    started = time.process_time()
    await asyncio.gather(*(lane() for _ in range(in_flight)))
    return time.process_time() - started


async def measure(*, calls: int, in_flight: int, connections: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vk-eci-create-bench-") as tmp:
        workdir = Path(tmp)
        model = workdir / "zero-delay.json"
        model.write_text(json.dumps(zero_delay_time_model()))
        async with running_simulator(workdir, extra_args=["--time-model", str(model)]) as target:
            settings = EciSettings(
                endpoint=target.endpoint,
                region_id="cn-hangzhou",
                access_key_id=target.access_key_id,
                access_key_secret=target.access_key_secret,
                connections=connections,
            )
            client = EciClient(settings=settings)
            run = uuid.uuid4().hex[:8]
            try:
                regions = eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")

                async def baseline(_: int) -> None:
                    await client.call("DescribeRegions", regions)

                async def create(index: int) -> None:
                    pod = scale_pod(name=f"bench-{run}-{index}", node_name=NODE, run=run)
                    pod["metadata"]["namespace"] = "default"
                    pod["metadata"]["uid"] = str(uuid.uuid4())
                    plan = build_create_request(pod, settings=settings, node_name=NODE)
                    await client.call(
                        "CreateContainerGroup", plan.request, extra_query=plan.extra_query or None
                    )

                await _many(50, in_flight, baseline)  # warm up: connections, imports
                baseline_cpu = await _many(calls, in_flight, baseline)
                create_cpu = await _many(calls, in_flight, create)
            finally:
                client.close()
    return {
        "calls": calls,
        "in_flight": in_flight,
        "connections": settings.connections,
        "baseline_cpu_us_per_call": round(baseline_cpu / calls * 1e6, 1),
        "create_cpu_us_per_call": round(create_cpu / calls * 1e6, 1),
        "create_to_baseline": round(create_cpu / baseline_cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--connections", type=int, default=EciSettings.connections)
    args = parser.parse_args()
    result = asyncio.run(
        measure(calls=args.calls, in_flight=args.in_flight, connections=args.connections)
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
