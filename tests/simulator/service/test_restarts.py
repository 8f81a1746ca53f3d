"""RestartContainerGroup and UpdateContainerGroup through the SDK, exact on the virtual clock."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from Tea.exceptions import TeaException

from simulator.engine.groupplan import GroupPlan
from simulator.store.tables import ContainerGroupRow
from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import (
    REGION,
    container,
    create_group,
    describe,
    seconds_between,
)
from tests.simulator.service.test_groups_workloads import running_at


async def status_of(client: Client, group_id: str) -> Any:
    response = await client.describe_container_group_status_async(
        eci_models.DescribeContainerGroupStatusRequest(
            region_id=REGION, container_group_ids=f'["{group_id}"]'
        )
    )
    (item,) = response.body.data
    return item


async def stored_plan(eci: EciTarget, group_id: str) -> GroupPlan:
    async with eci.simulator.service.db.sessions() as session:
        row = await session.get(ContainerGroupRow, group_id)
    assert row is not None
    return GroupPlan.from_json(row.plan)


async def test_restart_counts_and_keeps_the_last_state(
    eci: EciTarget, eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(eci_client, container("web", "nginx:1.27"))
    await running_at(eci_client, clock, group_id)
    clock.advance(10)
    await eci_client.restart_container_group_async(
        eci_models.RestartContainerGroupRequest(region_id=REGION, container_group_id=group_id)
    )
    restarted_at = clock.now()
    group = await describe(eci_client, group_id)
    web = group.containers[0]
    assert (web.current_state.state, web.current_state.reason) == ("Waiting", "ContainerCreating")
    assert web.restart_count == 0  # counted when the new run starts, as a kubelet counts
    assert web.previous_state.state == "Terminated"
    assert web.previous_state.exit_code == 0
    clock.advance(30)
    group = await describe(eci_client, group_id)
    web = group.containers[0]
    assert (group.status, web.current_state.state, web.restart_count) == ("Running", "Running", 1)
    assert web.previous_state.finish_time.startswith(restarted_at.strftime("%Y-%m-%dT%H:%M:%S"))
    start_seconds = (await stored_plan(eci, group_id)).containers[0].start_seconds
    assert seconds_between(web.previous_state.finish_time, web.current_state.start_time) == (
        round(start_seconds, 3)
    )
    killing = [e for e in group.events if e.reason == "Killing"]
    assert killing
    assert "restarting" in killing[0].message


async def test_an_image_change_restarts_the_container_after_its_preparation(
    eci: EciTarget, eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client,
        container("web", "nginx:1.27"),
        container("side", "busybox:1.37", command=["sleep", "infinity"]),
    )
    await running_at(eci_client, clock, group_id)
    clock.advance(5)
    before = await status_of(eci_client, group_id)
    old_id = before.pod_status.container_statuses[0].image_id
    await eci_client.update_container_group_async(
        eci_models.UpdateContainerGroupRequest(
            region_id=REGION,
            container_group_id=group_id,
            container=[
                eci_models.UpdateContainerGroupRequestContainer(name="web", image="nginx:1.28")
            ],
        )
    )
    group = await describe(eci_client, group_id)
    web, side = group.containers
    assert web.image == "nginx:1.28"
    assert (web.current_state.state, web.current_state.reason) == ("Waiting", "ContainerCreating")
    assert side.restart_count == 0
    for _ in range(200):
        if (await describe(eci_client, group_id)).containers[0].current_state.state == "Running":
            break
        clock.advance(1)
    after = await status_of(eci_client, group_id)
    web_status = after.pod_status.container_statuses[0]
    assert web_status.restart_count == 1
    assert web_status.image == "nginx:1.28"
    assert web_status.image_id != old_id
    assert web_status.last_state.terminated.exit_code == 0
    # Stopped at the call; started again after the new image's preparation (timed like a
    # pull: nginx:1.28 is not on the instance) and the container's start, exactly.
    web_plan = (await stored_plan(eci, group_id)).containers[0]
    (restart,) = web_plan.restarts
    assert restart.prepare_seconds > 0
    web = (await describe(eci_client, group_id)).containers[0]
    assert seconds_between(web.previous_state.finish_time, web.current_state.start_time) == (
        round(restart.prepare_seconds + web_plan.start_seconds, 3)
    )


async def test_refusals(eci_client: Client, clock: VirtualClock) -> None:
    group_id = await create_group(eci_client, container("web", "nginx:1.27"))
    with pytest.raises(TeaException) as early:
        await eci_client.restart_container_group_async(
            eci_models.RestartContainerGroupRequest(region_id=REGION, container_group_id=group_id)
        )
    assert early.value.code == "IncorrectStatus"
    await running_at(eci_client, clock, group_id)
    with pytest.raises(TeaException) as unknown:
        await eci_client.update_container_group_async(
            eci_models.UpdateContainerGroupRequest(
                region_id=REGION,
                container_group_id=group_id,
                container=[
                    eci_models.UpdateContainerGroupRequestContainer(name="nope", image="nginx:1.28")
                ],
            )
        )
    assert unknown.value.code == "InvalidParameter"
    assert '"nope" is not a container' in unknown.value.message
