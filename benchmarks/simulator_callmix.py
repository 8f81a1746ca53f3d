"""The simulator's CPU per call for the calls the node agent makes per Pod, against a baseline.

`vk-eci bench scale` charges the simulator about 1 ms of CPU per Pod at best; to see where
that goes without an agent or an API server, this drives the simulator alone with the
agent's call mix, phase by phase, and reads the simulator process's CPU (utime + stime)
around each phase:

* `baseline`: DescribeRegions, the cheapest signed call (signature, nonce, JSON answer);
* `create`: CreateContainerGroup with a ClientToken (the Pod's UID), the agent's four tags,
  one nginx container; the engine materialises them meanwhile (zero-delay time model);
* `settle`: DescribeContainerGroupStatus polls (node tag, `SinceSecond`) until every group
  is Running, which charges the engine ticks the creations left;
* `describe`: DescribeContainerGroups by 20 ids, every group once;
* `status`: DescribeContainerGroupStatus with the node tag and a window holding every group
  (up to 1,000 per page), so its cost per group shown does not depend on how long the
  phases before it took (also reported as `cpu_us_per_group_shown`);
* `delete`: DeleteContainerGroup of every group, then polls until none is left.

Calls go through the official SDK's blocking methods on a thread pool sharing one pooled
session, as the agent sends them (kept-alive connections; the SDK's `*_async` methods open a
connection per call, which would charge the simulator accept() costs the agent never causes).

Each phase reports CPU milliseconds per call and per Pod, and its ratio to the baseline's CPU
per call, measured in the same run, so a loaded machine moves both.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_util.models import RuntimeOptions

from vkeci.bench.processes import SimulatorTarget, cpu_seconds

REGION = "cn-hangzhou"
NODE = "vk-eci-callmix"
DESCRIBE_PAGE = 20
SETTLE_TIMEOUT_SECONDS = 120.0
POD_LIFE = ("create", "settle", "describe", "delete", "gone")
"""The phases summed into `simulator_cpu_ms_per_pod` (`status` is a per-poll cost)."""


class _Calls:
    """Blocking SDK calls on `concurrency` threads sharing the SDK's pooled session."""

    def __init__(self, target: SimulatorTarget, *, concurrency: int) -> None:
        self.client: Client = target.client()
        self.runtime = RuntimeOptions(max_idle_conns=concurrency, autoretry=False)
        self._threads = ThreadPoolExecutor(max_workers=concurrency)
        self._concurrency = concurrency

    def close(self) -> None:
        self._threads.shutdown(wait=True)

    async def one(self, call: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._threads, call)

    async def many(self, calls: list[Callable[[], Any]]) -> list[Any]:
        limit = asyncio.Semaphore(self._concurrency)

        async def run(call: Callable[[], Any]) -> Any:
            async with limit:
                return await self.one(call)

        return list(await asyncio.gather(*(run(call) for call in calls)))


def _create_request(index: int) -> eci_models.CreateContainerGroupRequest:
    uid = str(uuid.uuid4())
    name = f"pod-{index}"
    return eci_models.CreateContainerGroupRequest(
        region_id=REGION,
        client_token=uid,
        container_group_name=f"default-{name}",
        restart_policy="Always",
        cpu=1.0,
        memory=2.0,
        container=[
            eci_models.CreateContainerGroupRequestContainer(
                name="app", image="nginx", image_pull_policy="IfNotPresent"
            )
        ],
        tag=[
            eci_models.CreateContainerGroupRequestTag(key=key, value=value)
            for key, value in (
                ("vk-eci.io/namespace", "default"),
                ("vk-eci.io/pod-name", name),
                ("vk-eci.io/pod-uid", uid),
                ("vk-eci.io/node", NODE),
            )
        ],
    )


def _status_request(window_seconds: int) -> eci_models.DescribeContainerGroupStatusRequest:
    return eci_models.DescribeContainerGroupStatusRequest(
        region_id=REGION,
        since_second=window_seconds,
        limit=1000,
        tag=[eci_models.DescribeContainerGroupStatusRequestTag(key="vk-eci.io/node", value=NODE)],
    )


async def _count_by_status(calls: _Calls) -> dict[str, int]:
    """Statuses of this node's groups, every page of DescribeContainerGroupStatus."""
    counts: dict[str, int] = {}
    token: str | None = None
    while True:
        request = _status_request(86_400)
        request.next_token = token
        body = (
            await calls.one(
                partial(
                    calls.client.describe_container_group_status_with_options,
                    request,
                    calls.runtime,
                )
            )
        ).body
        for item in body.data or []:
            counts[item.status] = counts.get(item.status, 0) + 1
        token = body.next_token
        if not token:
            return counts


