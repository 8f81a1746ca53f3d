"""Automatic image cache creation on a miss, through the SDK on a virtual clock."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.server import Simulator
from simulator.settings import ImageCacheSettings
from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import REGION, container, create_group, describe
from tests.simulator.service.test_cache_use import phases
from tests.simulator.service.test_durability import client_for, virtual_clock, virtual_settings
from tests.simulator.service.test_groups_lifecycle import uncached_preparation_seconds
from tests.simulator.service.test_imagecaches import build_seconds


async def all_caches(client: Client) -> list[Any]:
    request = eci_models.DescribeImageCachesRequest(region_id=REGION, limit=100)
    return list((await client.describe_image_caches_async(request)).body.image_caches)


async def test_a_miss_builds_a_cache_the_next_group_starts_from(
    eci: EciTarget, eci_client: Client, clock: VirtualClock
) -> None:
    first = await create_group(
        eci_client, container("app", "flink:seed"), auto_match_image_cache=True, name="first"
    )
    [cache] = await all_caches(eci_client)
    assert cache.images == ["flink:seed"]
    assert cache.image_cache_name == "auto-" + cache.image_cache_id.removeprefix("imc-")
    assert cache.elimination_strategy == "LRU"
    assert cache.status == "Preparing"
    raw = await eci.simulator.service.call(
        "DescribeImageCaches", {"RegionId": REGION, "ImageCacheId": cache.image_cache_id}
    )
    assert raw["ImageCaches"][0]["Source"] == "Automatic"
    # The first group pulls normally meanwhile: the full download, no cache hit.
    clock.advance(build_seconds("flink:seed"))
    group = await describe(eci_client, first)
    assert "SuccessfulHitImageCache" not in phases(group)
    full_pull = uncached_preparation_seconds("flink:seed")
    assert f"in {full_pull:.3f}s" in phases(group)["Pulled"].message
    assert [c.status for c in await all_caches(eci_client)] == ["Ready"]
    # The next group of the same image starts from the cache in the cached time (the seed's 5 s).
    second = await create_group(
        eci_client, container("app", "flink:seed"), auto_match_image_cache=True, name="second"
    )
    clock.advance(30)
    group = await describe(eci_client, second)
    assert cache.image_cache_id in phases(group)["SuccessfulHitImageCache"].message
    pulled = phases(group)["Pulled"].message
    assert "in 5.000s" in pulled
    assert f"from image cache {cache.image_cache_id}" in pulled
    assert len(await all_caches(eci_client)) == 1


async def test_one_hundred_concurrent_misses_create_one_cache(
    eci_client: Client, clock: VirtualClock
) -> None:
    ids = await asyncio.gather(
        *(
            create_group(
                eci_client,
                container("web", "nginx:1.7.9"),
                container("side", "busybox:1.37"),
                auto_match_image_cache=True,
                name=f"replica-{n}",
            )
            for n in range(100)
        )
    )
    assert len(set(ids)) == 100
    [cache] = await all_caches(eci_client)
    assert cache.images == ["nginx:1.7.9", "busybox:1.37"]


async def test_two_simulators_on_one_database_agree_on_the_automatic_cache(
    tmp_path: Path,
) -> None:
    settings = virtual_settings(tmp_path)
    async with Simulator(settings) as one, Simulator(settings) as two:
        clients = [client_for(one, settings), client_for(two, settings)]
        await asyncio.gather(
            *(
                create_group(
                    clients[n % 2],
                    container("web", "nginx:1.7.9"),
                    auto_match_image_cache=True,
                    name=f"r-{n}",
                )
                for n in range(20)
            )
        )
        [seen_by_one] = await all_caches(clients[0])
        [seen_by_two] = await all_caches(clients[1])
        assert seen_by_one.image_cache_id == seen_by_two.image_cache_id
        assert virtual_clock(one).now() == virtual_clock(two).now()


async def test_no_cache_without_automatic_matching_or_for_a_failing_pull(
    eci_client: Client, clock: VirtualClock
) -> None:
    await create_group(eci_client, container("web", "nginx:1.7.9"), name="plain")
    await create_group(
        eci_client,
        container("web", "registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/private-app:1.0"),
        auto_match_image_cache=True,
        name="private",
    )
    clock.advance(120)
    assert await all_caches(eci_client) == []


@pytest.mark.parametrize(
    "eci", [{"image_caches": ImageCacheSettings(auto_create=False)}], indirect=True
)
async def test_a_setting_turns_automatic_creation_off(
    eci_client: Client, clock: VirtualClock
) -> None:
    await create_group(eci_client, container("web", "nginx:1.7.9"), auto_match_image_cache=True)
    clock.advance(120)
    assert await all_caches(eci_client) == []


def test_the_simulator_flag_turns_automatic_creation_off() -> None:
    from vkeci.cli import build_parser
    from vkeci.commands.simulator import build_settings

    env = {"ECI_ACCESS_KEY_ID": "LTAIexample", "ECI_ACCESS_KEY_SECRET": "example-secret"}
    default = build_settings(build_parser().parse_args(["simulator"]), env)
    off = build_settings(build_parser().parse_args(["simulator", "--no-auto-image-cache"]), env)
    assert (default.image_caches.auto_create, off.image_caches.auto_create) == (True, False)
