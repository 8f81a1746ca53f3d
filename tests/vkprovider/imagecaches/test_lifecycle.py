"""ImageCaches end to end: the controller against the API server (embedded, or a real cluster
with KUBECONFIG) and the ECI simulator, over real HTTP on both sides."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
import structlog.testing
import yaml
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from prometheus_client import REGISTRY

from tests.fixtures.eci import EciTarget
from tests.polling import eventually
from tests.vkprovider.imagecaches.conftest import (
    HUGE_IMAGE,
    ImageCaches,
    RunningController,
    apply_crd,
)
from vkprovider.imagecaches.cloud import cloud_name
from vkprovider.imagecaches.kinds import GROUP, PAUSE_IMAGE, PLURAL, VERSION
from vkprovider.imagecaches.status import parse_time
from vkprovider.settings import ImageCacheSettings

DEMO_REGISTRY = "registry.cn-hangzhou.aliyuncs.com"
PRIVATE_IMAGE = f"{DEMO_REGISTRY}/vk-eci-demo/private-app:1.0"
DAY = timedelta(hours=24)
PRIVATE_EXAMPLE = (
    Path(__file__).resolve().parents[3] / "examples" / "imagecache-private-registry.yaml"
)


async def cloud_caches(eci: EciTarget, client: Client, **filters: Any) -> list[dict[str, Any]]:
    request = eci_models.DescribeImageCachesRequest(region_id=eci.region_id, **filters)
    response = await client.describe_image_caches_async(request)
    caches: list[dict[str, Any]] = response.body.to_map().get("ImageCaches") or []
    return caches


async def record_phases(caches: ImageCaches, name: str, seen: list[str]) -> None:
    """Note every phase the resource shows, in order, until cancelled."""
    while True:
        phase = (await caches.status(name)).get("phase")
        if phase and (not seen or seen[-1] != phase):
            seen.append(phase)
        await asyncio.sleep(0.01)  # the sampling interval: this records, it waits for nothing


def build_observations() -> float:
    """Builds the agent's cache-build-duration histogram has seen reach Ready."""
    labels = {"result": "ready"}
    return REGISTRY.get_sample_value("vk_eci_imagecache_build_seconds_count", labels) or 0.0


def seconds_between(later: object, earlier: object) -> float:
    end, start = parse_time(later), parse_time(earlier)
    assert end is not None, later
    assert start is not None, earlier
    return (end - start).total_seconds()


async def test_seed_sample_builds_to_ready_with_its_events(
    imagecaches: ImageCaches, controller: RunningController, eci: EciTarget, eci_client: Client
) -> None:
    account = {
        "server": DEMO_REGISTRY,
        "username": "vk-eci-demo",
        "password": "vk-eci-demo-password",
    }
    secret1 = await imagecaches.docker_secret("default", "secret1", **account)
    secret2 = await imagecaches.docker_secret("default", "secret2", **account)
    secret3 = await imagecaches.docker_secret("kube-system", "secret3", **account)
    created = await imagecaches.create(
        "imagecache-sample",
        {
            "images": ["centos:latest", "busybox:latest"],
            "imagePullSecrets": [
                f"default:{secret1}",
                f"default:{secret2}",
                f"kube-system:{secret3}",
            ],
            "imageCacheSize": 25,
            "retentionDays": 7,
        },
        annotations={"k8s.aliyun.com/auto-match-imagecache": "true"},
    )
    name = created["metadata"]["name"]
    builds_before = build_observations()
    phases: list[str] = []
    recorder = asyncio.create_task(record_phases(imagecaches, name, phases))
    try:
        status = await imagecaches.wait_phase(name, "Ready", "Failed")
    finally:
        recorder.cancel()
    assert status["phase"] == "Ready", status.get("message")
    assert build_observations() == builds_before + 1
    assert phases[0] in ("Pending", "Preparing", "Creating"), phases
    assert status["progress"] == "100%"
    assert status["imageCacheId"].startswith("imc-")
    assert abs(seconds_between(status["startTime"], created["metadata"]["creationTimestamp"])) < 10
    assert seconds_between(status["expireDateTime"], status["startTime"]) == 7 * 86400
    messages = [event["message"] for event in status["events"]]
    for image in ("centos:latest", "busybox:latest", PAUSE_IMAGE):
        assert f"Success pull image {image}" in messages, messages
    pulled = {event["metadata"]["name"]: event for event in status["events"]}
    busybox = pulled["busybox:latest"]
    assert busybox["source"] == {"component": "kubelet", "host": "eci"}
    assert (busybox["type"], busybox["count"]) == ("Normal", 1)
    for event in status["events"]:  # sane in kubectl even though the simulator runs 100x fast
        assert seconds_between(event["firstTimestamp"], status["startTime"]) >= 0
        assert seconds_between(event["lastTimestamp"], event["firstTimestamp"]) >= 0
        assert seconds_between(status["lastUpdatedTime"], event["lastTimestamp"]) >= 0
    (cloud,) = await cloud_caches(eci, eci_client, image_cache_id=status["imageCacheId"])
    assert (cloud["Status"], cloud["ImageCacheSize"]) == ("Ready", 25)


