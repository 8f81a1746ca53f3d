"""Regions partition the data: each call is answered from its RegionId's groups and caches only.

DescribeRegions lists every served region (ECI's public list by default, the
home region first); a group or cache made in one region is invisible from
another, ClientTokens are per region, and a region the simulator does not
serve is refused alike by every operation.
"""

from __future__ import annotations

import json

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.request import RpcRequest
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
from tests.simulator.service.conftest import REGION, container, create_group, refused

BEIJING = "cn-beijing"


async def create_in(client: Client, region_id: str, *, name: str = "g0", **fields: object) -> str:
    request = eci_models.CreateContainerGroupRequest(
        region_id=region_id,
        container_group_name=name,
        container=[container("c", "nginx:1.7.9")],
        **fields,
    )
    return str((await client.create_container_group_async(request)).body.container_group_id)


async def list_ids(client: Client, region_id: str) -> list[str]:
    request = eci_models.DescribeContainerGroupsRequest(region_id=region_id)
    body = (await client.describe_container_groups_async(request)).body
    return [group.container_group_id for group in body.container_groups]


async def test_describe_regions_lists_ecis_public_regions_with_endpoints(
    eci_client: Client,
) -> None:
    request = eci_models.DescribeRegionsRequest(region_id=REGION)
    regions = (await eci_client.describe_regions_async(request)).body.regions
    assert regions[0].region_id == REGION
    assert regions[0].zones == ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"]
    by_id = {region.region_id: region for region in regions}
    assert {"cn-beijing", "cn-shanghai", "cn-shenzhen", "ap-southeast-1", "us-west-1"} <= set(by_id)
    assert len(by_id) == len(regions)
    assert by_id[BEIJING].region_endpoint == "eci.cn-beijing.aliyuncs.com"
    assert all(zone.startswith(f"{BEIJING}-") for zone in by_id[BEIJING].zones)
    assert by_id[BEIJING].recommend_zones == by_id[BEIJING].zones


async def test_a_group_is_seen_only_from_its_own_region(
    eci_client: Client, clock: VirtualClock
) -> None:
    hangzhou = await create_group(eci_client, container("c", "nginx:1.7.9"), name="hz")
    beijing = await create_in(eci_client, BEIJING, name="bj", zone_id="cn-beijing-h")
    assert await list_ids(eci_client, REGION) == [hangzhou]
    assert await list_ids(eci_client, BEIJING) == [beijing]
    by_id = eci_models.DescribeContainerGroupsRequest(
        region_id=BEIJING, container_group_ids=json.dumps([hangzhou, beijing])
    )
    groups = (await eci_client.describe_container_groups_async(by_id)).body.container_groups
    assert [(g.container_group_id, g.region_id, g.zone_id) for g in groups] == [
        (beijing, BEIJING, "cn-beijing-h")
    ]
    clock.advance(120)
    status = eci_models.DescribeContainerGroupStatusRequest(
        region_id=BEIJING, container_group_ids=json.dumps([hangzhou])
    )
    assert (await eci_client.describe_container_group_status_async(status)).body.data == []
    log = eci_models.DescribeContainerLogRequest(
        region_id=BEIJING, container_group_id=hangzhou, container_name="c"
    )
    error = await refused(eci_client.describe_container_log_async(log))
    assert error.code == "InvalidContainerGroupId.NotFound"
    delete = eci_models.DeleteContainerGroupRequest(region_id=BEIJING, container_group_id=hangzhou)
    error = await refused(eci_client.delete_container_group_async(delete))
    assert error.code == "InvalidContainerGroupId.NotFound"
    assert await list_ids(eci_client, REGION) == [hangzhou]  # untouched by the refused delete


async def test_a_zone_of_another_region_is_refused(eci_client: Client) -> None:
    error = await refused(create_in(eci_client, BEIJING, zone_id="cn-hangzhou-h"))
    assert error.code == "InvalidZoneId"
    assert "cn-hangzhou-h" in error.message


