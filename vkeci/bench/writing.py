"""The benchmark's own writes: Pod creations, the ceiling's status patches, the clean-up.

The ceiling is what a plain client gets out of the API server for the work the agent must
cause at the least: the same N Pod creations and one `pods/status` merge patch each, with a
status of the size the agent writes (phase, four conditions, podIP(s), hostIP(s), one
container status), CONCURRENCY requests in flight. The agent run creates the same Pods the
same way and leaves the status to the agent. Clean-up force-deletes (grace 0): a Pod bound
to a node without a kubelet would otherwise stay Terminating on a real cluster.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

import aiohttp

from vkeci.bench.kubetarget import CONCURRENCY
from vkeci.bench.observing import RUN_LABEL
from vkeci.stack.errors import StackError
from vkeci.stack.objects import pod_body

MERGE_PATCH: Final = "application/merge-patch+json"


def scale_pod(*, name: str, node_name: str, run: str) -> dict[str, Any]:
    body = pod_body(name=name, images=["nginx"], node_name=node_name, app="vk-eci-scale")
    body["metadata"]["labels"][RUN_LABEL] = run
    return body


def running_status(index: int) -> dict[str, Any]:
    """A Running Pod's status, as the agent writes it for one nginx container."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ip = f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"
    conditions = [
        {"type": kind, "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
        for kind in ("PodScheduled", "Initialized", "ContainersReady", "Ready")
    ]
    return {
        "status": {
            "phase": "Running",
            "conditions": conditions,
            "hostIP": ip,
            "hostIPs": [{"ip": ip}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": now,
            "qosClass": "Burstable",
            "containerStatuses": [
                {
                    "name": "main",
                    "state": {"running": {"startedAt": now}},
                    "lastState": {},
                    "ready": True,
                    "started": True,
                    "restartCount": 0,
                    "image": "docker.io/library/nginx:latest",
                    "imageID": "docker.io/library/nginx@sha256:" + f"{index:064x}",
                    "containerID": f"containerd://eci-ceiling-{index:08d}",
                }
            ],
        }
    }


async def _expect(response: aiohttp.ClientResponse, status: set[int], what: str) -> None:
    if response.status not in status:
        raise StackError(f"{what}: {response.status} {await response.text()}")


async def write_pods(
    session: aiohttp.ClientSession,
    *,
    namespace: str,
    node_name: str,
    run: str,
    count: int,
    patch_status: bool,
    on_written: Callable[[float], None],
) -> None:
    """Create `count` Pods (and, for the ceiling, patch each one's status), CONCURRENCY at once.

    `on_written(t)` is called with `time.monotonic()` once a Pod is complete: created, and
    for the ceiling also Running by its status patch.
    """
    indexes = iter(range(count))
    path = f"/api/v1/namespaces/{namespace}/pods"

    async def writer() -> None:
        for index in indexes:
            name = f"{run}-{index:05d}"
            body = scale_pod(name=name, node_name=node_name, run=run)
            async with session.post(path, json=body) as response:
                await _expect(response, {201}, f"creating Pod {name}")
            if patch_status:
                async with session.patch(
                    f"{path}/{name}/status",
                    json=running_status(index),
                    headers={"Content-Type": MERGE_PATCH},
                ) as response:
                    await _expect(response, {200}, f"patching the status of Pod {name}")
            on_written(time.monotonic())

    await asyncio.gather(*(writer() for _ in range(CONCURRENCY)))


async def force_delete_pods(
    session: aiohttp.ClientSession, *, namespace: str, names: list[str]
) -> None:
    """DELETE each Pod with gracePeriodSeconds 0 (gone Pods are fine)."""
    queue = iter(names)
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0}

    async def deleter() -> None:
        for name in queue:
            async with session.delete(
                f"/api/v1/namespaces/{namespace}/pods/{name}", json=body
            ) as response:
                await _expect(response, {200, 202, 404}, f"deleting Pod {name}")

    await asyncio.gather(*(deleter() for _ in range(CONCURRENCY)))


async def ensure_namespace(session: aiohttp.ClientSession, namespace: str) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    async with session.post("/api/v1/namespaces", json=body) as response:
        await _expect(response, {201, 409}, f"creating namespace {namespace}")


async def delete_namespace(session: aiohttp.ClientSession, namespace: str) -> None:
    async with session.delete(f"/api/v1/namespaces/{namespace}") as response:
        await _expect(response, {200, 202, 404}, f"deleting namespace {namespace}")


async def delete_node(session: aiohttp.ClientSession, node_name: str) -> None:
    async with session.delete(f"/api/v1/nodes/{node_name}") as response:
        await _expect(response, {200, 202, 404}, f"deleting node {node_name}")


async def delete_lease(session: aiohttp.ClientSession, node_name: str) -> None:
    path = f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{node_name}"
    async with session.delete(path) as response:
        await _expect(response, {200, 202, 404}, f"deleting lease {node_name}")


def ceiling_node(node_name: str) -> dict[str, Any]:
    """A Node for the ceiling's Pods, so a real cluster's pod GC does not delete them mid-run."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": node_name, "labels": {"type": "vk-eci-scale-ceiling"}},
        "spec": {
            "taints": [{"key": "vk-eci.io/scale-ceiling", "value": "true", "effect": "NoSchedule"}]
        },
    }


async def create_node(session: aiohttp.ClientSession, node_name: str) -> None:
    async with session.post("/api/v1/nodes", json=ceiling_node(node_name)) as response:
        await _expect(response, {201, 409}, f"creating node {node_name}")
