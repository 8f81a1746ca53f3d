"""Cost next to time: DescribeContainerGroupPrice, each group's charges and each cache's
build and storage cost, checked by hand against ECI's published formulas and unit prices.

The charges are not ECI fields (the SDK models drop them), so they are read raw, through
the SDK's generic `call_api` over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_openapi_util.client import Client as OpenApiUtilClient
from alibabacloud_tea_openapi.models import OpenApiRequest, Params
from alibabacloud_tea_util.models import RuntimeOptions

from simulator.registry.catalog import Catalog
from simulator.settings import PriceSettings
from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import (
    REGION,
    container,
    create_group,
    parse,
    refused,
    seconds_between,
)
from tests.simulator.service.test_imagecaches import build_seconds, create_cache

# ECI's "Image caches" billing page:
VCPU_USD_PER_SECOND = 0.0000077
MEMORY_USD_PER_GIB_SECOND = 0.00000096
# "Billing of temporary storage space": PL1 ESSD, USD 0.03188 per 100 GiB per hour.
ESSD_PL1_USD_PER_GIB_SECOND = 0.03188 / 100 / 3600
# ECS "Snapshot billing": USD 0.0173 per GiB-month; a month is 730 hours.
SNAPSHOT_USD_PER_GIB_SECOND = 0.0173 / (730 * 3600)
GIB = 1024**3


async def raw(client: Client, action: str, **query: str) -> dict[str, Any]:
    """One action's whole JSON body, fields the SDK's models lack included."""
    params = Params(
        action=action,
        version="2018-08-08",
        protocol="HTTP",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    request = OpenApiRequest(query=OpenApiUtilClient.query({"RegionId": REGION, **query}))
    response = await client.call_api_async(params, request, RuntimeOptions())
    body: dict[str, Any] = response["body"]
    return body


async def group_raw(client: Client, group_id: str) -> dict[str, Any]:
    body = await raw(client, "DescribeContainerGroups", ContainerGroupIds=f'["{group_id}"]')
    [group] = body["ContainerGroups"]
    return dict(group)


async def cache_raw(client: Client, cache_id: str) -> dict[str, Any]:
    [cache] = (await raw(client, "DescribeImageCaches", ImageCacheId=cache_id))["ImageCaches"]
    return dict(cache)


async def test_the_price_of_a_two_vcpu_four_gib_instance_per_second(eci_client: Client) -> None:
    response = await eci_client.describe_container_group_price_async(
        eci_models.DescribeContainerGroupPriceRequest(region_id=REGION, cpu=2.0, memory=4.0)
    )
    price = response.body.price_info.price
    by_hand = 2 * 0.0000077 + 4 * 0.00000096  # = 0.00001924 USD per second
    assert price.currency == "USD"
    assert price.trade_price == price.original_price == round(by_hand, 10) == 0.00001924
    assert price.discount_price == 0
    assert round(price.trade_price * 3600, 6) == 0.069264  # an hour of it
    details = {d.resource: d.trade_price for d in price.detail_infos.detail_info}
    assert details == {"CPU": 0.0000154, "Memory": 0.00000384}


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


async def test_a_pod_is_billed_from_its_image_pull_until_it_succeeds(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client,
        container("job", "busybox:1.37", command=["sleep", "30"]),
        restart_policy="Never",
        cpu=2.0,
        memory=4.0,
        ephemeral_storage=50,
    )
    clock.advance(600)  # long past its end: a stopped instance is no longer billed
    group = await group_raw(eci_client, group_id)
    assert group["Status"] == "Succeeded"
    phases, cost = group["SimulatedPhases"], group["SimulatedCost"]
    billed = phases["ImagePreparationSeconds"] + phases["ContainerStartSeconds"] + 30
    assert (
        cost["BilledSeconds"]
        == billed
        == seconds_between(phases["ScheduledTime"], group["SucceededTime"])
    )
    assert cost["StartupSeconds"] == seconds_between(phases["ScheduledTime"], phases["RunningTime"])
    instance = (2 * VCPU_USD_PER_SECOND + 4 * MEMORY_USD_PER_GIB_SECOND) * billed
    storage = 50 * ESSD_PL1_USD_PER_GIB_SECOND * billed  # the EphemeralStorage increase
    assert cost["VCpuUsd"] + cost["MemoryUsd"] == round(instance, 9)
    assert (cost["TemporaryStorageGiB"], cost["TemporaryStorageUsd"]) == (50, round(storage, 9))
    assert (cost["CacheDiskGiB"], cost["CacheDiskUsd"]) == (0, 0.0)
    assert cost["TotalUsd"] == round(instance + storage, 9)
    assert cost["Currency"] == "USD"


async def test_a_pod_from_a_manual_cache_also_pays_for_its_disk(
    eci_client: Client, clock: VirtualClock
) -> None:
    cache_id = await create_cache(eci_client, "flink:seed", name="manual")
    clock.advance(build_seconds("flink:seed"))
    group_id = await create_group(
        eci_client, container("flink", "flink:seed"), cpu=2.0, memory=4.0,
        image_snapshot_id=cache_id,
    )  # fmt: skip
    clock.advance(3600)
    group = await group_raw(eci_client, group_id)
    assert group["Status"] == "Running"
    cost = group["SimulatedCost"]
    billed = (clock.now() - parse(group["SimulatedPhases"]["ScheduledTime"])).total_seconds()
    assert cost["BilledSeconds"] == billed
    disk = 20 * ESSD_PL1_USD_PER_GIB_SECOND * billed  # the cache's ImageCacheSize, 20 GiB
    instance = (2 * VCPU_USD_PER_SECOND + 4 * MEMORY_USD_PER_GIB_SECOND) * billed
    assert (cost["CacheDiskGiB"], cost["CacheDiskUsd"]) == (20, round(disk, 9))
    assert cost["TotalUsd"] == round(instance + disk, 9)
    assert cost["CacheDiskUsdPerHour"] == round(20 * 0.03188 / 100, 9)


async def test_a_manual_cache_costs_its_build_and_an_automatic_one_is_free(
    eci_client: Client, clock: VirtualClock
) -> None:
    manual = await create_cache(eci_client, "flink:seed", name="manual")
    auto_group = await create_group(
        eci_client, container("web", "nginx:1.7.9"), auto_match_image_cache=True
    )
    clock.advance(max(build_seconds("flink:seed"), build_seconds("nginx:1.7.9")))
    caches = (await raw(eci_client, "DescribeImageCaches"))["ImageCaches"]
    costs = {c["Source"]: c["Cost"] for c in caches}
    seconds = build_seconds("flink:seed")
    by_hand = (
        2 * VCPU_USD_PER_SECOND + 4 * MEMORY_USD_PER_GIB_SECOND + 20 * ESSD_PL1_USD_PER_GIB_SECOND
    ) * seconds
    assert costs["Manual"]["BuildSeconds"] == seconds
    assert costs["Manual"]["BuildUsd"] == round(by_hand, 6)
    assert costs["Manual"]["BuildUsd"] > 0
    assert costs["Automatic"]["BuildUsd"] == 0.0
    assert costs["Manual"]["SnapshotUsdPerMonth"] > costs["Automatic"]["SnapshotUsdPerMonth"] > 0
    # A group started from the automatic cache pays no disk for it: it fits the free 30 GiB.
    group = await group_raw(
        eci_client,
        await create_group(
            eci_client, container("web", "nginx:1.7.9"), name="g1", auto_match_image_cache=True
        ),
    )
    assert group["SimulatedPhases"]["ImageCacheMatch"] == "auto"
    assert group["SimulatedCost"]["CacheDiskGiB"] == 0
    assert auto_group != group["ContainerGroupId"]

    # Snapshot storage accrues while the cache exists: a day of it, by hand.
    stored = Catalog.builtin().resolve("flink:seed").uncompressed_bytes / GIB  # its unpacked layers
    before = (await cache_raw(eci_client, manual))["Cost"]["SnapshotUsd"]
    clock.advance(86400)
    cost = (await cache_raw(eci_client, manual))["Cost"]
    assert cost["SnapshotGiB"] == round(stored, 6)
    assert cost["SnapshotUsdPerDay"] == round(stored * SNAPSHOT_USD_PER_GIB_SECOND * 86400, 6)
    assert round(cost["SnapshotUsd"] - before, 6) == cost["SnapshotUsdPerDay"]


def test_unit_prices_are_configuration_with_the_published_defaults(tmp_path: Path) -> None:
    from vkeci.cli import build_parser
    from vkeci.commands.simulator import UsageError, build_settings

    env = {"ECI_ACCESS_KEY_ID": "LTAIexample", "ECI_ACCESS_KEY_SECRET": "example-secret"}
    default = build_settings(build_parser().parse_args(["simulator"]), env).prices
    assert (default.vcpu_usd_per_second, default.memory_usd_per_gib_second) == (
        VCPU_USD_PER_SECOND,
        MEMORY_USD_PER_GIB_SECOND,
    )
    assert default.essd_pl1_usd_per_gib_second == ESSD_PL1_USD_PER_GIB_SECOND
    assert default.read_on == "2026-12-02"
    prices = tmp_path / "prices.json"
    prices.write_text('{"vcpu_usd_per_second": 0.00001, "read_on": "2027-01-01"}')
    args = build_parser().parse_args(["simulator", "--prices", str(prices)])
    configured = build_settings(args, env).prices
    assert (configured.vcpu_usd_per_second, configured.read_on) == (0.00001, "2027-01-01")
    assert configured.memory_usd_per_gib_second == MEMORY_USD_PER_GIB_SECOND
    prices.write_text('{"vcpu_usd_per_hour": 1}')
    with pytest.raises(UsageError, match="vcpu_usd_per_hour: not a price setting"):
        build_settings(build_parser().parse_args(["simulator", "--prices", str(prices)]), env)
    prices.write_text('{"memory_usd_per_gib_second": -1}')
    with pytest.raises(UsageError, match="memory_usd_per_gib_second: -1 is not a number >= 0"):
        build_settings(build_parser().parse_args(["simulator", "--prices", str(prices)]), env)


@pytest.mark.parametrize(
    "eci", [{"prices": PriceSettings(vcpu_usd_per_second=0.00001)}], indirect=True
)
async def test_configured_prices_are_what_the_simulator_answers(eci_client: Client) -> None:
    response = await eci_client.describe_container_group_price_async(
        eci_models.DescribeContainerGroupPriceRequest(region_id=REGION, cpu=2.0, memory=4.0)
    )
    assert response.body.price_info.price.trade_price == round(2 * 0.00001 + 4 * 0.00000096, 10)