async def test_private_registry_example_builds_with_its_secret(
    imagecaches: ImageCaches, controller: RunningController
) -> None:
    secret_doc, cache_doc = yaml.safe_load_all(PRIVATE_EXAMPLE.read_text())
    account = yaml.safe_load(secret_doc["stringData"][".dockerconfigjson"])["auths"][DEMO_REGISTRY]
    secret = await imagecaches.docker_secret("default", "acr-demo", server=DEMO_REGISTRY, **account)
    spec = dict(cache_doc["spec"], imagePullSecrets=[f"default:{secret}"])
    name = (await imagecaches.create("private", spec))["metadata"]["name"]
    status = await imagecaches.wait_phase(name, "Ready", "Failed")
    assert status["phase"] == "Ready", status.get("message")
    assert f"Success pull image {PRIVATE_IMAGE}" in [e["message"] for e in status["events"]]


async def test_each_problem_fails_precisely_while_a_good_cache_gets_ready(
    imagecaches: ImageCaches, controller: RunningController
) -> None:
    opaque = await imagecaches.opaque_secret("default", "opaque")
    missing = imagecaches.name("nosuch")
    problems: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
        "bad-reference": (
            {"images": ["busybox:latest", "Nginx:1.7.9"]},
            ("spec.images[1]: invalid image reference 'Nginx:1.7.9'", "lowercase"),
        ),
        "missing-secret": (
            {"images": [PRIVATE_IMAGE], "imagePullSecrets": [f"default:{missing}"]},
            (f"spec.imagePullSecrets[0]: Secret default/{missing} not found",),
        ),
        "wrong-secret-type": (
            {"images": [PRIVATE_IMAGE], "imagePullSecrets": [f"default:{opaque}"]},
            (f"Secret default/{opaque} has type 'Opaque', expected kubernetes.io/dockerconfig",),
        ),
        "unknown-image": (
            {"images": ["docker.io/library/nosuchimage:1.0"]},
            ("nosuchimage",),
        ),
        "private-no-credentials": ({"images": [PRIVATE_IMAGE]}, (PRIVATE_IMAGE, "unauthorized")),
        "too-small": ({"images": [HUGE_IMAGE]}, ("22.35 GiB", "ImageCacheSize", "20 GiB")),
    }
    good = (await imagecaches.create("good", {"images": ["busybox:latest"]}))["metadata"]["name"]
    names = {}
    for base, (spec, _) in problems.items():
        names[base] = (await imagecaches.create(base, spec))["metadata"]["name"]
    assert (await imagecaches.wait_phase(good, "Ready", "Failed"))["phase"] == "Ready"
    for base, (_, expected) in problems.items():
        status = await imagecaches.wait_phase(names[base], "Failed", "Ready")
        assert status["phase"] == "Failed", (base, status)
        for fragment in expected:
            assert fragment in status["message"], (base, status["message"])
        assert (
            seconds_between(status["expireDateTime"], status["lastUpdatedTime"])
            == DAY.total_seconds()
        )
        now = datetime.now(UTC)
        assert abs((parse_time(status["expireDateTime"]) - (now + DAY)).total_seconds()) < 120  # type: ignore[operator]


