"""Flash caches: usable from a local snapshot before the regular snapshot is done."""

from __future__ import annotations

from alibabacloud_eci20180808.client import Client

from simulator.registry.catalog import Catalog
from simulator.timemodel.clock import VirtualClock
from simulator.timemodel.model import plan_cache_build
from simulator.timemodel.plans import StepKind
from simulator.timemodel.settings import TimeModelSettings
from tests.simulator.service.conftest import container, create_group, describe
from tests.simulator.service.test_cache_use import phases
from tests.simulator.service.test_imagecaches import build_seconds, create_cache, describe_cache

FLASH_SNAPSHOT_SECONDS = TimeModelSettings().flash_snapshot_seconds


def images_on_disk_seconds(reference: str) -> float:
    """Offset at which the build's images are on its disk: where the snapshot starts."""
    catalog = Catalog.builtin()
    plan = plan_cache_build(
        model=TimeModelSettings(), images=[catalog.pause_image, catalog.resolve(reference)]
    )
    (snapshot,) = [s for s in plan.steps if s.kind is StepKind.CREATE_SNAPSHOT]
    return round(snapshot.start_seconds, 3)


async def test_a_flash_cache_is_ready_sooner_and_its_local_snapshot_goes_later(
    eci_client: Client, clock: VirtualClock
) -> None:
    standard = await create_cache(eci_client, "flink:seed", name="standard")
    flash = await create_cache(eci_client, "flink:seed", name="flash", flash=True)
    usable = images_on_disk_seconds("flink:seed") + FLASH_SNAPSHOT_SECONDS
    full = build_seconds("flink:seed")
    assert usable < full  # flink:seed's regular snapshot takes longer than the local one
    clock.advance(usable - 0.001)
    assert (await describe_cache(eci_client, flash)).status == "Creating"
    clock.advance(0.001)
    cache = await describe_cache(eci_client, flash)
    assert cache.status == "Ready"
    assert int(cache.progress.rstrip("%")) < 100  # the regular snapshot's progress
    assert cache.flash_snapshot_id.startswith("s-")
    assert cache.flash_snapshot_id != cache.snapshot_id
    assert (await describe_cache(eci_client, standard)).status == "Creating"
    # A group may start from it now, in the cached time.
    group_id = await create_group(
        eci_client, container("app", "flink:seed"), image_snapshot_id=flash
    )
    clock.advance(full + FLASH_SNAPSHOT_SECONDS - usable)
    assert "in 5.000s" in phases(await describe(eci_client, group_id))["Pulled"].message
    cache = await describe_cache(eci_client, flash)
    assert (cache.status, cache.progress, cache.flash_snapshot_id) == ("Ready", "100%", "")
    assert (await describe_cache(eci_client, standard)).status == "Ready"
