"""ImageCaches from the Pod's side: the node agent (tests/vkprovider fixtures) runs Pods that name
the cache the controller built, against the same API server and simulator."""

from __future__ import annotations

import json
from typing import Any

from alibabacloud_eci20180808.client import Client
from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod
from tests.vkprovider.imagecaches.conftest import ImageCaches, RunningController
from tests.vkprovider.imagecaches.test_lifecycle import cloud_caches

FLINK = "docker.io/library/flink:seed"
PYTORCH = "docker.io/pytorch/pytorch:latest"
EXPLICIT = "k8s.aliyun.com/eci-image-snapshot-id"


async def phase_seconds(api: client.ApiClient, ns: str, name: str) -> dict[str, Any]:
    """The agent's record of a Pod's simulated phase durations."""

    async def annotated() -> dict[str, Any] | None:
        pod = await read_pod(api, ns, name)
        value = (pod["metadata"].get("annotations") or {}).get("vk-eci.io/phase-seconds")
        return json.loads(value) if value else None

    result: dict[str, Any] = await eventually(annotated, deadline_seconds=20, what="phase-seconds")
    return result


async def running(api: client.ApiClient, ns: str, name: str) -> dict[str, Any] | None:
    pod = await read_pod(api, ns, name)
    return pod if pod["status"].get("phase") == "Running" else None


async def test_pod_from_a_ready_cache_prepares_in_five_seconds_and_outlives_the_cache(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    imagecaches: ImageCaches,
    controller: RunningController,
    eci: EciTarget,
    eci_client: Client,
) -> None:
    name = (await imagecaches.create("flink", {"images": [FLINK]}))["metadata"]["name"]
    cache_id = (await imagecaches.wait_phase(name, "Ready"))["imageCacheId"]
    ns = agent.namespace
    await create_pod(
        kube_api, ns, pod_manifest("cached", image=FLINK, annotations={EXPLICIT: cache_id})
    )
    phases = await phase_seconds(kube_api, ns, "cached")
    assert phases["imageCacheId"] == cache_id
    assert phases["imagePreparation"] == 5.0
    await eventually(lambda: running(kube_api, ns, "cached"), what="pod Running")

    await imagecaches.delete(name)

    async def cache_gone() -> bool:
        gone = await imagecaches.get(name) is None
        return gone and await cloud_caches(eci, eci_client, image_cache_id=cache_id) == []

    await eventually(
        cache_gone, what=f"ImageCache {name} and {cache_id} to be deleted", deadline_seconds=20
    )
    # The agent re-reads every instance at least once a second (full reconcile): watch the
    # Pod across several of those passes.
    checks = 0

    async def still_running_after_reconciles() -> bool:
        nonlocal checks
        assert await running(kube_api, ns, "cached") is not None, "pod left Running"
        checks += 1
        return checks >= 60  # 60 polls x 0.05 s = 3 s, three full reconciles

    await eventually(still_running_after_reconciles, what="pod to stay Running")


async def test_pod_naming_a_cache_still_building_fails_with_provider_failed(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    imagecaches: ImageCaches,
    controller: RunningController,
) -> None:
    name = (await imagecaches.create("pytorch", {"images": [PYTORCH]}))["metadata"]["name"]
    status = await imagecaches.wait_phase(name, "Preparing", "Creating")
    cache_id = status["imageCacheId"]
    ns = agent.namespace
    early = pod_manifest(
        "early", image=PYTORCH, annotations={EXPLICIT: cache_id}, restart_policy="Never"
    )
    await create_pod(kube_api, ns, early)  # Never: a refused Pod is Failed (else Pending)

    async def failed() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "early")
        return pod if pod["status"].get("phase") == "Failed" else None

    pod = await eventually(failed, what="pod Failed")
    assert pod["status"]["reason"] == "ProviderFailed"
    assert cache_id in pod["status"]["message"]
    assert (await imagecaches.status(name))["phase"] in ("Preparing", "Creating")
