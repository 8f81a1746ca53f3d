"""Events reach `kubectl describe` off the critical path, aggregated and paced like a kubelet's.

Real HTTP to the API server (embedded or real). What a user notices: a repeated Event shows
once with its count, a flood of similar messages collapses into one combined Event, a Pod
that spams gets at most its burst, a full queue drops Events (counted in `/metrics`) rather
than holding anything up, and Event writes are paced at the configured rate.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
import structlog
from kubernetes_asyncio import client
from prometheus_client import REGISTRY, generate_latest

from tests.polling import eventually
from vkprovider.kube.correlating import COMBINED_PREFIX
from vkprovider.kube.events import EventKind, EventRecorder
from vkprovider.settings import EventSettings, RetrySettings

RETRY = RetrySettings(backoff_seconds=(0.05, 0.1))


@pytest.fixture
async def namespace(kube_api: client.ApiClient) -> AsyncIterator[str]:
    core: Any = client.CoreV1Api(kube_api)
    name = f"vk-events-{secrets.token_hex(3)}"
    await core.create_namespace({"metadata": {"name": name}})
    try:
        yield name
    finally:
        await core.delete_namespace(name)


def pod_ref(namespace: str, name: str) -> dict[str, Any]:
    return {"metadata": {"namespace": namespace, "name": name, "uid": secrets.token_hex(16)}}


def recorder(api: client.ApiClient, settings: EventSettings, **kwargs: Any) -> EventRecorder:
    return EventRecorder(
        api=api,
        node_name="virtual-kubelet",
        retry=RETRY,
        logger=structlog.get_logger("test"),
        settings=settings,
        **kwargs,
    )


async def events_of(api: client.ApiClient, namespace: str, name: str) -> list[dict[str, Any]]:
    core: Any = client.CoreV1Api(api)
    listed = await core.list_namespaced_event(
        namespace, field_selector=f"involvedObject.name={name}"
    )
    return sorted(
        (dict(api.sanitize_for_serialization(e)) for e in listed.items),
        key=lambda e: (e["reason"], e["message"]),
    )


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_repeated_event_is_one_event_with_its_count(
    kube_api: client.ApiClient, namespace: str
) -> None:
    events = recorder(kube_api, EventSettings())
    pod = pod_ref(namespace, "repeats")
    aggregated = metric("vk_eci_events_aggregated_total")
    try:
        for _ in range(5):
            events.emit(pod, EventKind.WARNING, "BackOff", "Back-off restarting failed container")
        events.emit(pod, EventKind.NORMAL, "Pulled", "Pulled image nginx")
        events.emit(pod, EventKind.NORMAL, "Pulled", "Pulled image nginx")
        await events.flush()
    finally:
        await events.close()
    written = await events_of(kube_api, namespace, "repeats")
    assert [(e["reason"], e["type"], e["count"]) for e in written] == [
        ("BackOff", "Warning", 5),
        ("Pulled", "Normal", 2),
    ]
    assert written[0]["message"] == "Back-off restarting failed container"
    assert written[0]["source"] == {"component": "virtual-kubelet", "host": "virtual-kubelet"}
    assert written[0]["involvedObject"]["uid"] == pod["metadata"]["uid"]
    assert metric("vk_eci_events_aggregated_total") - aggregated == 5


async def test_similar_messages_beyond_the_limit_are_combined(
    kube_api: client.ApiClient, namespace: str
) -> None:
    events = recorder(kube_api, EventSettings(max_similar=3))
    pod = pod_ref(namespace, "similar")
    try:
        for attempt in range(6):
            events.emit(pod, EventKind.WARNING, "Failed", f"pull failed, attempt {attempt}")
        await events.flush()
    finally:
        await events.close()
    written = await events_of(kube_api, namespace, "similar")
    assert [(e["message"], e["count"]) for e in written] == [
        (f"{COMBINED_PREFIX}pull failed, attempt 5", 3),
        ("pull failed, attempt 0", 1),
        ("pull failed, attempt 1", 1),
        ("pull failed, attempt 2", 1),
    ]


async def test_the_spam_filter_limits_each_pod_to_its_burst(
    kube_api: client.ApiClient, namespace: str
) -> None:
    # A clock that never moves: no tokens come back during the test.
    events = recorder(kube_api, EventSettings(spam_burst=2), now=lambda: 1000.0)
    noisy, quiet = pod_ref(namespace, "noisy"), pod_ref(namespace, "quiet")
    spam = metric("vk_eci_events_dropped_total", why="spam")
    try:
        for reason in ("Pulling", "Pulled", "Created", "Started"):
            events.emit(noisy, EventKind.NORMAL, reason, f"{reason} main")
        events.emit(quiet, EventKind.NORMAL, "Pulling", "Pulling main")
        await events.flush()
    finally:
        await events.close()
    assert [e["reason"] for e in await events_of(kube_api, namespace, "noisy")] == [
        "Pulled",
        "Pulling",
    ]
    assert [e["reason"] for e in await events_of(kube_api, namespace, "quiet")] == ["Pulling"]
    assert metric("vk_eci_events_dropped_total", why="spam") - spam == 2


async def test_a_full_queue_drops_events_and_counts_them_in_metrics(
    kube_api: client.ApiClient, namespace: str
) -> None:
    events = recorder(kube_api, EventSettings(queue_size=3))
    full = metric("vk_eci_events_dropped_total", why="queue_full")
    try:
        # emit() never waits: ten Events in a row, before any writer ran, fill the queue.
        for index in range(10):
            events.emit(pod_ref(namespace, f"pod-{index}"), EventKind.NORMAL, "Started", "go")
        assert events.dropped == 7
        assert metric("vk_eci_events_pending") >= 3
        await events.flush()
    finally:
        await events.close()
    assert metric("vk_eci_events_dropped_total", why="queue_full") - full == 7
    text = generate_latest(REGISTRY).decode()
    assert 'vk_eci_events_dropped_total{why="queue_full"}' in text
    written = [await events_of(kube_api, namespace, f"pod-{index}") for index in range(10)]
    assert [len(found) for found in written] == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]


async def test_event_writes_are_paced_at_the_configured_rate(
    kube_api: client.ApiClient, namespace: str
) -> None:
    events = recorder(kube_api, EventSettings(writes_per_second=20.0, burst=1, writers=4))
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        for index in range(6):
            events.emit(pod_ref(namespace, f"paced-{index}"), EventKind.NORMAL, "Started", "go")
        await events.flush()
    finally:
        await events.close()
    # One write at once, then one per 1/20 s: five waits of 50 ms at the least.
    assert loop.time() - started >= 0.24

    async def all_written() -> bool:
        found = [await events_of(kube_api, namespace, f"paced-{i}") for i in range(6)]
        return all(len(f) == 1 for f in found)

    await eventually(all_written, what="the six paced Events")
