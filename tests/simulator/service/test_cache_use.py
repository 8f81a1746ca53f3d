"""Creating container groups from image caches: explicit, automatic, partial, narrowed."""

from __future__ import annotations

import json
from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import REGION, container, create_group, describe, refused
from tests.simulator.service.test_imagecaches import build_seconds, create_cache


def phases(group: Any) -> dict[str, Any]:
    return {e.reason: e for e in group.events}


async def ready_cache(client: Client, clock: VirtualClock, *images: str, name: str) -> str:
    cache_id = await create_cache(client, *images, name=name)
    clock.advance(build_seconds(*images))
    return cache_id


async def test_explicit_cache_prepares_flink_in_five_seconds(
    eci_client: Client, clock: VirtualClock
) -> None:
    cache_id = await ready_cache(eci_client, clock, "flink:seed", name="flink")
    group_id = await create_group(
        eci_client, container("flink", "flink:seed"), image_snapshot_id=cache_id
    )
    clock.advance(30)
    group = await describe(eci_client, group_id)
    assert group.status == "Running"
    events = phases(group)
    assert events["SuccessfulHitImageCache"].message.startswith(
        f"Successfully hit image cache {cache_id}"
    )
    pulled = events["Pulled"].message
    assert "in 5.000s" in pulled
    assert f"from image cache {cache_id}" in pulled


async def test_explicit_cache_must_exist_and_be_ready(
    eci_client: Client, clock: VirtualClock
) -> None:
    missing = await refused(
        create_group(eci_client, container("c", "flink:seed"), image_snapshot_id="imc-nosuchcache")
    )
    assert missing.code == "InvalidImageSnapshotId.NotFound"
    assert "imc-nosuchcache" in missing.message
    cache_id = await create_cache(eci_client, "flink:seed")
    clock.advance(20)
    building = await refused(
        create_group(eci_client, container("c", "flink:seed"), image_snapshot_id=cache_id)
    )
    assert building.code == "IncorrectImageCacheStatus"
    assert cache_id in building.message
    assert "Creating" in building.message


async def test_auto_match_picks_the_best_cache_and_pulls_only_what_is_missing(
    eci_client: Client, clock: VirtualClock
) -> None:
    await ready_cache(eci_client, clock, "busybox:1.37", name="small")
    best = await ready_cache(eci_client, clock, "flink:seed", "busybox:1.37", name="best")
    group_id = await create_group(
        eci_client,
        container("app", "flink:seed"),
        container("side", "busybox:1.37"),
        container("web", "nginx:1.7.9"),
        auto_match_image_cache=True,
    )
    clock.advance(60)
    group = await describe(eci_client, group_id)
    assert group.status == "Running"
    hit = phases(group)["SuccessfulHitImageCache"]
    assert best in hit.message
    assert "2 of 3 images" in hit.message
    pulled = {e.message for e in group.events if e.reason == "Pulled"}
    assert any("nginx:1.7.9" in m and "downloaded" in m and "image cache" not in m for m in pulled)
    assert any("flink:seed" in m and f"from image cache {best}" in m for m in pulled)


async def test_explicit_beats_automatic(eci_client: Client, clock: VirtualClock) -> None:
    chosen = await ready_cache(eci_client, clock, "busybox:1.37", name="chosen")
    await ready_cache(eci_client, clock, "flink:seed", "busybox:1.37", name="better")
    group_id = await create_group(
        eci_client,
        container("app", "flink:seed"),
        container("side", "busybox:1.37"),
        image_snapshot_id=chosen,
        auto_match_image_cache=True,
    )
    clock.advance(120)
    hit = phases(await describe(eci_client, group_id))["SuccessfulHitImageCache"]
    assert chosen in hit.message
    assert "explicit" in hit.message


async def test_no_match_is_a_normal_pull(eci_client: Client, clock: VirtualClock) -> None:
    await ready_cache(eci_client, clock, "busybox:1.37", name="other")
    group_id = await create_group(
        eci_client, container("web", "nginx:1.7.9"), auto_match_image_cache=True
    )
    clock.advance(60)
    group = await describe(eci_client, group_id)
    assert group.status == "Running"
    assert "SuccessfulHitImageCache" not in phases(group)


async def test_perfect_match_and_match_count_narrow_the_choice(
    eci: EciTarget, eci_client: Client, clock: VirtualClock
) -> None:
    # ImageFullMatch / ImageMatchCountRequest on CreateContainerGroup are not in the SDK's
    # model (the agent sends them as extra query parameters): call the service directly.
    partial = await ready_cache(eci_client, clock, "flink:seed", name="partial")
    service = eci.simulator.service

    async def create(**extra: str) -> Any:
        params = {
            "RegionId": REGION,
            "ContainerGroupName": "narrowed",
            "AutoMatchImageCache": "true",
            "Container": [
                {"Name": "app", "Image": "flink:seed"},
                {"Name": "web", "Image": "nginx:1.7.9"},
            ],
            **extra,
        }
        group_id = (await service.call("CreateContainerGroup", params))["ContainerGroupId"]
        body = await service.call(
            "DescribeContainerGroups",
            {"RegionId": REGION, "ContainerGroupIds": json.dumps([group_id])},
        )
        return body["ContainerGroups"][0]["SimulatedPhases"]["ImageCacheId"]

    assert await create() == partial
    assert await create(ImageFullMatch="true") == ""
    assert await create(ImageMatchCountRequest="2") == ""
    assert await create(ImageMatchCountRequest="1") == partial


async def test_deleting_a_cache_leaves_its_groups_alone(
    eci_client: Client, clock: VirtualClock
) -> None:
    cache_id = await ready_cache(eci_client, clock, "flink:seed", name="gone-soon")
    group_id = await create_group(
        eci_client, container("flink", "flink:seed"), image_snapshot_id=cache_id
    )
    clock.advance(4)  # in the middle of image preparation
    await eci_client.delete_image_cache_async(
        eci_models.DeleteImageCacheRequest(region_id=REGION, image_cache_id=cache_id)
    )
    clock.advance(30)
    group = await describe(eci_client, group_id)
    assert group.status == "Running"
    assert "in 5.000s" in phases(group)["Pulled"].message
