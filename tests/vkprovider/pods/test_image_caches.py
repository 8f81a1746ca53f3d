"""Pods using image caches: explicit, automatic, explicit beating automatic, not Ready.

The simulator's time model makes a cached flink:seed prepare in exactly 5 s
of simulated time (50 s without a cache): the tests read it back from the
Pulled event and the `vk-eci.io/phase-seconds` annotation.
"""

from __future__ import annotations

import json
from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.vkprovider.caches import cache_status, create_cache, ready_cache
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_events, pod_manifest, read_pod

FLINK = "docker.io/library/flink:seed"


async def _phases(api: client.ApiClient, ns: str, name: str) -> dict[str, Any]:
    async def annotated() -> dict[str, Any] | None:
        pod = await read_pod(api, ns, name)
        value = (pod["metadata"].get("annotations") or {}).get("vk-eci.io/phase-seconds")
        return json.loads(value) if value else None

    return await eventually(annotated, deadline_seconds=20, what=f"{name} phase-seconds")


async def _pulled_messages(api: client.ApiClient, ns: str, name: str) -> list[str]:
    async def pulled() -> list[str] | None:
        messages = [
            e["message"] for e in await pod_events(api, ns, name) if e["reason"] == "Pulled"
        ]
        return messages or None

    return await eventually(pulled, what=f"{name} Pulled events")


async def test_explicit_cache_prepares_in_five_simulated_seconds(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    cache_id = await ready_cache(eci_client, eci.region_id, [FLINK])
    ns = agent.namespace
    await create_pod(
        kube_api,
        ns,
        pod_manifest(
            "cached", image=FLINK, annotations={"k8s.aliyun.com/eci-image-snapshot-id": cache_id}
        ),
    )
    phases = await _phases(kube_api, ns, "cached")
    assert phases["imageCacheId"] == cache_id
    assert phases["imagePreparation"] == 5.0
    messages = await _pulled_messages(kube_api, ns, "cached")
    assert any(cache_id in m and "5.000s" in m for m in messages), messages


async def test_uncached_flink_takes_fifty_simulated_seconds(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("uncached", image=FLINK))
    phases = await _phases(kube_api, ns, "uncached")
    assert phases["imageCacheId"] is None
    assert 47.5 <= phases["imagePreparation"] <= 52.5


async def test_newer_annotation_names_work_too(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    cache_id = await ready_cache(eci_client, eci.region_id, [FLINK])
    ns = agent.namespace
    await create_pod(
        kube_api,
        ns,
        pod_manifest("newer", image=FLINK, annotations={"k8s.aliyun.com/eci-imc-id": cache_id}),
    )
    phases = await _phases(kube_api, ns, "newer")
    assert phases["imageCacheId"] == cache_id


async def test_cache_not_ready_fails_the_pod(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    cache_id = await create_cache(eci_client, eci.region_id, [FLINK])
    phase = await cache_status(eci_client, eci.region_id, cache_id)
    assert phase != "Ready"
    ns = agent.namespace
    await create_pod(
        kube_api,
        ns,
        pod_manifest(
            "early",
            image=FLINK,
            annotations={"k8s.aliyun.com/eci-image-snapshot-id": cache_id},
            restart_policy="Never",  # a refused Pod is Failed only then (else Pending)
        ),
    )

    async def failed() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "early")
        return pod if pod["status"].get("phase") == "Failed" else None

    pod = await eventually(failed, what="pod Failed")
    assert pod["status"]["reason"] == "ProviderFailed"
    assert cache_id in pod["status"]["message"]
    assert "not Ready" in pod["status"]["message"]
    reasons = [e["reason"] for e in await pod_events(kube_api, ns, "early")]
    assert "ProviderFailed" in reasons


async def test_missing_cache_fails_the_pod(agent: AgentHandle, kube_api: client.ApiClient) -> None:
    ns = agent.namespace
    await create_pod(
        kube_api,
        ns,
        pod_manifest(
            "ghost",
            annotations={"k8s.aliyun.com/eci-image-snapshot-id": "imc-doesnotexist"},
            restart_policy="Never",  # a refused Pod is Failed only then (else Pending)
        ),
    )

    async def failed() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "ghost")
        return pod if pod["status"].get("phase") == "Failed" else None

    pod = await eventually(failed, what="pod Failed")
    assert pod["status"]["reason"] == "ProviderFailed"
    assert "imc-doesnotexist" in pod["status"]["message"]


async def test_automatic_matching_uses_a_ready_cache(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    cache_id = await ready_cache(eci_client, eci.region_id, [FLINK])
    ns = agent.namespace
    await create_pod(
        kube_api,
        ns,
        pod_manifest("auto", image=FLINK, annotations={"k8s.aliyun.com/eci-image-cache": "true"}),
    )
    phases = await _phases(kube_api, ns, "auto")
    assert phases["imageCacheId"] == cache_id
    assert phases["imagePreparation"] == 5.0


async def test_explicit_beats_automatic(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    older = await ready_cache(eci_client, eci.region_id, [FLINK])
    newer = await ready_cache(eci_client, eci.region_id, [FLINK])
    ns = agent.namespace
    await create_pod(
        kube_api,
        ns,
        pod_manifest(
            "both",
            image=FLINK,
            annotations={
                "k8s.aliyun.com/eci-auto-imc": "true",
                "k8s.aliyun.com/eci-imc-id": older,
            },
        ),
    )
    await create_pod(
        kube_api,
        ns,
        pod_manifest("autoonly", image=FLINK, annotations={"k8s.aliyun.com/eci-auto-imc": "true"}),
    )
    assert (await _phases(kube_api, ns, "both"))["imageCacheId"] == older
    assert (await _phases(kube_api, ns, "autoonly"))["imageCacheId"] == newer


async def test_eci_refusing_a_vanished_cache_fails_the_pod_with_its_code(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    """The agent's Ready check is cached for a few seconds; ECI's own refusal still counts."""
    cache_id = await ready_cache(eci_client, eci.region_id, [FLINK])
    ns = agent.namespace
    annotations = {"k8s.aliyun.com/eci-image-snapshot-id": cache_id}
    await create_pod(kube_api, ns, pod_manifest("first", image=FLINK, annotations=annotations))
    await _phases(kube_api, ns, "first")
    await eci_client.delete_image_cache_async(
        eci_models.DeleteImageCacheRequest(region_id=eci.region_id, image_cache_id=cache_id)
    )
    second = pod_manifest("second", image=FLINK, annotations=annotations, restart_policy="Never")
    await create_pod(kube_api, ns, second)  # Never: a refused Pod is Failed (else Pending)

    async def failed() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "second")
        return pod if pod["status"].get("phase") == "Failed" else None

    pod = await eventually(failed, what="pod Failed")
    assert pod["status"]["reason"] == "ProviderFailed"
    assert cache_id in pod["status"]["message"]
    # The first Pod keeps running: deleting a cache never affects Pods made from it.
    first = await read_pod(kube_api, ns, "first")
    assert first["status"]["phase"] == "Running"
