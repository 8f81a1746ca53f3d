"""ECI's documented filters, limits and paging, as a client relying on the documentation sees them.

Each case is a rule of the SDK's models.py or ECI's API reference: the
DescribeContainerGroups filters and its opaque NextToken, DescribeContainerLog's
Tail/LimitBytes/StartTime/LastTime/Timestamps, DeleteContainerGroup's Force and
ClientToken, the container group name syntax, and when UpdateImageCache is allowed.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkeci.request.v20180808.CreateContainerGroupRequest import (
    CreateContainerGroupRequest,
)
from aliyunsdkeci.request.v20180808.DeleteContainerGroupRequest import (
    DeleteContainerGroupRequest,
)

from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.fixtures.legacy_eci import LegacyEci
from tests.simulator.service.conftest import (
    REGION,
    container,
    create_group,
    describe,
    parse,
    refused,
)


@pytest.fixture
def legacy(eci: EciTarget) -> LegacyEci:
    """The older SDK: its DeleteContainerGroupRequest has Force, the newest SDK's has not."""
    return LegacyEci(eci)


def force_delete(group_id: str, *, force: bool = True, token: str | None = None) -> Any:
    request = DeleteContainerGroupRequest()
    request.set_ContainerGroupId(group_id)
    request.set_Force(force)
    if token is not None:
        request.set_ClientToken(token)
    return request


async def listed(client: Client, **fields: Any) -> list[str]:
    request = eci_models.DescribeContainerGroupsRequest(region_id=REGION, **fields)
    body = (await client.describe_container_groups_async(request)).body
    return [group.container_group_id for group in body.container_groups]


async def test_filters_by_security_group_vswitch_resource_group_and_category(
    eci_client: Client,
) -> None:
    placed = await create_group(
        eci_client,
        container("c", "nginx:1.7.9"),
        name="placed",
        security_group_id="sg-team-a",
        v_switch_id="vsw-team-a",
        resource_group_id="rg-team-a",
    )
    plain = await create_group(eci_client, container("c", "nginx:1.7.9"), name="plain")
    assert await listed(eci_client, security_group_id="sg-team-a") == [placed]
    assert await listed(eci_client, v_switch_id="vsw-team-a") == [placed]
    assert await listed(eci_client, resource_group_id="rg-team-a") == [placed]
    assert await listed(eci_client, security_group_id="sg-simulated") == [plain]
    assert await listed(eci_client, v_switch_id="vsw-other") == []
    assert (await describe(eci_client, placed)).resource_group_id == "rg-team-a"
    assert await listed(eci_client, compute_category="general") == [placed, plain]
    assert await listed(eci_client, compute_category="economy") == []
    bad = eci_models.DescribeContainerGroupsRequest(region_id=REGION, compute_category="turbo")
    error = await refused(eci_client.describe_container_groups_async(bad))
    assert error.code == "InvalidParameter"
    assert "ComputeCategory" in error.message


async def test_status_accepts_every_documented_value(eci_client: Client) -> None:
    await create_group(eci_client, container("c", "nginx:1.7.9"))
    assert await listed(eci_client, status="Updating") == []  # documented, never reached here
    bad = eci_models.DescribeContainerGroupsRequest(region_id=REGION, status="Sleeping")
    error = await refused(eci_client.describe_container_groups_async(bad))
    assert error.code == "InvalidParameter"
    assert "Updating" in error.message


