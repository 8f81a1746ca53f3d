"""Service tests run the real simulator through the official SDK on a virtual clock."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from Tea.exceptions import TeaException

from simulator.settings import ClockMode, ClockSettings, SimulatorSettings
from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget, make_test_settings

REGION = "cn-hangzhou"


@pytest.fixture
def eci_settings(tmp_path: Path) -> SimulatorSettings:
    """Every service test runs on a virtual clock: simulated durations are exact."""
    return dataclasses.replace(
        make_test_settings(tmp_path), clock=ClockSettings(mode=ClockMode.VIRTUAL)
    )


@pytest.fixture
def clock(eci: EciTarget) -> VirtualClock:
    clock = eci.simulator.service.clock
    assert isinstance(clock, VirtualClock)
    return clock


def container(
    name: str, image: str, **fields: Any
) -> eci_models.CreateContainerGroupRequestContainer:
    return eci_models.CreateContainerGroupRequestContainer(name=name, image=image, **fields)


async def create_group(
    client: Client,
    *containers: eci_models.CreateContainerGroupRequestContainer,
    name: str = "g0",
    **fields: Any,
) -> str:
    request = eci_models.CreateContainerGroupRequest(
        region_id=REGION, container_group_name=name, container=list(containers), **fields
    )
    response = await client.create_container_group_async(request)
    return str(response.body.container_group_id)


async def describe(client: Client, group_id: str) -> Any:
    request = eci_models.DescribeContainerGroupsRequest(
        region_id=REGION, container_group_ids=f'["{group_id}"]'
    )
    response = await client.describe_container_groups_async(request)
    groups = response.body.container_groups
    assert len(groups) == 1, groups
    return groups[0]


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def seconds_between(start: str, end: str) -> float:
    return (parse(end) - parse(start)).total_seconds()


def env(**variables: str) -> list[eci_models.CreateContainerGroupRequestContainerEnvironmentVar]:
    return [
        eci_models.CreateContainerGroupRequestContainerEnvironmentVar(key=k, value=v)
        for k, v in variables.items()
    ]


async def refused(call: Any) -> Any:
    """Await an SDK call that must fail; return the SDK's exception (code, message, data)."""
    try:
        await call
    except TeaException as error:
        return error
    raise AssertionError("the call succeeded but should have been refused")


async def status_data(client: Client, **fields: Any) -> list[Any]:
    request = eci_models.DescribeContainerGroupStatusRequest(region_id=REGION, **fields)
    response = await client.describe_container_group_status_async(request)
    return list(response.body.data)
