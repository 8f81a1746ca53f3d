"""A container group's life through the official SDK, on virtual time with exact durations."""

from __future__ import annotations

import json

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.registry.catalog import Catalog
from simulator.timemodel.clock import VirtualClock
from simulator.timemodel.model import plan_image_preparation
from simulator.timemodel.settings import TimeModelSettings
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import (
    REGION,
    container,
    create_group,
    describe,
    seconds_between,
)


def uncached_preparation_seconds(reference: str) -> float:
    catalog = Catalog.builtin()
    images = [catalog.pause_image, catalog.resolve(reference)]
    return plan_image_preparation(model=TimeModelSettings(), images=images).total_seconds


async def test_uncached_flink_prepares_in_fifty_seconds(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(eci_client, container("flink", "flink:seed"))
    group = await describe(eci_client, group_id)
    assert group.status == "Scheduling"
    assert group.containers[0].current_state.state == "Waiting"

    clock.advance(3.0)
    group = await describe(eci_client, group_id)
    assert group.status == "Pending"

    clock.advance(60)
    group = await describe(eci_client, group_id)
    assert group.status == "Running"
    assert group.intranet_ip.startswith("192.168.")
    events = {e.reason: e for e in group.events}
    expected = uncached_preparation_seconds("flink:seed")
    assert abs(expected - 50.0) <= 2.5  # the seed's calibration, 50 s +- 5 %
    pulled = seconds_between(events["Pulling"].first_timestamp, events["Pulled"].first_timestamp)
    assert abs(pulled - expected) < 0.001  # wire timestamps carry milliseconds
    assert f"in {expected:.3f}s" in events["Pulled"].message
    assert seconds_between(group.creation_time, events["Scheduled"].first_timestamp) == 3.0
    state = group.containers[0].current_state
    assert state.state == "Running"
    assert group.containers[0].ready is True


async def test_client_token_makes_creation_idempotent(eci_client: Client) -> None:
    first = await create_group(eci_client, container("c", "nginx:1.7.9"), client_token="pod-uid-1")
    second = await create_group(eci_client, container("c", "nginx:1.7.9"), client_token="pod-uid-1")
    assert first == second
    listing = await eci_client.describe_container_groups_async(
        eci_models.DescribeContainerGroupsRequest(region_id=REGION)
    )
    assert listing.body.total_count == 1


async def test_a_burst_of_uncached_pulls_shares_the_registry_bandwidth(
    eci: EciTarget, clock: VirtualClock
) -> None:
    service = eci.simulator.service
    ids = []
    for i in range(40):
        params = {
            "RegionId": REGION,
            "ContainerGroupName": f"burst-{i}",
            "Container": [{"Name": "flink", "Image": "flink:seed"}],
        }
        ids.append((await service.call("CreateContainerGroup", params))["ContainerGroupId"])
    body = await service.call(
        "DescribeContainerGroups",
        {"RegionId": REGION, "ContainerGroupIds": json.dumps([ids[0], ids[-1]])},
    )
    seconds = {
        g["ContainerGroupId"]: g["SimulatedPhases"]["ImagePreparationSeconds"]
        for g in body["ContainerGroups"]
    }
    alone = uncached_preparation_seconds("flink:seed")
    assert abs(seconds[ids[0]] - alone) < 0.001  # the first pull had the registry to itself
    assert seconds[ids[-1]] > alone * 1.1  # the 40th shares it with 39 others