async def test_next_token_is_opaque_and_survives_deletes_between_pages(
    eci_client: Client, legacy: LegacyEci
) -> None:
    created = [
        await create_group(eci_client, container("c", "nginx:1.7.9"), name=f"g{i}")
        for i in range(22)
    ]
    first = (
        await eci_client.describe_container_groups_async(
            eci_models.DescribeContainerGroupsRequest(region_id=REGION)
        )
    ).body
    token = first.next_token
    assert token
    assert "." not in token  # not the cursor in clear
    assert base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))  # url-safe text
    # one group already listed and one still to come are deleted between the pages
    for gone in (created[0], created[21]):
        await legacy.call(force_delete(gone))
    second = (
        await eci_client.describe_container_groups_async(
            eci_models.DescribeContainerGroupsRequest(region_id=REGION, next_token=token)
        )
    ).body
    assert [g.container_group_id for g in first.container_groups] == created[:20]
    assert [g.container_group_id for g in second.container_groups] == [created[20]]
    assert not second.next_token
    tampered = base64.urlsafe_b64encode(b"cg1.x.y").decode()
    for forged in ("nope", tampered, "%%%"):
        request = eci_models.DescribeContainerGroupsRequest(region_id=REGION, next_token=forged)
        error = await refused(eci_client.describe_container_groups_async(request))
        assert error.code == "InvalidParameter"
        assert "NextToken" in error.message


def echo_script(count: int) -> list[str]:
    return ["sh", "-c", "; ".join(f"echo line-{i}" for i in range(1, count + 1))]


async def logs(client: Client, group_id: str, **fields: Any) -> str:
    request = eci_models.DescribeContainerLogRequest(
        region_id=REGION, container_group_id=group_id, container_name="c", **fields
    )
    return str((await client.describe_container_log_async(request)).body.content)


async def test_container_log_tail_and_byte_limits(
    eci_client: Client, legacy: LegacyEci, clock: VirtualClock
) -> None:
    # 2,100 echo commands do not fit a URL: POST them in a form body, as the old SDK can
    request = CreateContainerGroupRequest()
    request.set_ContainerGroupName("chatty")
    request.set_RestartPolicy("Never")
    request.set_Containers([{"Name": "c", "Image": "busybox:1.37", "Commands": echo_script(2100)}])
    request.set_method("POST")
    for name, value in request.get_query_params().items():
        request.add_body_params(name, value)
    request.set_query_params({})
    group_id = str((await legacy.call(request))["ContainerGroupId"])
    clock.advance(300)
    # the simulator's start line, 2,100 echoes, its exit line: 2,102 lines in all
    everything = (await logs(eci_client, group_id, tail=2000)).splitlines()
    assert (len(everything), everything[0], everything[-2]) == (2000, "line-102", "line-2100")
    assert "exiting with code 0" in everything[-1]
    default = (await logs(eci_client, group_id)).splitlines()
    assert len(default) == 500  # Tail defaults to 500 lines
    assert default == everything[-500:]
    assert await logs(eci_client, group_id, tail=2, limit_bytes=8) == "line-210"
    for too_much in ({"tail": 2001}, {"limit_bytes": 1_048_577}, {"limit_bytes": 0}):
        request = eci_models.DescribeContainerLogRequest(
            region_id=REGION, container_group_id=group_id, container_name="c", **too_much
        )
        error = await refused(eci_client.describe_container_log_async(request))
        assert error.code == "InvalidParameter"


