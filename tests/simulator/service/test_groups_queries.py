"""Listing, filtering, paging, status polling, logs, events and deletion through the SDK."""

from __future__ import annotations

import json

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import (
    REGION,
    container,
    create_group,
    describe,
    refused,
    status_data,
)


async def list_groups(
    client: Client, **fields: object
) -> eci_models.DescribeContainerGroupsResponseBody:
    request = eci_models.DescribeContainerGroupsRequest(region_id=REGION, **fields)
    return (await client.describe_container_groups_async(request)).body


async def test_pages_of_twenty_with_next_token(eci_client: Client) -> None:
    created = {
        await create_group(eci_client, container("c", "nginx:1.7.9"), name=f"g{i}")
        for i in range(23)
    }
    first = await list_groups(eci_client)
    assert first.total_count == 23
    assert len(first.container_groups) == 20
    assert first.next_token
    # Groups created between two pages neither shift nor repeat what was already listed.
    for i in range(2):
        created.add(await create_group(eci_client, container("c", "nginx:1.7.9"), name=f"n{i}"))
    second = await list_groups(eci_client, next_token=first.next_token)
    assert len(second.container_groups) == 5
    assert not second.next_token
    listed = [g.container_group_id for g in first.container_groups + second.container_groups]
    assert len(listed) == len(set(listed))
    assert set(listed) == created
    too_many = eci_models.DescribeContainerGroupsRequest(region_id=REGION, limit=21)
    assert (await refused(eci_client.describe_container_groups_async(too_many))).code == (
        "InvalidParameter"
    )
    forged = eci_models.DescribeContainerGroupsRequest(region_id=REGION, next_token="nope")
    error = await refused(eci_client.describe_container_groups_async(forged))
    assert "NextToken" in error.message


async def test_filters_by_ids_tags_name_and_status(eci_client: Client, clock: VirtualClock) -> None:
    tag = eci_models.CreateContainerGroupRequestTag(key="team", value="a")
    tagged = await create_group(eci_client, container("c", "nginx:1.7.9"), name="tagged", tag=[tag])
    plain = await create_group(eci_client, container("c", "nginx:1.7.9"), name="plain")
    by_tag = await list_groups(
        eci_client, tag=[eci_models.DescribeContainerGroupsRequestTag(key="team", value="a")]
    )
    assert [g.container_group_id for g in by_tag.container_groups] == [tagged]
    assert by_tag.container_groups[0].tags[0].value == "a"
    by_ids = await list_groups(eci_client, container_group_ids=json.dumps([plain]))
    assert [g.container_group_id for g in by_ids.container_groups] == [plain]
    by_name = await list_groups(eci_client, container_group_name="tagged")
    assert [g.container_group_id for g in by_name.container_groups] == [tagged]
    assert (await list_groups(eci_client, status="Running")).total_count == 0
    clock.advance(120)
    assert (await list_groups(eci_client, status="Running")).total_count == 2
    assert (await list_groups(eci_client, status="Scheduling")).total_count == 0


async def test_status_polling_with_since_second(eci_client: Client, clock: VirtualClock) -> None:
    group_id = await create_group(eci_client, container("c", "nginx:1.7.9"))
    data = await status_data(eci_client, since_second=10)
    assert [d.container_group_id for d in data] == [group_id]
    assert data[0].status == "Scheduling"
    assert data[0].pod_status.phase == "Pending"
    clock.advance(120)  # Running long ago: nothing changed in the last 10 s
    assert await status_data(eci_client, since_second=10) == []
    data = await status_data(eci_client, since_second=200)
    assert data[0].status == "Running"
    pod = data[0].pod_status
    assert pod.phase == "Running"
    assert pod.pod_ip == (await describe(eci_client, group_id)).intranet_ip
    conditions = {c.type: c.status for c in pod.conditions}
    assert conditions["Ready"] == "True"
    assert conditions["PodScheduled"] == "True"
    assert pod.container_statuses[0].state.running.started_atstarted_at
    assert pod.container_statuses[0].ready is True
    # Deleting is a change too.
    await eci_client.delete_container_group_async(
        eci_models.DeleteContainerGroupRequest(region_id=REGION, container_group_id=group_id)
    )
    data = await status_data(eci_client, since_second=1)
    assert data[0].status == "Terminating"


