"""Layer reuse: `k8s.aliyun.com/auto-match-imagecache: "true"` (or the newer
`k8s.aliyun.com/imc-enable-reuse`) builds a cache faster from layers other caches hold."""

from __future__ import annotations

from alibabacloud_eci20180808.client import Client

from tests.fixtures.eci import EciTarget
from tests.vkprovider.imagecaches.conftest import ImageCaches, RunningController
from tests.vkprovider.imagecaches.test_lifecycle import cloud_caches
from vkprovider.imagecaches.status import parse_time

FLINK = "docker.io/library/flink:seed"


async def pull_seconds(eci: EciTarget, eci_client: Client, cache_id: str) -> float:
    """Simulated seconds from the cache's creation to its last image pull, as ECI records."""
    (cache,) = await cloud_caches(eci, eci_client, image_cache_id=cache_id)
    created = parse_time(cache["CreationTime"])
    pulls = [parse_time(event["LastTimestamp"]) for event in cache["Events"]]
    assert created is not None
    assert None not in pulls
    return max((pull - created).total_seconds() for pull in pulls if pull is not None)


async def test_reuse_annotations_build_from_existing_layers(
    imagecaches: ImageCaches, controller: RunningController, eci: EciTarget, eci_client: Client
) -> None:
    first = (await imagecaches.create("first", {"images": [FLINK]}))["metadata"]["name"]
    await imagecaches.wait_phase(first, "Ready")
    plain = await imagecaches.create("plain", {"images": [FLINK]})
    old = await imagecaches.create(
        "reuse-old",
        {"images": [FLINK]},
        annotations={"k8s.aliyun.com/auto-match-imagecache": "true"},
    )
    new = await imagecaches.create(
        "reuse-new", {"images": [FLINK]}, annotations={"k8s.aliyun.com/imc-enable-reuse": "true"}
    )
    seconds = {}
    for created in (plain, old, new):
        name = created["metadata"]["name"]
        status = await imagecaches.wait_phase(name, "Ready")
        seconds[name] = await pull_seconds(eci, eci_client, status["imageCacheId"])
    plain_s, old_s, new_s = seconds.values()
    # Same work either way; the calibrated model makes reuse of flink:seed about 4.5x faster.
    assert old_s == new_s
    assert old_s < plain_s / 2
