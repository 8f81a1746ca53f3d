"""Cost next to time: DescribeContainerGroupPrice and each cache's build and storage cost,
checked by hand against ECI's published formula and unit prices."""

from __future__ import annotations

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import REGION, container, create_group, refused
from tests.simulator.service.test_imagecaches import build_seconds, create_cache

VCPU_USD_PER_SECOND = 0.0000077  # ECI's "Image caches" billing page
MEMORY_USD_PER_GIB_SECOND = 0.00000096
ESSD_PL1_USD_PER_GIB_SECOND = 0.15 / (730 * 3600)  # assumed: USD 0.15 per GiB-month


async def test_the_price_of_a_two_vcpu_four_gib_instance_for_an_hour(eci_client: Client) -> None:
    response = await eci_client.describe_container_group_price_async(
        eci_models.DescribeContainerGroupPriceRequest(region_id=REGION, cpu=2.0, memory=4.0)
    )
    price = response.body.price_info.price
    by_hand = (2 * 0.0000077 + 4 * 0.00000096) * 3600  # = 0.069264 USD
    assert price.currency == "USD"
    assert price.trade_price == round(by_hand, 6) == 0.069264
    details = {d.resource: d.trade_price for d in price.detail_infos.detail_info}
    assert details == {"vCPU": 0.05544, "Memory": 0.013824}


async def test_instance_types_are_refused_not_priced_wrongly(eci_client: Client) -> None:
    error = await refused(
        eci_client.describe_container_group_price_async(
            eci_models.DescribeContainerGroupPriceRequest(
                region_id=REGION, instance_type="ecs.c6.large"
            )
        )
    )
    assert error.code == "InvalidParameter"
    assert "InstanceType" in error.message


async def test_a_manual_cache_costs_its_build_and_an_automatic_one_is_free(
    eci: EciTarget, eci_client: Client, clock: VirtualClock
) -> None:
    await create_cache(eci_client, "flink:seed", name="manual")
    await create_group(eci_client, container("web", "nginx:1.7.9"), auto_match_image_cache=True)
    clock.advance(max(build_seconds("flink:seed"), build_seconds("nginx:1.7.9")))
    raw = await eci.simulator.service.call("DescribeImageCaches", {"RegionId": REGION})
    costs = {c["Source"]: c["Cost"] for c in raw["ImageCaches"]}
    seconds = build_seconds("flink:seed")
    by_hand = (
        2 * VCPU_USD_PER_SECOND + 4 * MEMORY_USD_PER_GIB_SECOND + 20 * ESSD_PL1_USD_PER_GIB_SECOND
    ) * seconds
    assert costs["Manual"]["BuildUsd"] == round(by_hand, 6)
    assert costs["Manual"]["BuildUsd"] > 0
    assert costs["Automatic"]["BuildUsd"] == 0.0
    assert costs["Manual"]["SnapshotUsdPerMonth"] > costs["Automatic"]["SnapshotUsdPerMonth"] > 0
