"""DescribeAvailableResource through the SDK: the families and types the simulator sells."""

from __future__ import annotations

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from Tea.exceptions import TeaException

from tests.simulator.service.conftest import REGION

Destination = eci_models.DescribeAvailableResourceRequestDestinationResource


async def test_known_types_are_in_stock_in_every_zone(eci_client: Client) -> None:
    response = await eci_client.describe_available_resource_async(
        eci_models.DescribeAvailableResourceRequest(
            region_id=REGION,
            destination_resource=Destination(
                category="InstanceType", value=["ecs.c6.large", "ecs.x9.tiny"]
            ),
        )
    )
    zones = response.body.available_zones.available_zone
    assert [z.zone_id for z in zones] == ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"]
    (resource,) = zones[0].available_resources.available_resource
    assert resource.type == "InstanceType"
    supported = resource.supported_resources.supported_resource
    assert [(s.value, s.status_category) for s in supported] == [("ecs.c6.large", "WithStock")]


async def test_a_bad_category_or_zone_is_refused(eci_client: Client) -> None:
    for destination, zone in (
        (Destination(category="Gpu"), None),
        (Destination(category="InstanceTypeFamily"), "cn-beijing-a"),
    ):
        with pytest.raises(TeaException) as refused:
            await eci_client.describe_available_resource_async(
                eci_models.DescribeAvailableResourceRequest(
                    region_id=REGION, destination_resource=destination, zone_id=zone
                )
            )
        assert refused.value.code == "InvalidParameter"