async def test_client_tokens_are_per_region(eci_client: Client) -> None:
    first = await create_group(
        eci_client, container("c", "nginx:1.7.9"), name="aa", client_token="same-token"
    )
    again = await create_group(
        eci_client, container("c", "nginx:1.7.9"), name="aa", client_token="same-token"
    )
    elsewhere = await create_in(eci_client, BEIJING, name="aa", client_token="same-token")
    assert again == first
    assert elsewhere != first
    assert await list_ids(eci_client, BEIJING) == [elsewhere]


async def test_an_image_cache_is_seen_and_used_only_in_its_own_region(
    eci_client: Client, clock: VirtualClock
) -> None:
    create = eci_models.CreateImageCacheRequest(
        region_id=REGION, image_cache_name="hz-cache", image=["nginx:1.7.9"]
    )
    cache_id = (await eci_client.create_image_cache_async(create)).body.image_cache_id
    clock.advance(3600)
    listing = eci_models.DescribeImageCachesRequest(region_id=BEIJING)
    assert (await eci_client.describe_image_caches_async(listing)).body.image_caches == []
    home = eci_models.DescribeImageCachesRequest(region_id=REGION)
    caches = (await eci_client.describe_image_caches_async(home)).body.image_caches
    assert [(c.image_cache_id, c.region_id, c.status) for c in caches] == [
        (cache_id, REGION, "Ready")
    ]
    error = await refused(create_in(eci_client, BEIJING, image_snapshot_id=cache_id))
    assert error.code == "InvalidImageSnapshotId.NotFound"
    auto = await create_in(eci_client, BEIJING, auto_match_image_cache=True)
    clock.advance(120)
    groups = eci_models.DescribeContainerGroupsRequest(
        region_id=BEIJING, container_group_ids=json.dumps([auto])
    )
    body = await eci_client.describe_container_groups_async(groups)
    # no cache in cn-beijing: the image comes from the registry, the Pulled event says so
    pulled = [e.message for e in body.body.container_groups[0].events if e.reason == "Pulled"]
    assert len(pulled) == 1
    assert "downloaded" in pulled[0]
    assert "image cache" not in pulled[0]
    remove = eci_models.DeleteImageCacheRequest(region_id=BEIJING, image_cache_id=cache_id)
    assert (await refused(eci_client.delete_image_cache_async(remove))).status_code == 404
    assert len((await eci_client.describe_image_caches_async(home)).body.image_caches) == 1


def every_operation() -> list[RpcRequest]:
    """One request of each modelled operation, with its own required parameters set."""
    create = CreateContainerGroupRequest()
    create.set_ContainerGroupName("nowhere")
    create.set_Containers([{"Name": "c", "Image": "nginx:1.7.9"}])
    log = DescribeContainerLogRequest()
    log.set_ContainerGroupId("eci-2ze0000000000001")
    log.set_ContainerName("c")
    delete = DeleteContainerGroupRequest()
    delete.set_ContainerGroupId("eci-2ze0000000000001")
    cache = CreateImageCacheRequest()
    cache.set_ImageCacheName("nowhere")
    cache.set_Images(["nginx:1.7.9"])
    update = UpdateImageCacheRequest()
    update.set_ImageCacheId("imc-2ze0000000000001")
    delete_cache = DeleteImageCacheRequest()
    delete_cache.set_ImageCacheId("imc-2ze0000000000001")
    return [
        DescribeRegionsRequest(),
        create,
        DescribeContainerGroupsRequest(),
        DescribeContainerGroupStatusRequest(),
        DescribeContainerGroupEventsRequest(),
        log,
        delete,
        cache,
        DescribeImageCachesRequest(),
        update,
        delete_cache,
    ]


@pytest.mark.parametrize(
    "request_", every_operation(), ids=lambda request: request.get_action_name()
)
async def test_an_unknown_region_is_refused_alike_by_every_operation(
    eci: EciTarget, request_: RpcRequest
) -> None:
    # the old SDK sends the client's region as RegionId when the request has none
    nowhere = LegacyEci(eci, region_id="xx-nowhere-1")
    with pytest.raises(ServerException) as raised:
        await nowhere.call(request_)
    assert raised.value.get_error_code() == "InvalidRegionId"
    assert raised.value.get_http_status() == 400
    assert '"xx-nowhere-1"' in raised.value.get_error_msg()
    assert await list_ids(Client(eci.sdk_config()), REGION) == []