async def test_deleting_the_resource_deletes_the_cloud_cache(
    imagecaches: ImageCaches, controller: RunningController, eci: EciTarget, eci_client: Client
) -> None:
    name = (await imagecaches.create("delete-me", {"images": ["busybox:latest"]}))["metadata"][
        "name"
    ]
    cache_id = (await imagecaches.wait_phase(name, "Ready"))["imageCacheId"]
    assert len(await cloud_caches(eci, eci_client, image_cache_id=cache_id)) == 1
    obj = await imagecaches.get(name)
    assert obj is not None
    assert "eci.alibabacloud.com/imagecache-cleanup" in obj["metadata"]["finalizers"]
    await imagecaches.delete(name)

    async def gone() -> bool:
        return await imagecaches.get(name) is None

    await eventually(gone, what=f"ImageCache {name} to be deleted", deadline_seconds=20)
    assert await cloud_caches(eci, eci_client, image_cache_id=cache_id) == []


async def test_a_restarted_controller_never_creates_a_second_cloud_cache(
    imagecaches: ImageCaches, controller: RunningController, eci: EciTarget, eci_client: Client
) -> None:
    await controller.stop()
    created = await imagecaches.create("restart", {"images": ["busybox:latest"]})
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]
    # An agent created the cloud cache and died before writing status.
    settings = ImageCacheSettings()
    response = await eci_client.create_image_cache_async(
        eci_models.CreateImageCacheRequest(
            region_id=eci.region_id,
            image_cache_name=cloud_name(name),
            image=["busybox:latest"],
            client_token=uid,
            tag=[eci_models.CreateImageCacheRequestTag(key=settings.uid_tag, value=uid)],
        )
    )
    first_id = response.body.image_cache_id
    await controller.start()
    status = await imagecaches.wait_phase(name, "Ready")
    assert status["imageCacheId"] == first_id
    await controller.restart()  # returns once the new controller has listed (synced)
    assert (await imagecaches.wait_phase(name, "Ready"))["imageCacheId"] == first_id
    caches = await cloud_caches(eci, eci_client, image_cache_name=cloud_name(name))
    assert [cache["ImageCacheId"] for cache in caches] == [first_id]


async def test_spec_edit_updates_the_cloud_cache(
    imagecaches: ImageCaches, controller: RunningController, eci: EciTarget, eci_client: Client
) -> None:
    name = (await imagecaches.create("edit", {"images": ["busybox:latest"]}))["metadata"]["name"]
    cache_id = (await imagecaches.wait_phase(name, "Ready"))["imageCacheId"]
    phases: list[str] = []
    recorder = asyncio.create_task(record_phases(imagecaches, name, phases))
    try:
        await imagecaches.custom.patch_cluster_custom_object(
            GROUP,
            VERSION,
            PLURAL,
            name,
            {"spec": {"images": ["busybox:latest", "nginx:1.7.9"], "retentionDays": 3}},
            _content_type="application/merge-patch+json",  # type: ignore[call-arg]
        )

        async def updated() -> dict[str, Any] | None:
            status = await imagecaches.status(name)
            done = status.get("observedGeneration") == 2 and status.get("phase") == "Ready"
            return status if done else None

        status = await eventually(
            updated, what=f"ImageCache {name} to be updated", deadline_seconds=20
        )
    finally:
        recorder.cancel()
    assert "Updating" in phases, phases
    assert status["imageCacheId"] == cache_id
    assert "Success pull image nginx:1.7.9" in [e["message"] for e in status["events"]]
    assert seconds_between(status["expireDateTime"], status["startTime"]) == 3 * 86400
    (cloud,) = await cloud_caches(eci, eci_client, image_cache_id=cache_id)
    assert "nginx:1.7.9" in cloud["Images"]


async def test_settled_caches_expire_on_their_expire_date_time(
    imagecaches: ImageCaches, controller: RunningController
) -> None:
    kept = await imagecaches.create("kept", {"images": ["busybox:latest"], "retentionDays": 1})
    forever = await imagecaches.create("forever", {"images": ["busybox:latest"]})
    refused = await imagecaches.create("refused", {"images": ["Busybox"]})
    names = [obj["metadata"]["name"] for obj in (kept, forever, refused)]
    await imagecaches.wait_phase(names[0], "Ready")
    await imagecaches.wait_phase(names[1], "Ready")
    await imagecaches.wait_phase(names[2], "Failed")
    # The controller's clock moves two days on: one-day retention and a failed build's
    # 24 hours are over, a cache without retentionDays stays.
    await controller.restart(ahead=timedelta(days=2))
    assert (await imagecaches.wait_phase(names[0], "Expired"))["imageCacheId"].startswith("imc-")
    await imagecaches.wait_phase(names[2], "Expired")
    assert (await imagecaches.status(names[1]))["phase"] == "Ready"


