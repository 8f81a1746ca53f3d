"""DescribeContainerGroupMetric / DescribeMultiContainerGroupMetric through the SDK, exact on
the virtual clock: the start-up spike, the steady state, the env override, the ranges."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from Tea.exceptions import TeaException

from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import REGION, container, create_group, env
from tests.simulator.service.test_groups_workloads import running_at

GIB = 1024**3


def wire(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def metric(client: Client, group_id: str, **fields: Any) -> list[dict[str, Any]]:
    response = await client.describe_container_group_metric_async(
        eci_models.DescribeContainerGroupMetricRequest(
            region_id=REGION, container_group_id=group_id, **fields
        )
    )
    assert response.body.container_group_id == group_id
    return [r.to_map() for r in response.body.records]


async def test_usage_spikes_on_start_then_settles_at_a_fraction_of_the_request(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client,
        container("app", "nginx:1.27", cpu=2.0, memory=4.0),
        container(
            "side",
            "busybox:1.37",
            command=["sleep", "infinity"],
            cpu=1.0,
            memory=2.0,
            environment_var=env(ECI_SIM_CPU_USAGE="800m", ECI_SIM_MEMORY_USAGE="256Mi"),
        ),
        cpu=4.0,
        memory=8.0,
    )
    started = datetime.fromisoformat(
        (await running_at(eci_client, clock, group_id)).replace("Z", "+00:00")
    )
    clock.advance(120)
    records = await metric(
        eci_client,
        group_id,
        start_time=wire(started),
        end_time=wire(started + timedelta(seconds=60)),
        period=15,
    )
    first = records[0]
    at_start = (
        datetime.fromisoformat(str(first["Timestamp"]).replace("Z", "+00:00")) - started
    ).total_seconds()
    app, side = first["Containers"]
    assert app["Name"] == "app"
    # Spike: 90 % of 2 vCPU falling linearly to 25 % over 30 s.
    assert app["CPU"]["UsageNanoCores"] == round((1.8 - 1.3 * at_start / 30) * 1e9)
    assert app["CPU"]["Limit"] == 2000
    steady = records[-1]["Containers"]
    assert steady[0]["CPU"]["UsageNanoCores"] == 500_000_000  # 25 % of 2 vCPU
    assert steady[0]["Memory"]["WorkingSet"] == int(4 * GIB * 0.4)
    assert steady[1]["CPU"]["UsageNanoCores"] == 800_000_000  # ECI_SIM_CPU_USAGE=800m
    assert steady[1]["Memory"]["WorkingSet"] == 256 * 1024**2  # ECI_SIM_MEMORY_USAGE=256Mi
    assert side["Memory"]["WorkingSet"] < 256 * 1024**2
    last = records[-1]
    assert last["CPU"]["UsageNanoCores"] == sum(c["CPU"]["UsageNanoCores"] for c in steady)
    assert last["CPU"]["Limit"] == 4000
    # The cumulative counter is the integral of the curve: 60 s of steady 0.5 core plus the
    # spike's extra (1.8 - 0.5) * 30 / 2 core-seconds, at 60 s into the run at the latest.
    age = datetime.fromisoformat(str(last["Timestamp"]).replace("Z", "+00:00")) - started
    assert steady[0]["CPU"]["UsageCoreNanoSeconds"] == round(
        (0.5 * age.total_seconds() + 1.3 * 15) * 1e9
    )


async def test_default_window_and_refusals(eci_client: Client, clock: VirtualClock) -> None:
    group_id = await create_group(eci_client, container("app", "nginx:1.27", cpu=1.0, memory=2.0))
    await running_at(eci_client, clock, group_id)
    clock.advance(600)
    records = await metric(eci_client, group_id)
    assert len(records) in (20, 21)  # the last 5 minutes at 15 s
    assert records[-1]["Containers"][0]["Memory"]["WorkingSet"] == int(2 * GIB * 0.4)
    with pytest.raises(TeaException) as period:
        await metric(eci_client, group_id, period=20)
    assert period.value.code == "InvalidParameter"
    response = await eci_client.describe_multi_container_group_metric_async(
        eci_models.DescribeMultiContainerGroupMetricRequest(
            region_id=REGION,
            container_group_ids=json.dumps([group_id, "eci-unknown"]),
            metric_type="summary",
        )
    )
    (data,) = response.body.monitor_datas
    assert data.container_group_id == group_id
    (latest,) = data.records
    assert latest.cpu.usage_nano_cores == 250_000_000
