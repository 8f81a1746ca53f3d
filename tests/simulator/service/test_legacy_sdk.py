"""A script written against ECI with the older SDK (`aliyun-python-sdk-eci`) runs unchanged.

Every operation the simulator models is driven with the older SDK (RPC
signature 1.0, query parameters, its own request classes) and its result is
read back with the newest SDK, so both see one and the same service.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkeci.request.v20180808.CommitContainerRequest import CommitContainerRequest
from aliyunsdkeci.request.v20180808.CreateContainerGroupRequest import (
    CreateContainerGroupRequest,
)
from aliyunsdkeci.request.v20180808.CreateImageCacheRequest import CreateImageCacheRequest
from aliyunsdkeci.request.v20180808.DeleteContainerGroupRequest import (
    DeleteContainerGroupRequest,
)
from aliyunsdkeci.request.v20180808.DeleteImageCacheRequest import DeleteImageCacheRequest
from aliyunsdkeci.request.v20180808.DescribeContainerGroupEventsRequest import (
    DescribeContainerGroupEventsRequest,
)
from aliyunsdkeci.request.v20180808.DescribeContainerGroupsRequest import (
    DescribeContainerGroupsRequest,
)
from aliyunsdkeci.request.v20180808.DescribeContainerGroupStatusRequest import (
    DescribeContainerGroupStatusRequest,
)
from aliyunsdkeci.request.v20180808.DescribeContainerLogRequest import (
    DescribeContainerLogRequest,
)
from aliyunsdkeci.request.v20180808.DescribeImageCachesRequest import DescribeImageCachesRequest
from aliyunsdkeci.request.v20180808.DescribeRegionsRequest import DescribeRegionsRequest
from aliyunsdkeci.request.v20180808.UpdateImageCacheRequest import UpdateImageCacheRequest

from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.fixtures.legacy_eci import LegacyEci
from tests.simulator.service.conftest import REGION, describe


@pytest.fixture
def legacy(eci: EciTarget) -> LegacyEci:
    return LegacyEci(eci)


async def create_group(legacy: LegacyEci, name: str) -> str:
    request = CreateContainerGroupRequest()
    request.set_ContainerGroupName(name)
    request.set_Containers([{"Name": "app", "Image": "nginx:1.7.9", "Cpu": 1.0, "Memory": 2.0}])
    request.set_ClientToken(f"token-{name}")
    body = await legacy.call(request)
    return str(body["ContainerGroupId"])


async def test_container_group_operations(
    legacy: LegacyEci, eci_client: Client, clock: VirtualClock
) -> None:
    regions = await legacy.call(DescribeRegionsRequest())
    listed = [region["RegionId"] for region in regions["Regions"]]
    assert listed[0] == REGION
    assert {"cn-beijing", "cn-shanghai", "ap-southeast-1"} <= set(listed)

    group_id = await create_group(legacy, "legacy-web")
    assert group_id.startswith("eci-")
    assert await create_group(legacy, "legacy-web") == group_id  # same ClientToken, same group
    seen = await describe(eci_client, group_id)  # the newest SDK sees what the old one made
    assert seen.container_group_name == "legacy-web"
    assert seen.containers[0].image == "nginx:1.7.9"

    clock.advance(120)
    listing = DescribeContainerGroupsRequest()
    listing.set_ContainerGroupIds(json.dumps([group_id]))
    groups = (await legacy.call(listing))["ContainerGroups"]
    assert [(g["ContainerGroupId"], g["Status"]) for g in groups] == [(group_id, "Running")]
    assert groups[0]["Containers"][0]["CurrentState"]["State"] == "Running"

    status = DescribeContainerGroupStatusRequest()
    status.set_ContainerGroupIds(json.dumps([group_id]))
    data = (await legacy.call(status))["Data"]
    assert [(item["ContainerGroupId"], item["Status"]) for item in data] == [(group_id, "Running")]

    logs = DescribeContainerLogRequest()
    logs.set_ContainerGroupId(group_id)
    logs.set_ContainerName("app")
    log_body = await legacy.call(logs)
    assert log_body["ContainerName"] == "app"
    assert log_body["Content"]

    events = DescribeContainerGroupEventsRequest()
    events.set_RegionId(REGION)
    events.set_ContainerGroupIds(json.dumps([group_id]))
    event_body = await legacy.call(events)
    reasons = {event["Reason"] for item in event_body["Data"] for event in item["Events"]}
    assert {"Pulled", "Started"} <= reasons

    delete = DeleteContainerGroupRequest()
    delete.set_ContainerGroupId(group_id)
    assert set(await legacy.call(delete)) == {"RequestId"}
    gone = eci_models.DescribeContainerGroupsRequest(
        region_id=REGION, container_group_ids=json.dumps([group_id])
    )
    clock.advance(60)
    remaining = (await eci_client.describe_container_groups_async(gone)).body.container_groups
    assert [g.status for g in remaining] in ([], ["Terminating"])


async def test_image_cache_operations(
    legacy: LegacyEci, eci_client: Client, clock: VirtualClock
) -> None:
    create = CreateImageCacheRequest()
    create.set_ImageCacheName("legacy-cache")
    create.set_Images(["busybox:1.37"])
    create.set_SecurityGroupId("sg-legacy")
    create.set_VSwitchId("vsw-legacy")
    cache_id = str((await legacy.call(create))["ImageCacheId"])
    assert cache_id.startswith("imc-")

    clock.advance(3600)
    describe_caches = DescribeImageCachesRequest()
    describe_caches.set_ImageCacheId(cache_id)
    caches = (await legacy.call(describe_caches))["ImageCaches"]
    assert [(c["ImageCacheId"], c["Status"], c["Progress"]) for c in caches] == [
        (cache_id, "Ready", "100%")
    ]

    update = UpdateImageCacheRequest()
    update.set_ImageCacheId(cache_id)
    update.set_Images(["busybox:1.37", "nginx:1.7.9"])
    await legacy.call(update)
    seen = await eci_client.describe_image_caches_async(
        eci_models.DescribeImageCachesRequest(region_id=REGION, image_cache_id=cache_id)
    )
    assert seen.body.image_caches[0].status == "Updating"

    clock.advance(3600)
    delete = DeleteImageCacheRequest()
    delete.set_ImageCacheId(cache_id)
    await legacy.call(delete)
    left = await legacy.call(describe_caches)
    assert left["ImageCaches"] == []


async def legacy_refused(legacy: LegacyEci, request: Any) -> ServerException:
    with pytest.raises(ServerException) as raised:
        await legacy.call(request)
    return raised.value


async def test_an_operation_the_simulator_does_not_model_is_not_found(legacy: LegacyEci) -> None:
    request = CommitContainerRequest()
    request.set_ContainerGroupId("eci-2ze0000000000001")
    request.set_action_name("DescribeEverything")  # an action ECI does not have
    error = await legacy_refused(legacy, request)
    assert error.get_error_code() == "InvalidAction.NotFound"
    assert error.get_http_status() == 404


async def test_an_operation_the_account_may_not_use_is_refused_by_name(
    legacy: LegacyEci,
) -> None:
    request = CommitContainerRequest()
    request.set_ContainerGroupId("eci-2ze0000000000001")
    error = await legacy_refused(legacy, request)
    assert error.get_error_code() == "ActionUnauthorized"
    assert error.get_http_status() == 403
    assert "CommitContainer" in error.get_error_msg()


async def test_domain_errors_reach_the_old_sdk_with_ecis_code(legacy: LegacyEci) -> None:
    delete = DeleteContainerGroupRequest()
    delete.set_ContainerGroupId("eci-2ze0000000000404")
    error = await legacy_refused(legacy, delete)
    assert error.get_http_status() == 404
    assert "eci-2ze0000000000404" in error.get_error_msg()
