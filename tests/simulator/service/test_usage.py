"""ListUsage through the SDK: the vCPUs the region's instances hold and its image caches."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.settings import ImageCacheSettings
from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import REGION, container, create_group, refused
from tests.simulator.service.test_cache_auto import all_caches
from tests.simulator.service.test_imagecaches import create_cache

OTHER_REGION = "cn-beijing"


async def usage(client: Client, region_id: str = REGION) -> dict[str, Any]:
    response = await client.list_usage_async(eci_models.ListUsageRequest(region_id=region_id))
    return dict(response.body.attributes)


@pytest.mark.parametrize("eci", [{"image_caches": ImageCacheSettings(quota=7)}], indirect=True)
async def test_usage_counts_the_vcpus_instances_hold_and_the_caches_by_origin(
    eci_client: Client, clock: VirtualClock
) -> None:
    empty = await usage(eci_client)
    assert empty == {
        "UsedCpu": 0,
        "MaxCpu": 1000,
        "UsedImageCacheCount": 0,
        "MaxImageCacheCount": 7,
        "UsedAutoImageCacheCount": 0,
        "MaxAutoImageCacheCount": 7,
        "UsedDataCacheCount": 0,
        "MaxDataCacheCount": 0,
    }
    web = await create_group(eci_client, container("web", "nginx:1.27"), cpu=2.0, memory=4.0)
    await create_group(
        eci_client,
        container("job", "busybox:1.37", command=["sh", "-c", "sleep 5"]),
        name="job",
        cpu=0.5,
        memory=1.0,
        restart_policy="Never",
        auto_match_image_cache=True,
    )
    # 128 vCPUs no zone has in stock: Scheduling now, ScheduleFailed in a few seconds.
    await create_group(
        eci_client, container("big", "nginx:1.27"), name="big", instance_type="ecs.g7.32xlarge"
    )
    await create_cache(eci_client, "flink:seed", name="manual")
    assert (await usage(eci_client))["UsedCpu"] == 130.5
    clock.advance(600)
    # The job finished and the big group failed to schedule: they keep their records, not
    # their vCPUs. The job's miss built an automatic cache.
    assert len(await all_caches(eci_client)) == 2
    after = await usage(eci_client)
    assert (after["UsedCpu"], after["UsedImageCacheCount"], after["UsedAutoImageCacheCount"]) == (
        2.0,
        1,
        1,
    )
    await eci_client.delete_container_group_async(
        eci_models.DeleteContainerGroupRequest(region_id=REGION, container_group_id=web)
    )
    assert (await usage(eci_client))["UsedCpu"] == 0
    # Another region's figures are its own.
    await create_group(eci_client, container("web", "nginx:1.27"), cpu=2.0, memory=4.0)
    elsewhere = await usage(eci_client, OTHER_REGION)
    assert (elsewhere["UsedCpu"], elsewhere["UsedImageCacheCount"]) == (0, 0)


async def test_usage_refuses_a_missing_or_unknown_region(eci_client: Client) -> None:
    missing = await refused(eci_client.list_usage_async(eci_models.ListUsageRequest()))
    assert missing.code == "MissingParameter"
    assert "RegionId" in missing.message
    unknown = await refused(
        eci_client.list_usage_async(eci_models.ListUsageRequest(region_id="xx-nowhere-1"))
    )
    assert unknown.code == "InvalidRegionId"
    assert "xx-nowhere-1" in unknown.message
