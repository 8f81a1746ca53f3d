"""Automatic caches from the Pod's side: a Pod with `eci-auto-imc` that misses makes ECI build a
cache (a cloud resource only: no ImageCache appears in Kubernetes), and the next such Pod starts
from it in the cached time; the agent counts the match on /metrics."""

from __future__ import annotations

from typing import Any

from alibabacloud_eci20180808.client import Client
from kubernetes_asyncio import client
from prometheus_client import REGISTRY

from tests.fixtures.eci import EciTarget
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest
from tests.vkprovider.imagecaches.conftest import ImageCaches, RunningController
from tests.vkprovider.imagecaches.test_lifecycle import cloud_caches
from tests.vkprovider.imagecaches.test_with_agent import phase_seconds
from vkprovider.imagecaches.kinds import GROUP, PLURAL, VERSION

FLINK = "docker.io/library/flink:seed"
AUTO = {"k8s.aliyun.com/eci-auto-imc": "true"}


async def test_a_miss_builds_a_cloud_cache_the_next_pod_starts_from(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    imagecaches: ImageCaches,
    controller: RunningController,
    eci: EciTarget,
    eci_client: Client,
) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("first", image=FLINK, annotations=AUTO))
    first = await phase_seconds(kube_api, ns, "first")
    assert first["imageCacheId"] is None
    assert first["imagePreparation"] > 5.0

    async def automatic_ready() -> dict[str, Any] | None:
        caches = await cloud_caches(eci, eci_client)
        ready = [c for c in caches if c["Images"] == [FLINK] and c["Status"] == "Ready"]
        return ready[0] if ready else None

    cache = await eventually(automatic_ready, deadline_seconds=20, what="automatic cache Ready")
    assert cache["EliminationStrategy"] == "LRU"
    listed = await client.CustomObjectsApi(kube_api).list_cluster_custom_object(
        GROUP, VERSION, PLURAL
    )
    assert cache["ImageCacheId"] not in {
        (item.get("status") or {}).get("imageCacheId") for item in listed["items"]
    }
    before = REGISTRY.get_sample_value(
        "vk_eci_imagecache_matches_total", {"cache": cache["ImageCacheId"], "mode": "auto"}
    )
    assert before is None
    await create_pod(kube_api, ns, pod_manifest("second", image=FLINK, annotations=AUTO))
    second = await phase_seconds(kube_api, ns, "second")
    assert second["imageCacheId"] == cache["ImageCacheId"]
    assert second["imagePreparation"] == 5.0
    after = REGISTRY.get_sample_value(
        "vk_eci_imagecache_matches_total", {"cache": cache["ImageCacheId"], "mode": "auto"}
    )
    assert after == 1.0


async def test_a_pod_from_an_imagecache_shows_in_its_status(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    imagecaches: ImageCaches,
    controller: RunningController,
) -> None:
    name = (await imagecaches.create("used", {"images": [FLINK]}))["metadata"]["name"]
    status = await imagecaches.wait_phase(name, "Ready")
    assert status.get("lastMatchedTime") is None
    explicit = {"k8s.aliyun.com/eci-imc-id": status["imageCacheId"]}
    await create_pod(
        kube_api, agent.namespace, pod_manifest("user", image=FLINK, annotations=explicit)
    )
    await phase_seconds(kube_api, agent.namespace, "user")

    async def matched() -> str | None:
        value = (await imagecaches.status(name)).get("lastMatchedTime")
        return str(value) if value else None

    when = await eventually(matched, deadline_seconds=20, what="status.lastMatchedTime")
    assert when >= status["startTime"]
    assert (
        REGISTRY.get_sample_value(
            "vk_eci_imagecache_matches_total", {"cache": status["imageCacheId"], "mode": "explicit"}
        )
        == 1.0
    )


async def test_a_pod_that_says_nothing_matches_automatically_and_false_opts_out(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    controller: RunningController,
    eci: EciTarget,
    eci_client: Client,
) -> None:
    """`eci-auto-imc` is "true" unless the Pod says otherwise, as ECI documents."""
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("plain", image=FLINK))
    first = await phase_seconds(kube_api, ns, "plain")
    assert first["imageCacheId"] is None

    async def automatic_ready() -> str | None:
        caches = await cloud_caches(eci, eci_client)
        ready = [c for c in caches if c["Images"] == [FLINK] and c["Status"] == "Ready"]
        return str(ready[0]["ImageCacheId"]) if ready else None

    cache_id = await eventually(automatic_ready, deadline_seconds=20, what="automatic cache")
    await create_pod(kube_api, ns, pod_manifest("plain-again", image=FLINK))
    again = await phase_seconds(kube_api, ns, "plain-again")
    assert again["imageCacheId"] == cache_id
    assert again["imagePreparation"] == 5.0
    opted_out = {"k8s.aliyun.com/eci-auto-imc": "false"}
    await create_pod(kube_api, ns, pod_manifest("opted-out", image=FLINK, annotations=opted_out))
    pulled = await phase_seconds(kube_api, ns, "opted-out")
    assert pulled["imageCacheId"] is None
    assert pulled["imagePreparation"] == first["imagePreparation"]
    assert [c["ImageCacheId"] for c in await cloud_caches(eci, eci_client)] == [cache_id]