async def test_container_log_start_time_and_timestamps(
    eci_client: Client, clock: VirtualClock
) -> None:
    script = ["sh", "-c", "echo early; sleep 10; echo late"]
    group_id = await create_group(
        eci_client, container("c", "busybox:1.37", command=script), restart_policy="Never"
    )
    clock.advance(120)
    state = (await describe(eci_client, group_id)).containers[0].current_state
    started = parse(state.start_time)
    assert parse(state.finish_time) - started == timedelta(seconds=10)
    printed = (await logs(eci_client, group_id)).splitlines()
    assert [line for line in printed if not line.startswith("[vk-eci")] == ["early", "late"]
    after_early = (started + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (await logs(eci_client, group_id, start_time=after_early)).splitlines()
    assert later[0] == "late"
    assert "early" not in later
    stamped = [
        line.partition(" ")
        for line in (await logs(eci_client, group_id, timestamps=True)).splitlines()
    ]
    offsets = {text: parse(when) - started for when, _, text in stamped}
    assert (offsets["early"], offsets["late"]) == (timedelta(0), timedelta(seconds=10))
    bad = eci_models.DescribeContainerLogRequest(
        region_id=REGION, container_group_id=group_id, container_name="c", start_time="noon"
    )
    error = await refused(eci_client.describe_container_log_async(bad))
    assert error.code == "InvalidParameter"
    assert "StartTime" in error.message


async def test_container_log_last_time_reads_the_previous_run(
    eci_client: Client, clock: VirtualClock
) -> None:
    script = ["sh", "-c", "echo run; exit 1"]
    group_id = await create_group(
        eci_client, container("c", "busybox:1.37", command=script), restart_policy="Always"
    )
    assert await logs(eci_client, group_id, last_time=True) == ""  # no run before the first
    clock.advance(90)
    main = (await describe(eci_client, group_id)).containers[0]
    assert main.restart_count >= 1
    previous = (await logs(eci_client, group_id, last_time=True, timestamps=True)).splitlines()
    stamped = {text: when for when, _, text in (line.partition(" ") for line in previous)}
    assert "run" in stamped
    assert parse(stamped["run"]) == parse(main.previous_state.start_time)


async def test_force_delete_skips_the_graceful_termination(
    eci_client: Client, legacy: LegacyEci, clock: VirtualClock
) -> None:
    graceful = await create_group(eci_client, container("c", "nginx:1.7.9"), name="graceful")
    forced = await create_group(eci_client, container("c", "nginx:1.7.9"), name="forced")
    clock.advance(60)
    for group_id, force in ((graceful, False), (forced, True)):
        await legacy.call(force_delete(group_id, force=force, token=f"delete-{group_id}"))
    ids = json.dumps([graceful, forced])
    body = (
        await eci_client.describe_container_groups_async(
            eci_models.DescribeContainerGroupsRequest(region_id=REGION, container_group_ids=ids)
        )
    ).body
    groups = body.container_groups
    assert [(g.container_group_id, g.status) for g in groups] == [(graceful, "Terminating")]
    assert body.total_count == 1
    with pytest.raises(ServerException) as raised:
        await legacy.call(force_delete(graceful, force=False, token="tök"))
    assert raised.value.get_error_code() == "InvalidParameter"
    assert "ClientToken" in raised.value.get_error_msg()


@pytest.mark.parametrize("name", ["a", "-web", "web-", "Web", "w" * 129, "web_1"])
async def test_container_group_names_follow_ecis_syntax(eci_client: Client, name: str) -> None:
    error = await refused(create_group(eci_client, container("c", "nginx:1.7.9"), name=name))
    assert error.code == "InvalidParameter"
    assert "ContainerGroupName" in error.message


async def test_the_longest_and_shortest_valid_names_are_accepted(eci_client: Client) -> None:
    for name in ("ab", "w" * 128, "web-1"):
        group_id = await create_group(eci_client, container("c", "nginx:1.7.9"), name=name)
        assert (await describe(eci_client, group_id)).container_group_name == name


async def test_a_failed_cache_cannot_be_updated(
    eci: EciTarget, eci_client: Client, clock: VirtualClock
) -> None:
    # the open registry pulls any public reference; this one is marked missing
    await eci.admin("POST", "/catalog", {"missing": ["nginx:0.0.0-no-such-tag"]})
    create = eci_models.CreateImageCacheRequest(
        region_id=REGION, image_cache_name="broken", image=["nginx:0.0.0-no-such-tag"]
    )
    cache_id = (await eci_client.create_image_cache_async(create)).body.image_cache_id
    clock.advance(60)
    update = eci_models.UpdateImageCacheRequest(
        region_id=REGION, image_cache_id=cache_id, image=["nginx:1.7.9"]
    )
    error = await refused(eci_client.update_image_cache_async(update))
    assert error.code == "IncorrectStatus"
    assert error.status_code == 400
    assert "Failed" in error.message