async def _poll(calls: _Calls, done: Callable[[dict[str, int]], bool]) -> int:
    """Poll statuses until `done`; return the number of calls it took."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    polls = 0
    while True:
        polls += 1
        counts = await _count_by_status(calls)
        if done(counts):
            return polls
        if time.monotonic() > deadline:
            raise TimeoutError(f"groups did not settle: {counts}")
        await asyncio.sleep(0.05)


class _Phases:
    """Simulator CPU around each phase, and the baseline's CPU per call."""

    def __init__(self, pid: int, pods: int) -> None:
        self.pid = pid
        self.pods = pods
        self.results: dict[str, dict[str, Any]] = {}
        self.baseline_ms: float | None = None

    async def measure(self, name: str, calls: int, run: Callable[[], Any]) -> Any:
        before = cpu_seconds(self.pid)
        started = time.perf_counter()
        outcome = await run()
        wall = time.perf_counter() - started
        cpu_ms = (cpu_seconds(self.pid) - before) * 1000
        per_call = cpu_ms / calls if calls else 0.0
        if self.baseline_ms is None:
            self.baseline_ms = per_call
        self.results[name] = {
            "calls": calls,
            "wall_seconds": round(wall, 3),
            "cpu_ms": round(cpu_ms, 1),
            "cpu_ms_per_call": round(per_call, 3),
            "cpu_ms_per_pod": round(cpu_ms / self.pods, 3),
            "ratio_to_baseline": round(per_call / self.baseline_ms, 2)
            if self.baseline_ms
            else None,
        }
        return outcome


async def measure_call_mix(
    target: SimulatorTarget, *, pods: int, concurrency: int = 16
) -> dict[str, Any]:
    """The agent's per-Pod call mix, phase by phase (see the module docstring)."""
    calls = _Calls(target, concurrency=concurrency)
    client, runtime = calls.client, calls.runtime
    try:
        regions = eci_models.DescribeRegionsRequest(region_id=REGION)
        await calls.many([lambda: client.describe_regions_with_options(regions, runtime)] * 50)
        phases = _Phases(target.pid, pods)
        await phases.measure(
            "baseline",
            pods,
            lambda: calls.many(
                [lambda: client.describe_regions_with_options(regions, runtime)] * pods
            ),
        )
        requests = [_create_request(i) for i in range(pods)]
        created = await phases.measure(
            "create",
            pods,
            lambda: calls.many(
                [partial(client.create_container_group_with_options, r, runtime) for r in requests]
            ),
        )
        group_ids = [c.body.container_group_id for c in created]
        settle_polls = 0

        async def settle() -> None:
            nonlocal settle_polls
            settle_polls = await _poll(calls, lambda c: c.get("Running", 0) == pods)

        await phases.measure("settle", 1, settle)
        phases.results["settle"]["calls"] = settle_polls
        chunks = [
            json.dumps(group_ids[i : i + DESCRIBE_PAGE])
            for i in range(0, len(group_ids), DESCRIBE_PAGE)
        ]
        described = await phases.measure(
            "describe",
            len(chunks),
            lambda: calls.many(
                [
                    partial(
                        client.describe_container_groups_with_options,
                        eci_models.DescribeContainerGroupsRequest(
                            region_id=REGION, container_group_ids=ids, limit=DESCRIBE_PAGE
                        ),
                        runtime,
                    )
                    for ids in chunks
                ]
            ),
        )
        running = sum(
            1
            for answer in described
            for group in answer.body.container_groups or []
            if group.status == "Running"
        )
        status_calls = max(1, pods // 20)
        await phases.measure(
            "status",
            status_calls,
            lambda: calls.many(
                [
                    lambda: client.describe_container_group_status_with_options(
                        _status_request(86_400), runtime
                    )
                ]
                * status_calls
            ),
        )
        shown = status_calls * min(pods, 1000)
        phases.results["status"]["cpu_us_per_group_shown"] = round(
            phases.results["status"]["cpu_ms"] * 1000 / shown, 2
        )
        await phases.measure(
            "delete",
            pods,
            lambda: calls.many(
                [
                    partial(
                        client.delete_container_group_with_options,
                        eci_models.DeleteContainerGroupRequest(
                            region_id=REGION, container_group_id=g
                        ),
                        runtime,
                    )
                    for g in group_ids
                ]
            ),
        )

        async def gone() -> None:
            await _poll(calls, lambda c: not c)

        await phases.measure("gone", 1, gone)
    finally:
        calls.close()
    per_pod = sum(phases.results[name]["cpu_ms_per_pod"] for name in POD_LIFE)
    return {
        "pods": pods,
        "concurrency": concurrency,
        "described_running": running,
        "phases": phases.results,
        "simulator_cpu_ms_per_pod": round(per_pod, 3),
        "simulator_cpu_ms_per_pod_to_baseline": round(per_pod / phases.baseline_ms, 2)
        if phases.baseline_ms
        else None,
    }
