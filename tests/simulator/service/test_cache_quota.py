"""The region's cache quota: LRU elimination of automatic caches, refusal when nothing may go;
UpdateImageCache only from Ready or UpdateFailed."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.settings import ImageCacheSettings
from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import REGION, container, create_group, refused
from tests.simulator.service.test_cache_auto import all_caches
from tests.simulator.service.test_imagecaches import build_seconds, create_cache, describe_cache

PRIVATE = "registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/private-app:1.0"
"""Private: without its credential the build fails."""
QUOTA_OF_THREE = [{"image_caches": ImageCacheSettings(quota=3)}]


async def miss(client: Client, image: str) -> None:
    await create_group(client, container("c", image), auto_match_image_cache=True, name="miss")


def images_of(caches: list[Any]) -> set[tuple[str, ...]]:
    return {tuple(c.images) for c in caches}


@pytest.mark.parametrize("eci", QUOTA_OF_THREE, indirect=True)
async def test_at_the_quota_the_least_recently_used_automatic_cache_goes(
    eci_client: Client, clock: VirtualClock
) -> None:
    await create_cache(eci_client, "flink:seed", name="manual")
    await miss(eci_client, "busybox:1.37")
    clock.advance(1)
    await miss(eci_client, "nginx:1.7.9")
    clock.advance(max(build_seconds(i) for i in ("flink:seed", "busybox:1.37", "nginx:1.7.9")))
    # busybox's automatic cache is older, but it is used now: nginx's is the least recent.
    await miss(eci_client, "busybox:1.37")
    used = next(c for c in await all_caches(eci_client) if c.images == ["busybox:1.37"])
    assert used.last_matched_time != ""
    clock.advance(1)
    await miss(eci_client, "redis:8.10.1")
    assert images_of(await all_caches(eci_client)) == {
        ("flink:seed",),
        ("busybox:1.37",),
        ("redis:8.10.1",),
    }
    # A manual cache makes room the same way (busybox's, used before redis's was created);
    # the manual cache without LRU is never chosen.
    clock.advance(1)
    await create_cache(eci_client, "nginx:1.7.9", name="second-manual")
    assert images_of(await all_caches(eci_client)) == {
        ("flink:seed",),
        ("redis:8.10.1",),
        ("nginx:1.7.9",),
    }


@pytest.mark.parametrize("eci", [{"image_caches": ImageCacheSettings(quota=2)}], indirect=True)
async def test_a_full_region_without_lru_caches_refuses_a_new_one(
    eci_client: Client, clock: VirtualClock
) -> None:
    await create_cache(eci_client, "flink:seed", name="one")
    await create_cache(eci_client, "busybox:1.37", name="two")
    error = await refused(create_cache(eci_client, "nginx:1.7.9", name="three"))
    assert error.code == "QuotaExceed.ImageCache"
    assert "quota of 2" in error.message
    # An automatic creation is skipped instead; the group itself is created and pulls.
    await miss(eci_client, "nginx:1.7.9")
    assert len(await all_caches(eci_client)) == 2


async def test_update_is_refused_unless_ready_or_update_failed(
    eci_client: Client, clock: VirtualClock
) -> None:
    def update(cache_id: str) -> Any:
        return eci_client.update_image_cache_async(
            eci_models.UpdateImageCacheRequest(
                region_id=REGION, image_cache_id=cache_id, image=["nginx:1.7.9"]
            )
        )

    failed = await create_cache(eci_client, PRIVATE, name="failed")
    building = await create_cache(eci_client, "flink:seed", name="building")
    clock.advance(60)
    assert (await describe_cache(eci_client, failed)).status == "Failed"
    for cache_id, status in ((failed, "Failed"), (building, "Creating")):
        error = await refused(update(cache_id))
        assert error.code == "IncorrectStatus"
        assert f"is {status}" in error.message
        assert "when Ready or UpdateFailed" in error.message


async def test_retention_expires_the_cache_with_an_event_at_that_instant(
    eci_client: Client, clock: VirtualClock
) -> None:
    cache_id = await create_cache(eci_client, "busybox:1.37", retention_days=1)
    clock.advance(build_seconds("busybox:1.37"))
    cache = await describe_cache(eci_client, cache_id)
    assert cache.status == "Ready"
    assert "ImageCacheExpired" not in {e.reason for e in cache.events}
    clock.advance(86400)
    cache = await describe_cache(eci_client, cache_id)
    assert cache.status == "Expired"
    expired = next(e for e in cache.events if e.reason == "ImageCacheExpired")
    assert expired.last_timestamp == cache.expire_date_time
