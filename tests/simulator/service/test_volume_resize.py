"""ResizeContainerGroupVolume through the SDK: a disk volume grows, and what ECI refuses."""

from __future__ import annotations

from typing import Any, cast

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_eci20180808.models import CreateContainerGroupRequestVolume as Volume
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_openapi.models import OpenApiRequest, Params
from alibabacloud_tea_util.models import RuntimeOptions

from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import REGION, container, create_group, describe, refused


def volumes() -> list[Volume]:
    return [
        Volume(
            name="data",
            type="DiskVolume",
            disk_volume=eci_models.CreateContainerGroupRequestVolumeDiskVolume(
                disk_id="d-data", disk_size=40, fs_type="ext4"
            ),
        ),
        Volume(name="scratch", type="EmptyDirVolume"),
    ]


async def running_group(client: Client, clock: VirtualClock) -> str:
    group_id = await create_group(
        client, container("web", "nginx:1.27"), volume=volumes(), name="disks"
    )
    clock.advance(120)
    assert (await describe(client, group_id)).status == "Running"
    return group_id


def resize(client: Client, group_id: str, volume: str | None, size: int | None) -> Any:
    return client.resize_container_group_volume_async(
        eci_models.ResizeContainerGroupVolumeRequest(
            region_id=REGION, container_group_id=group_id, volume_name=volume, new_size=size
        )
    )


async def disk_size(client: Client, group_id: str) -> str:
    """`DiskVolumeDiskSize` of volume "data" as DescribeContainerGroups answers it (raw JSON:
    the SDK's Describe model has no field for it)."""
    params = Params(
        action="DescribeContainerGroups",
        version="2018-08-08",
        protocol="HTTP",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    query = {"RegionId": REGION, "ContainerGroupIds": f'["{group_id}"]'}
    answer = await OpenApiClient.call_api_async(
        client, params, OpenApiRequest(query=query), RuntimeOptions()
    )
    (group,) = cast(dict[str, Any], answer)["body"]["ContainerGroups"]
    (data,) = [v for v in group["Volumes"] if v["Name"] == "data"]
    return str(data["DiskVolumeDiskSize"])


async def test_a_disk_volume_grows_and_describe_shows_the_new_size(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await running_group(eci_client, clock)
    assert await disk_size(eci_client, group_id) == "40"
    await resize(eci_client, group_id, "data", 100)
    assert await disk_size(eci_client, group_id) == "100"
    await resize(eci_client, group_id, "data", 100)  # the same size: the file system only
    assert await disk_size(eci_client, group_id) == "100"
    shrink = await refused(resize(eci_client, group_id, "data", 60))
    assert (shrink.code, shrink.data["statusCode"]) == ("InvalidParameter", 400)
    assert "NewSize" in shrink.message
    assert "only grow" in shrink.message
    assert await disk_size(eci_client, group_id) == "100"
    # The group keeps running and its containers were not restarted by it.
    group = await describe(eci_client, group_id)
    assert (group.status, group.containers[0].restart_count) == ("Running", 0)


async def test_only_a_disk_volume_of_an_existing_running_group_is_resized(
    eci_client: Client, clock: VirtualClock
) -> None:
    pending = await create_group(
        eci_client, container("web", "nginx:1.27"), volume=volumes(), name="pending"
    )
    early = await refused(resize(eci_client, pending, "data", 100))
    assert (early.code, early.data["statusCode"]) == ("IncorrectStatus", 400)
    group_id = await running_group(eci_client, clock)
    empty_dir = await refused(resize(eci_client, group_id, "scratch", 100))
    assert (empty_dir.code, empty_dir.data["statusCode"]) == ("InvalidVolumeType", 403)
    assert "EmptyDirVolume" in empty_dir.message
    unknown_volume = await refused(resize(eci_client, group_id, "logs", 100))
    assert unknown_volume.code == "InvalidParameter"
    assert "data, scratch" in unknown_volume.message
    unknown_group = await refused(resize(eci_client, "eci-doesnotexist", "data", 100))
    assert (unknown_group.code, unknown_group.data["statusCode"]) == (
        "InvalidContainerGroupId.NotFound",
        404,
    )
    foreign = await refused(
        eci_client.resize_container_group_volume_async(
            eci_models.ResizeContainerGroupVolumeRequest(
                region_id="cn-beijing", container_group_id=group_id, volume_name="data", new_size=80
            )
        )
    )
    assert foreign.code == "InvalidContainerGroupId.NotFound"
    assert await disk_size(eci_client, group_id) == "40"


@pytest.mark.parametrize(
    ("volume", "size", "code", "named"),
    [
        (None, 100, "MissingParameter", "VolumeName"),
        ("data", None, "MissingParameter", "NewSize"),
        ("data", 4, "InvalidParameter", "NewSize"),
        ("data", 32769, "InvalidParameter", "NewSize"),
    ],
)
async def test_missing_and_out_of_range_parameters_are_refused(
    eci_client: Client,
    clock: VirtualClock,
    volume: str | None,
    size: int | None,
    code: str,
    named: str,
) -> None:
    group_id = await running_group(eci_client, clock)
    error = await refused(resize(eci_client, group_id, volume, size))
    assert error.code == code
    assert named in error.message
    assert await disk_size(eci_client, group_id) == "40"
