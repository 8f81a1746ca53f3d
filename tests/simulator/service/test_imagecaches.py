"""Image cache lifecycles through the SDK: build phases, progress, events, expiry, updates."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.registry.catalog import Catalog
from simulator.settings import ClockMode, ClockSettings, SimulatorSettings
from simulator.timemodel.clock import VirtualClock
from simulator.timemodel.model import plan_cache_build
from simulator.timemodel.settings import TimeModelSettings
from tests.fixtures.eci import make_test_settings
from tests.simulator.service.conftest import REGION, parse, refused, seconds_between

PAUSE = "registry-vpc.cn-beijing.aliyuncs.com/acs/pause-amd64:3.0"
HUGE = "registry.example.com/models/huge:1"


@pytest.fixture
def eci_settings(tmp_path: Path) -> SimulatorSettings:
    """Virtual clock, plus a catalog file with one image too big for a 20 GiB cache and one
    reference marked missing (the open registry would pull it otherwise)."""
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps(
            {
                "images": [{"ref": HUGE, "layers_mb": [9000.0, 6000.0]}],
                "missing": ["nginx:0.0.0-no-such-tag"],
            }
        )
    )
    return dataclasses.replace(
        make_test_settings(tmp_path),
        clock=ClockSettings(mode=ClockMode.VIRTUAL),
        catalog_paths=(catalog,),
    )


def build_seconds(*references: str, reusable: frozenset[str] = frozenset()) -> float:
    catalog = Catalog.builtin()
    images = [catalog.pause_image, *(catalog.resolve(r) for r in references)]
    plan = plan_cache_build(model=TimeModelSettings(), images=images, reusable_layers=reusable)
    return round(plan.total_seconds, 3)  # plans keep instants on whole milliseconds


async def create_cache(client: Client, *images: str, **fields: Any) -> str:
    request = eci_models.CreateImageCacheRequest(
        region_id=REGION, image_cache_name=fields.pop("name", "cache"), image=list(images), **fields
    )
    return str((await client.create_image_cache_async(request)).body.image_cache_id)


async def describe_cache(client: Client, cache_id: str) -> Any:
    request = eci_models.DescribeImageCachesRequest(region_id=REGION, image_cache_id=cache_id)
    caches = (await client.describe_image_caches_async(request)).body.image_caches
    assert len(caches) == 1
    return caches[0]


async def test_a_cache_builds_preparing_creating_ready_with_progress(
    eci_client: Client, clock: VirtualClock
) -> None:
    cache_id = await create_cache(eci_client, "busybox:1.37", "nginx:1.7.9")
    cache = await describe_cache(eci_client, cache_id)
    assert (cache.status, cache.progress) == ("Preparing", "0%")
    assert cache.images == ["busybox:1.37", "nginx:1.7.9"]
    assert cache.image_cache_id.startswith("imc-")
    total = build_seconds("busybox:1.37", "nginx:1.7.9")
    clock.advance(total / 2)
    cache = await describe_cache(eci_client, cache_id)
    assert cache.status == "Creating"
    assert 0 < int(cache.progress.rstrip("%")) < 100
    clock.advance(total / 2 - 0.01)
    assert (await describe_cache(eci_client, cache_id)).status == "Creating"
    clock.advance(0.01)
    cache = await describe_cache(eci_client, cache_id)
    assert (cache.status, cache.progress) == ("Ready", "100%")
    assert cache.expire_date_time == ""  # no RetentionDays: never expires
    names = [e.name for e in cache.events]
    assert sorted(names) == sorted([PAUSE, "busybox:1.37", "nginx:1.7.9"])
    for event in cache.events:
        assert event.message == f"Success pull image {event.name}"
        assert (event.count, event.type) == (1, "Normal")
        assert event.first_timestamp == event.last_timestamp
        assert parse(event.first_timestamp) <= parse(cache.creation_time) + timedelta(seconds=total)


async def test_retention_days_expire_the_cache(eci_client: Client, clock: VirtualClock) -> None:
    cache_id = await create_cache(eci_client, "busybox:1.37", retention_days=1)
    clock.advance(build_seconds("busybox:1.37"))
    cache = await describe_cache(eci_client, cache_id)
    assert cache.status == "Ready"
    ready_at = parse(cache.events[-1].last_timestamp)
    assert seconds_between(cache.creation_time, cache.expire_date_time) >= 86400
    assert parse(cache.expire_date_time) >= ready_at
    clock.advance_to(parse(cache.expire_date_time) - timedelta(seconds=1))
    assert (await describe_cache(eci_client, cache_id)).status == "Ready"
    clock.advance(1)
    assert (await describe_cache(eci_client, cache_id)).status == "Expired"


async def test_an_unknown_image_fails_the_build_and_it_expires_a_day_later(
    eci_client: Client, clock: VirtualClock
) -> None:
    cache_id = await create_cache(eci_client, "nginx:0.0.0-no-such-tag")
    clock.advance(60)
    cache = await describe_cache(eci_client, cache_id)
    assert cache.status == "Failed"
    failure = next(e for e in cache.events if e.type == "Warning")
    assert "nginx:0.0.0-no-such-tag" in failure.message
    assert "manifest unknown" in failure.message
    assert seconds_between(failure.last_timestamp, cache.expire_date_time) == 86400
    clock.advance(86400)
    assert (await describe_cache(eci_client, cache_id)).status == "Expired"


async def test_a_cache_too_small_for_its_images_is_refused(eci_client: Client) -> None:
    error = await refused(create_cache(eci_client, HUGE, image_cache_size=20))
    assert error.code == "InvalidParameter"
    assert "ImageCacheSize" in error.message
    assert "20 GiB" in error.message


async def test_auto_match_reuses_layers_of_other_caches(
    eci_client: Client, clock: VirtualClock
) -> None:
    first = await create_cache(eci_client, "flink:seed", name="first")
    clock.advance(build_seconds("flink:seed"))
    assert (await describe_cache(eci_client, first)).status == "Ready"
    plain = await create_cache(eci_client, "flink:seed", name="plain")
    reused = await create_cache(
        eci_client, "flink:seed", name="reused", auto_match_image_cache=True
    )
    clock.advance(build_seconds("flink:seed"))
    assert (await describe_cache(eci_client, plain)).status == "Ready"
    reused_cache = await describe_cache(eci_client, reused)
    assert reused_cache.status == "Ready"
    plain_done = max(
        parse(e.last_timestamp) for e in (await describe_cache(eci_client, plain)).events
    )
    reused_done = max(parse(e.last_timestamp) for e in reused_cache.events)
    assert (plain_done - reused_done).total_seconds() > 20  # copying beats pulling


async def test_update_rebuilds_with_new_images(eci_client: Client, clock: VirtualClock) -> None:
    cache_id = await create_cache(eci_client, "busybox:1.37")
    error = await refused(
        eci_client.update_image_cache_async(
            eci_models.UpdateImageCacheRequest(
                region_id=REGION, image_cache_id=cache_id, image=["nginx:1.7.9"]
            )
        )
    )
    assert error.code == "IncorrectStatus"
    assert "Preparing" in error.message
    clock.advance(build_seconds("busybox:1.37"))
    await eci_client.update_image_cache_async(
        eci_models.UpdateImageCacheRequest(
            region_id=REGION, image_cache_id=cache_id, image=["busybox:1.37", "nginx:1.7.9"]
        )
    )
    cache = await describe_cache(eci_client, cache_id)
    assert cache.status == "Updating"
    clock.advance(build_seconds("busybox:1.37", "nginx:1.7.9"))
    cache = await describe_cache(eci_client, cache_id)
    assert (cache.status, cache.progress) == ("Ready", "100%")
    assert cache.images == ["busybox:1.37", "nginx:1.7.9"]
    busybox = next(e for e in cache.events if e.name == "busybox:1.37")
    assert busybox.count == 2  # pulled by the creation and by the update


async def test_describe_filters_and_match_image_ranking(
    eci_client: Client, clock: VirtualClock
) -> None:
    small = await create_cache(eci_client, "busybox:1.37", name="small")
    both = await create_cache(eci_client, "busybox:1.37", "nginx:1.7.9", name="both")
    clock.advance(build_seconds("busybox:1.37", "nginx:1.7.9"))

    async def query(**fields: Any) -> list[str]:
        request = eci_models.DescribeImageCachesRequest(region_id=REGION, **fields)
        body = (await eci_client.describe_image_caches_async(request)).body
        return [c.image_cache_id for c in body.image_caches]

    assert set(await query()) == {small, both}
    assert await query(image_cache_name="small") == [small]
    assert await query(image="nginx:1.7.9") == [both]
    assert await query(match_image=["busybox:1.37", "nginx:1.7.9"]) == [both, small]
    assert await query(match_image=["busybox:1.37", "nginx:1.7.9"], image_full_match=True) == [both]
    assert (
        await query(match_image=["nginx:1.7.9", "redis:8.10.1"], image_match_count_request=2) == []
    )
    snapshot = (await describe_cache(eci_client, small)).snapshot_id
    assert await query(snapshot_id=snapshot) == [small]


async def test_delete_and_client_token(eci_client: Client) -> None:
    first = await create_cache(eci_client, "busybox:1.37", client_token="token-1")
    assert await create_cache(eci_client, "busybox:1.37", client_token="token-1") == first
    await eci_client.delete_image_cache_async(
        eci_models.DeleteImageCacheRequest(region_id=REGION, image_cache_id=first)
    )
    error = await refused(
        eci_client.delete_image_cache_async(
            eci_models.DeleteImageCacheRequest(region_id=REGION, image_cache_id=first)
        )
    )
    assert error.code == "InvalidImageCacheId.NotFound"
    assert first in error.message


async def test_a_failed_update_keeps_the_cache_and_says_why(
    eci_client: Client, clock: VirtualClock
) -> None:
    cache_id = await create_cache(eci_client, "busybox:1.37")
    clock.advance(build_seconds("busybox:1.37"))
    await eci_client.update_image_cache_async(
        eci_models.UpdateImageCacheRequest(
            region_id=REGION, image_cache_id=cache_id, image=["nginx:0.0.0-no-such-tag"]
        )
    )
    assert (await describe_cache(eci_client, cache_id)).status == "Updating"
    clock.advance(60)
    cache = await describe_cache(eci_client, cache_id)
    assert cache.status == "UpdateFailed"
    failure = next(e for e in cache.events if e.type == "Warning")
    assert "manifest unknown" in failure.message
    # It can be updated again, and then it is Ready with the new images.
    await eci_client.update_image_cache_async(
        eci_models.UpdateImageCacheRequest(
            region_id=REGION, image_cache_id=cache_id, image=["nginx:1.7.9"]
        )
    )
    clock.advance(build_seconds("nginx:1.7.9"))
    cache = await describe_cache(eci_client, cache_id)
    assert (cache.status, cache.images) == ("Ready", ["nginx:1.7.9"])
