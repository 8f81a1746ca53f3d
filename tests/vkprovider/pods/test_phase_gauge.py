"""`vk_eci_pods` by phase comes from counts the informer keeps as Pods change, not a walk.

The counts must follow every way a cached Pod changes: a watch event, a relist, a Pod
deleted, and the agent's own status write, which updates the cached Pod before its echo.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kubernetes_asyncio import client
from prometheus_client import REGISTRY

from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod
from vkprovider.pods.controller import PodController


def _walked(handle: AgentHandle) -> Counter[str]:
    return Counter(PodController.phase_of(pod) for pod in handle.agent.informer.cache.values())


def _gauge(phase: str) -> float | None:
    return REGISTRY.get_sample_value("vk_eci_pods", {"phase": phase})


async def test_phase_counts_follow_pods_through_their_lives(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    informer = agent.agent.informer
    await create_pod(kube_api, ns, pod_manifest("stays"))
    done = pod_manifest(
        "done",
        image="busybox:1.37",
        command=["sh", "-c", "sleep 5; exit 0"],
        restart_policy="Never",
    )
    await create_pod(kube_api, ns, done)

    async def phases(wanted: dict[str, str]) -> bool:
        for name, phase in wanted.items():
            pod: dict[str, Any] = await read_pod(kube_api, ns, name)
            if pod["status"].get("phase") != phase:
                return False
        return True

    await eventually(
        lambda: phases({"stays": "Running", "done": "Succeeded"}),
        deadline_seconds=30,
        what="one Pod Running, one Succeeded",
    )
    await eventually(
        lambda: _async(informer.tallies["Running"] >= 1 and informer.tallies["Succeeded"] >= 1),
        what="the informer's counts caught up",
    )
    assert +informer.tallies == _walked(agent)
    agent.agent.pods.update_phase_gauge()
    walked = _walked(agent)
    assert _gauge("Running") == walked["Running"]
    assert _gauge("Succeeded") == walked["Succeeded"]
    assert _gauge("Failed") == walked["Failed"]

    core: Any = client.CoreV1Api(kube_api)
    await core.delete_namespaced_pod("done", ns)
    await eventually(
        lambda: _async(all(pod["metadata"]["name"] != "done" for pod in informer.cache.values())),
        what="the deleted Pod left the informer's cache",
    )
    assert +informer.tallies == _walked(agent)
    agent.agent.pods.update_phase_gauge()
    assert _gauge("Succeeded") == _walked(agent)["Succeeded"]


async def _async(value: bool) -> bool:
    return value
