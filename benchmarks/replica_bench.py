"""Snapshot replicas: a 2,000-instance burst from one image cache, with one copy and with two.

ECI advises `StandardCopyCount` / `FlashCopyCount` (one snapshot copy per 1,000 instances)
for batches of more than 1,000 instances from one cache. The simulator models the contention
a single copy has (`simulator.timemodel.model.disk_from_snapshot_seconds`: each copy serves
1,000 disk creations of a batch, the rest queue in waves); this script shows it end to end,
through the official SDK against `vk-eci simulator --virtual-clock`:

* `one-copy`: a `flink:seed` cache with the default single copy;
* `standard-2`: the same with `StandardCopyCount=2`;
* `flash-2`: a Flash cache with `FlashCopyCount=2`, used while its local snapshot is served.

Each burst creates all its container groups at one simulated instant (the clock moves only
when told), so they are one batch; the image preparation each one recorded
(`SimulatedPhases`, the simulator's own field) is read back and counted. Simulated seconds,
not wall-clock: they do not depend on the machine. Expected with the default model: one copy
gives 1,000 instances of 5.0 s and 1,000 of 6.5 s; two copies give 2,000 of 5.0 s.

    .venv/bin/python benchmarks/replica_bench.py [--instances 2000] [--out results/replicas.json]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_openapi_util.client import Client as OpenApiUtilClient
from alibabacloud_tea_openapi.models import OpenApiRequest, Params
from alibabacloud_tea_util.models import RuntimeOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vkeci.bench.processes import SimulatorTarget, running_simulator

REGION = "cn-hangzhou"
IMAGE = "flink:seed"
CREATE_CONCURRENCY = 32
"""SDK calls in flight at once (the burst's instant is frozen, so this only sets wall time)."""
BATCH_GAP_SECONDS = 120.0
"""Simulated seconds between bursts: past the simulator's 60 s batch window."""
SCENARIOS: dict[str, dict[str, Any]] = {
    "one-copy": {},
    "standard-2": {"standard_copy_count": 2},
    "flash-2": {"flash": True, "flash_copy_count": 2},
}


async def _raw_call(client: Client, action: str, query: dict[str, Any]) -> dict[str, Any]:
    """A signed call through the SDK keeping the raw JSON (the simulator's own fields too)."""
    params = Params(
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
    request = OpenApiRequest(query=OpenApiUtilClient.query(query))
    response = await client.call_api_async(params, request, RuntimeOptions())
    body: dict[str, Any] = response["body"]
    return body


async def _advance(target: SimulatorTarget, seconds: float) -> None:
    headers = {"Authorization": f"Bearer {target.admin_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            target.admin_url + "/clock", json={"advance_seconds": seconds}, headers=headers
        ) as response,
    ):
        response.raise_for_status()


async def _cache_status(client: Client, cache_id: str) -> str:
    body = await _raw_call(
        client, "DescribeImageCaches", {"RegionId": REGION, "ImageCacheId": cache_id}
    )
    return str(body["ImageCaches"][0]["Status"])


async def _until_ready(target: SimulatorTarget, client: Client, cache_ids: list[str]) -> None:
    """Move simulated time a second at a time until every cache is Ready (at most an hour)."""
    for _ in range(3600):
        statuses = [await _cache_status(client, cache_id) for cache_id in cache_ids]
        if all(status == "Ready" for status in statuses):
            return
        if "Failed" in statuses:
            raise RuntimeError(
                f"an image cache failed: {dict(zip(cache_ids, statuses, strict=True))}"
            )
        await _advance(target, 1.0)
    raise RuntimeError("image caches not Ready after an hour of simulated time")


async def _burst(client: Client, *, label: str, cache_id: str, instances: int) -> list[str]:
    limit = asyncio.Semaphore(CREATE_CONCURRENCY)

    async def create(index: int) -> str:
        request = eci_models.CreateContainerGroupRequest(
            region_id=REGION,
            container_group_name=f"{label}-{index}",
            cpu=0.25,
            memory=0.5,
            restart_policy="Never",
            image_snapshot_id=cache_id,
            container=[eci_models.CreateContainerGroupRequestContainer(name="app", image=IMAGE)],
        )
        async with limit:
            response = await client.create_container_group_async(request)
        return str(response.body.container_group_id)

    return list(await asyncio.gather(*(create(index) for index in range(instances))))


async def _preparation_seconds(client: Client, group_ids: list[str]) -> list[float]:
    seconds: list[float] = []
    for start in range(0, len(group_ids), 20):
        page = group_ids[start : start + 20]
        body = await _raw_call(
            client,
            "DescribeContainerGroups",
            {"RegionId": REGION, "ContainerGroupIds": json.dumps(page)},
        )
        found = {group["ContainerGroupId"]: group for group in body["ContainerGroups"]}
        seconds.extend(
            float(found[group_id]["SimulatedPhases"]["ImagePreparationSeconds"])
            for group_id in page
        )
    return seconds


def _summary(seconds: list[float], *, options: dict[str, Any], wall: float) -> dict[str, Any]:
    counts = collections.Counter(round(value, 3) for value in seconds)
    return {
        "options": {key: value for key, value in options.items() if key != "flash"}
        | ({"Flash": True} if options.get("flash") else {}),
        "instances": len(seconds),
        "image_preparation_seconds": {str(k): counts[k] for k in sorted(counts)},
        "mean_image_preparation_seconds": round(sum(seconds) / len(seconds), 3),
        "max_image_preparation_seconds": max(seconds),
        "create_wall_seconds": round(wall, 1),
    }


async def run(instances: int) -> dict[str, Any]:
    results: dict[str, Any] = {"image": IMAGE, "unit": "simulated seconds", "scenarios": {}}
    with tempfile.TemporaryDirectory(prefix="eci-replicas-") as tmp:
        async with running_simulator(Path(tmp), extra_args=("--virtual-clock",)) as target:
            client = target.client()
            caches = {}
            for label, options in SCENARIOS.items():
                request = eci_models.CreateImageCacheRequest(
                    region_id=REGION, image_cache_name=label, image=[IMAGE], **options
                )
                response = await client.create_image_cache_async(request)
                caches[label] = str(response.body.image_cache_id)
            # The flash cache is usable first, while its local snapshot (and its copies) serve.
            order = ["flash-2", "one-copy", "standard-2"]
            groups: dict[str, tuple[list[str], float]] = {}
            for label in order:
                await _until_ready(target, client, [caches[label]])
                started = time.perf_counter()
                ids = await _burst(client, label=label, cache_id=caches[label], instances=instances)
                groups[label] = (ids, time.perf_counter() - started)
                await _advance(target, BATCH_GAP_SECONDS)
            for label in SCENARIOS:
                ids, wall = groups[label]
                seconds = await _preparation_seconds(client, ids)
                results["scenarios"][label] = _summary(seconds, options=SCENARIOS[label], wall=wall)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=2000, help="instances per burst")
    parser.add_argument("--out", type=Path, help="write the JSON here too")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.instances))
    text = json.dumps(results, indent=2)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    for label, scenario in results["scenarios"].items():
        counts = scenario["image_preparation_seconds"]
        print(
            f"{label:<11} {scenario['instances']} instances: {counts}"
            f" (mean {scenario['mean_image_preparation_seconds']} s)",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