async def test_delete_terminates_then_the_group_is_gone(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(eci_client, container("c", "nginx:1.7.9"))
    clock.advance(60)
    await eci_client.delete_container_group_async(
        eci_models.DeleteContainerGroupRequest(region_id=REGION, container_group_id=group_id)
    )
    group = await describe(eci_client, group_id)
    assert group.status == "Terminating"
    assert group.containers[0].current_state.state == "Terminated"
    assert any(e.reason == "Killing" for e in group.events)
    clock.advance(5)
    assert (await list_groups(eci_client)).total_count == 0
    error = await refused(
        eci_client.delete_container_group_async(
            eci_models.DeleteContainerGroupRequest(region_id=REGION, container_group_id=group_id)
        )
    )
    assert error.code == "InvalidContainerGroupId.NotFound"
    assert group_id in error.message


async def test_container_log_tail_bytes_and_timestamps(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client,
        container(
            "talk", "busybox:1.37", command=["sh", "-c", "echo one; sleep 5; echo two; sleep 100"]
        ),
    )
    clock.advance(40)

    async def log(**fields: object) -> str:
        request = eci_models.DescribeContainerLogRequest(
            region_id=REGION, container_group_id=group_id, container_name="talk", **fields
        )
        return str((await eci_client.describe_container_log_async(request)).body.content)

    full = await log()
    assert "one\n" in full
    assert "two\n" in full
    assert (await log(tail=1)).strip().endswith("two")
    recent = await log(since_seconds=30)  # "one" was printed ~34 s ago, "two" ~29 s ago
    assert "two\n" in recent
    assert "one\n" not in recent
    assert len((await log(limit_bytes=5)).encode()) == 5
    stamped = await log(timestamps=True)
    assert all(line[:4].isdigit() and "Z " in line for line in stamped.splitlines())
    error = await refused(
        eci_client.describe_container_log_async(
            eci_models.DescribeContainerLogRequest(
                region_id=REGION, container_group_id=group_id, container_name="nope"
            )
        )
    )
    assert error.code == "InvalidParameter"
    assert "talk" in error.message


async def test_container_group_events(eci_client: Client, clock: VirtualClock) -> None:
    group_id = await create_group(eci_client, container("c", "nginx:1.7.9"), name="evented")
    clock.advance(60)
    request = eci_models.DescribeContainerGroupEventsRequest(
        region_id=REGION, container_group_ids=json.dumps([group_id])
    )
    body = (await eci_client.describe_container_group_events_async(request)).body
    reasons = [e.reason for e in body.data[0].events]
    assert reasons[:2] == ["Scheduled", "Pulling"]
    assert {"Pulled", "Created", "Started"} <= set(reasons)
    assert body.data[0].events[0].involved_object.name == "evented"


@pytest.mark.parametrize(
    ("fields", "code", "named"),
    [
        ({"restart_policy": "Sometimes"}, "InvalidParameter", "RestartPolicy"),
        ({"container_group_name": "Bad_Name"}, "InvalidParameter", "ContainerGroupName"),
        ({"region_id": "xx-nowhere-1"}, "InvalidRegionId", "RegionId"),
        ({"zone_id": "cn-hangzhou-z"}, "InvalidZoneId", "ZoneId"),
    ],
)
async def test_bad_requests_name_the_parameter(
    eci_client: Client, fields: dict[str, str], code: str, named: str
) -> None:
    values = {"region_id": REGION, "container_group_name": "ok", **fields}
    request = eci_models.CreateContainerGroupRequest(
        container=[container("c", "nginx:1.7.9")], **values
    )
    error = await refused(eci_client.create_container_group_async(request))
    assert error.code == code
    assert named in error.message


async def test_an_invalid_image_reference_fails_the_call(eci_client: Client) -> None:
    error = await refused(create_group(eci_client, container("c", "Not A Valid//Image")))
    assert error.code == "InvalidParameter"
    assert "Not A Valid//Image" in error.message


async def test_status_pages_and_id_filter(eci_client: Client) -> None:
    ids = [
        await create_group(eci_client, container("c", "nginx:1.7.9"), name=f"s{i}")
        for i in range(5)
    ]
    first = (
        await eci_client.describe_container_group_status_async(
            eci_models.DescribeContainerGroupStatusRequest(region_id=REGION, limit=3)
        )
    ).body
    assert (first.total_count, len(first.data)) == (5, 3)
    rest = await status_data(eci_client, limit=3, next_token=first.next_token)
    assert {d.container_group_id for d in first.data} | {d.container_group_id for d in rest} == set(
        ids
    )
    chosen = await status_data(eci_client, container_group_ids=json.dumps(ids[:2]))
    assert {d.container_group_id for d in chosen} == set(ids[:2])


async def test_a_created_group_is_read_without_projecting_it_again(
    eci: EciTarget, eci_client: Client
) -> None:
    """CreateContainerGroup remembers the state it stored (keyed by the text the store holds
    of its plan, as SQLAlchemy's JSON type wrote it): the first status read projects nothing."""
    projections = eci.simulator.service.projections
    group_id = await create_group(eci_client, container("app", "nginx"), name="web-1")
    misses = projections.misses
    data = await status_data(eci_client)
    assert [item.container_group_id for item in data] == [group_id]
    assert projections.misses == misses
    assert projections.hits >= 1
