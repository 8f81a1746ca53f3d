"""Instance specifications as ECI sells them, InstanceType in order, and DryRun.

The simulator refuses a vCPU/memory pair ECI does not sell, naming Cpu and Memory,
and never rounds one: an agent that rounds wrongly must find out here.
"""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_eci20180808 import models as m
from alibabacloud_eci20180808.client import Client

from simulator.specs.instancespecs import SELLABLE_SPECS
from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import REGION, container, create_group, describe, refused


async def _count(client: Client) -> int:
    response = await client.describe_container_groups_async(
        m.DescribeContainerGroupsRequest(region_id=REGION)
    )
    return int(response.body.total_count)


@pytest.mark.parametrize(
    ("cpu", "memory"), [(0.25, 0.5), (0.25, 1.0), (2.0, 1.0), (52.0, 96.0), (64.0, 512.0)]
)
async def test_sellable_specs_edges_are_accepted(
    eci_client: Client, cpu: float, memory: float
) -> None:
    group = await describe(
        eci_client,
        await create_group(eci_client, container("c", "busybox"), cpu=cpu, memory=memory),
    )
    assert (group.cpu, group.memory, group.instance_type) == (cpu, memory, "")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"cpu": 1.0, "memory": 1.0}, "1 vCPU / 1 GiB"),  # 1 vCPU sells with 2, 4, 8 GiB
        ({"cpu": 2.0, "memory": 3.0}, "2 vCPU / 3 GiB"),
        ({"cpu": 0.3, "memory": 0.6}, "0.3 vCPU / 0.6 GiB"),  # not rounded up to 0.5 / 1
        ({"cpu": 7.0, "memory": 13.0}, "7 vCPU / 13 GiB"),  # nor to 8 / 16
        ({"cpu": 64.0, "memory": 1024.0}, "64 vCPU / 1024 GiB"),
        ({"cpu": 52.0, "memory": 52.0}, "52 vCPU / 52 GiB"),
    ],
)
async def test_unsellable_specs_are_refused_naming_cpu_and_memory(
    eci_client: Client, fields: dict[str, Any], named: str
) -> None:
    error = await refused(
        create_group(eci_client, container("c", "busybox"), name="unsellable", **fields)
    )
    assert error.code == "InvalidParameter"
    assert error.data["statusCode"] == 400
    assert "Cpu/Memory" in error.message
    assert named in error.message
    assert await _count(eci_client) == 0


async def test_the_containers_sum_must_be_sellable_too(eci_client: Client) -> None:
    half = {"cpu": 0.5, "memory": 1.5}
    error = await refused(
        create_group(
            eci_client, container("a", "busybox", **half), container("b", "busybox", **half)
        )
    )
    assert "1 vCPU / 3 GiB (the containers' sum)" in error.message
    group_id = await create_group(
        eci_client,
        container("a", "busybox", cpu=0.5, memory=1.0),
        container("b", "busybox", cpu=0.5, memory=1.0),
    )
    assert ((g := await describe(eci_client, group_id)).cpu, g.memory) == (1.0, 2.0)


async def test_no_spec_at_all_is_ecis_default(eci_client: Client) -> None:
    group = await describe(eci_client, await create_group(eci_client, container("c", "busybox")))
    assert (group.cpu, group.memory) == (2.0, 4.0)


def test_the_table_spans_a_quarter_vcpu_to_64() -> None:
    assert min(SELLABLE_SPECS) == 0.25
    assert max(SELLABLE_SPECS) == 64.0
    assert SELLABLE_SPECS[1.0] == (2.0, 4.0, 8.0)


async def test_instance_type_uses_the_first_sellable_entry(eci_client: Client) -> None:
    group_id = await create_group(
        eci_client, container("c", "busybox"), instance_type="1-1Gi,2-4Gi,ecs.c6.large"
    )
    group = await describe(eci_client, group_id)
    assert (group.cpu, group.memory, group.instance_type) == (2.0, 4.0, "2-4Gi")
    ecs = await describe(
        eci_client,
        await create_group(
            eci_client, container("c", "busybox"), name="ee", instance_type="ecs.r6.xlarge,2-4Gi"
        ),
    )
    assert (ecs.cpu, ecs.memory, ecs.instance_type) == (4.0, 32.0, "ecs.r6.xlarge")


@pytest.mark.parametrize(
    ("instance_type", "fragment"),
    [
        ("1-1Gi,3-3Gi", "none of the specifications is sold"),
        ("ecs.bogus", '"ecs.bogus" is neither'),
        ("2-4Gi,,4-8Gi", "entry 2"),
    ],
)
async def test_bad_instance_types_are_refused(
    eci_client: Client, instance_type: str, fragment: str
) -> None:
    error = await refused(
        create_group(eci_client, container("c", "busybox"), instance_type=instance_type)
    )
    assert error.code == "InvalidParameter"
    assert "InstanceType" in error.message
    assert fragment in error.message


async def test_dry_run_validates_and_creates_nothing(
    eci_client: Client, clock: VirtualClock
) -> None:
    error = await refused(create_group(eci_client, container("c", "nginx:1.25"), dry_run=True))
    assert error.code == "DryRunOperation"
    assert error.data["statusCode"] == 400
    assert error.data["Message"] == "Request validation has been passed with DryRun flag set."
    clock.advance(60)
    assert await _count(eci_client) == 0
    # A dry run of a bad request answers the error the real call would.
    bad = await refused(
        create_group(eci_client, container("c", "nginx:1.25"), dry_run=True, cpu=1.0, memory=1.0)
    )
    assert bad.code == "InvalidParameter"
    missing_cache = await refused(
        create_group(
            eci_client, container("c", "nginx:1.25"), dry_run=True, image_snapshot_id="imc-nope"
        )
    )
    assert missing_cache.code != "DryRunOperation"
    # Without DryRun, the same request creates the group.
    await create_group(eci_client, container("c", "nginx:1.25"), dry_run=False)
    assert await _count(eci_client) == 1