async def test_fixing_a_failed_build_rebuilds_it(
    imagecaches: ImageCaches, controller: RunningController, eci: EciTarget, eci_client: Client
) -> None:
    spec = {"images": ["docker.io/library/nosuchimage:1.0"]}
    name = (await imagecaches.create("fixme", spec))["metadata"]["name"]
    failed = await imagecaches.wait_phase(name, "Failed")
    await imagecaches.custom.patch_cluster_custom_object(
        GROUP,
        VERSION,
        PLURAL,
        name,
        {"spec": {"images": ["busybox:latest"]}},
        _content_type="application/merge-patch+json",  # type: ignore[call-arg]
    )
    ready = await imagecaches.wait_phase(name, "Ready")
    assert ready["imageCacheId"] != failed["imageCacheId"]
    assert ready["observedGeneration"] == 2
    assert ready.get("message") is None
    assert ready.get("expireDateTime") is None  # no retentionDays: a working cache is kept
    assert await cloud_caches(eci, eci_client, image_cache_id=failed["imageCacheId"]) == []


async def test_a_controller_started_before_the_crd_picks_it_up(
    needs_embedded: object, kube_api: Any, eci: EciTarget
) -> None:
    running = RunningController(kube_api, eci)
    caches = ImageCaches(kube_api)
    with structlog.testing.capture_logs() as logs:
        await running.start(wait_synced=False)
        try:

            async def told_missing() -> bool:
                return any("CRD not installed" in entry["event"] for entry in logs)

            await eventually(
                told_missing,
                what="the controller to notice the CRD is missing",
                deadline_seconds=20,
            )
            await apply_crd(kube_api)
            name = (await caches.create("late", {"images": ["busybox:latest"]}))["metadata"]["name"]
            assert (await caches.wait_phase(name, "Ready"))["imageCacheId"].startswith("imc-")
            await caches.clean_up()
            await eventually(
                lambda: _absent(caches, name),
                what=f"ImageCache {name} deleted",
                deadline_seconds=20,
            )
        finally:
            await running.stop()


async def _absent(caches: ImageCaches, name: str) -> bool:
    return await caches.get(name) is None


async def test_a_cache_waiting_for_its_secret_builds_once_the_secret_exists(
    imagecaches: ImageCaches, controller: RunningController
) -> None:
    secret = imagecaches.name("later")
    spec = {"images": [PRIVATE_IMAGE], "imagePullSecrets": [f"default:{secret}"]}
    name = (await imagecaches.create("waits", spec))["metadata"]["name"]
    failed = await imagecaches.wait_phase(name, "Failed")
    assert f"Secret default/{secret} not found" in failed["message"]
    account = {"username": "vk-eci-demo", "password": "vk-eci-demo-password"}
    await imagecaches.docker_secret("default", "later", server=DEMO_REGISTRY, **account)
    ready = await imagecaches.wait_phase(name, "Ready")  # at the next resync (2 s here)
    assert ready.get("message") is None
    assert ready["imageCacheId"].startswith("imc-")


async def test_a_cache_outside_the_label_selector_is_left_alone(
    imagecaches: ImageCaches, controller: RunningController
) -> None:
    foreign = imagecaches.name("foreign")
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ImageCache",
        "metadata": {"name": foreign},
        "spec": {"images": ["busybox:latest"]},
    }
    await imagecaches.custom.create_cluster_custom_object(GROUP, VERSION, PLURAL, body)
    imagecaches.created.append(foreign)
    ours = (await imagecaches.create("ours", {"images": ["busybox:latest"]}))["metadata"]["name"]
    await imagecaches.wait_phase(ours, "Ready")
    untouched = await imagecaches.get(foreign)
    assert untouched is not None
    assert "status" not in untouched
    assert not untouched["metadata"].get("finalizers")
