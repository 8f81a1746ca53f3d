"""Snapshot copies through the SDK: a batch from one cache past what its copies serve
creates disks slower; StandardCopyCount restores it, and FlashCopyCount while a flash
cache's local snapshot is what is served. Concurrency 2 here (1,000 by default)
so that the batch is small."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from alibabacloud_eci20180808.client import Client

from simulator.settings import SimulatorSettings
from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import container, create_group, describe
from tests.simulator.service.test_cache_flash import FLASH_SNAPSHOT_SECONDS, images_on_disk_seconds
from tests.simulator.service.test_cache_use import phases, ready_cache
from tests.simulator.service.test_imagecaches import build_seconds, create_cache, describe_cache


@pytest.fixture
def eci_settings(eci_settings: SimulatorSettings, tmp_path: Path) -> SimulatorSettings:
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"snapshot_copy_concurrency": 2}))
    return dataclasses.replace(eci_settings, time_model_path=model)


async def batch_preparation(client: Client, clock: VirtualClock, cache_id: str) -> list[str]:
    ids = [
        await create_group(
            client, container("app", "flink:seed"), image_snapshot_id=cache_id, name=f"b{n}"
        )
        for n in range(3)
    ]
    clock.advance(60)
    messages = [phases(await describe(client, group_id))["Pulled"].message for group_id in ids]
    return [m.split(" in ")[1].split("s")[0] for m in messages]


async def test_one_copy_slows_the_third_instance_and_two_copies_do_not(
    eci_client: Client, clock: VirtualClock
) -> None:
    one = await ready_cache(eci_client, clock, "flink:seed", name="one-copy")
    assert await batch_preparation(eci_client, clock, one) == ["5.000", "5.000", "6.500"]
    clock.advance(60)  # past the batch window: a new batch
    two = await create_cache(eci_client, "flink:seed", name="two-copies", standard_copy_count=2)
    clock.advance(build_seconds("flink:seed"))
    assert await batch_preparation(eci_client, clock, two) == ["5.000", "5.000", "5.000"]


async def test_flash_copies_serve_while_the_local_snapshot_does_then_standard_ones(
    eci_client: Client, clock: VirtualClock
) -> None:
    flash = await create_cache(
        eci_client, "flink:seed", name="flash-copies", flash=True, flash_copy_count=2
    )
    usable = images_on_disk_seconds("flink:seed") + FLASH_SNAPSHOT_SECONDS
    clock.advance(usable)
    assert (await describe_cache(eci_client, flash)).status == "Ready"
    # The local snapshot is served, with its two copies: the third instance is not slowed.
    assert await batch_preparation(eci_client, clock, flash) == ["5.000", "5.000", "5.000"]
    done = build_seconds("flink:seed") + FLASH_SNAPSHOT_SECONDS
    clock.advance(max(done - usable - 60, 0) + 60)  # regular snapshot done, new batch window
    assert (await describe_cache(eci_client, flash)).flash_snapshot_id == ""
    # Now the regular snapshot serves, with StandardCopyCount's default of one copy.
    assert await batch_preparation(eci_client, clock, flash) == ["5.000", "5.000", "6.500"]
