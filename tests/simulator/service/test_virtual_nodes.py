"""Virtual nodes through the SDK: created Pending, Ready on the clock, listed, updated, deleted."""

from __future__ import annotations

import base64
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.server import Simulator
from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import (
    REGION,
    container,
    create_group,
    describe,
    refused,
    seconds_between,
)
from tests.simulator.service.test_durability import client_for, virtual_clock, virtual_settings

READY_SECONDS = 60.0
"""`TimeModelSettings.virtual_node_ready_seconds`' default."""
OTHER_REGION = "cn-beijing"
KUBECONFIG = base64.b64encode(b"apiVersion: v1\nkind: Config\n").decode()


async def create_node(client: Client, **fields: Any) -> str:
    values: dict[str, Any] = {
        "region_id": REGION,
        "security_group_id": "sg-test",
        "v_switch_id": "vsw-a,vsw-b",
        "kube_config": KUBECONFIG,
    }
    values.update(fields)
    response = await client.create_virtual_node_async(eci_models.CreateVirtualNodeRequest(**values))
    return str(response.body.virtual_node_id)


async def nodes(client: Client, **fields: Any) -> Any:
    request = eci_models.DescribeVirtualNodesRequest(region_id=fields.pop("region_id", REGION))
    for name, value in fields.items():
        setattr(request, name, value)
    return (await client.describe_virtual_nodes_async(request)).body


async def node(client: Client, node_id: str) -> Any:
    body = await nodes(client, virtual_node_ids=f'["{node_id}"]')
    assert len(body.virtual_nodes) == 1
    return body.virtual_nodes[0]


async def test_a_node_is_pending_then_ready_after_the_time_model_says(
    eci_client: Client, clock: VirtualClock
) -> None:
    node_id = await create_node(
        eci_client,
        virtual_node_name="vk.eci-1",
        enable_public_network=True,
        tag=[eci_models.CreateVirtualNodeRequestTag(key="team", value="payments")],
        taint=[
            eci_models.CreateVirtualNodeRequestTaint(
                key="virtual-kubelet.io/provider", value="eci", effect="NoSchedule"
            )
        ],
    )
    assert node_id.startswith("vnd-")
    created = await node(eci_client, node_id)
    assert (created.status, created.virtual_node_name) == ("Pending", "vk.eci-1")
    assert created.virtual_node_security_group_id == "sg-test"
    assert created.virtual_node_vswitch_id == "vsw-a,vsw-b"
    assert created.region_id == REGION
    assert created.intranet_ip.startswith("172.16.")
    assert created.internet_ip.startswith(("192.0.2.", "198.51.100.", "203.0.113."))
    assert [(t.key, t.value) for t in created.tags] == [("team", "payments")]
    assert created.events == []
    clock.advance(READY_SECONDS - 0.001)
    assert (await node(eci_client, node_id)).status == "Pending"
    clock.advance(0.001)
    assert (await node(eci_client, node_id)).status == "Ready"
    ready = await nodes(eci_client, status="Ready")
    assert [n.virtual_node_id for n in ready.virtual_nodes] == [node_id]
    assert (await nodes(eci_client, status="Pending")).virtual_nodes == []
    # The node was Ready exactly READY_SECONDS after its CreationTime.
    assert seconds_between(created.creation_time, clock.now().isoformat()) == READY_SECONDS


async def test_a_client_token_makes_creation_idempotent_per_region(eci_client: Client) -> None:
    first = await create_node(eci_client, client_token="tok-1")
    assert await create_node(eci_client, client_token="tok-1") == first
    elsewhere = await create_node(eci_client, client_token="tok-1", region_id=OTHER_REGION)
    assert elsewhere != first
    assert (await nodes(eci_client)).total_count == 1
    assert (await node(eci_client, first)).internet_ip == ""  # no EnablePublicNetwork


async def test_nodes_page_by_next_token_and_filter_by_name_and_tag(
    eci_client: Client, clock: VirtualClock
) -> None:
    created = []
    for index in range(5):
        created.append(
            await create_node(
                eci_client,
                virtual_node_name=f"node-{index}",
                tag=[eci_models.CreateVirtualNodeRequestTag(key="parity", value=str(index % 2))],
            )
        )
        clock.advance(1)
    first = await nodes(eci_client, limit=2)
    assert (first.total_count, len(first.virtual_nodes)) == (5, 2)
    seen = [n.virtual_node_id for n in first.virtual_nodes]
    token = first.next_token
    while token:
        more = await nodes(eci_client, limit=2, next_token=token)
        seen += [n.virtual_node_id for n in more.virtual_nodes]
        token = more.next_token
    assert seen == created
    named = await nodes(eci_client, virtual_node_name="node-3")
    assert [n.virtual_node_id for n in named.virtual_nodes] == [created[3]]
    even = await nodes(
        eci_client, tag=[eci_models.DescribeVirtualNodesRequestTag(key="parity", value="0")]
    )
    assert [n.virtual_node_id for n in even.virtual_nodes] == created[0::2]
    assert (await nodes(eci_client, region_id=OTHER_REGION)).total_count == 0


async def test_update_renames_and_tags_and_delete_removes(eci_client: Client) -> None:
    node_id = await create_node(
        eci_client,
        virtual_node_name="before",
        tag=[eci_models.CreateVirtualNodeRequestTag(key="team", value="payments")],
    )
    await eci_client.update_virtual_node_async(
        eci_models.UpdateVirtualNodeRequest(
            region_id=REGION,
            virtual_node_id=node_id,
            virtual_node_name="after",
            cluster_dns="10.96.0.10",
            tag=[
                eci_models.UpdateVirtualNodeRequestTag(key="team", value="search"),
                eci_models.UpdateVirtualNodeRequestTag(key="tier", value="web"),
            ],
        )
    )
    updated = await node(eci_client, node_id)
    assert updated.virtual_node_name == "after"
    assert [(t.key, t.value) for t in updated.tags] == [("team", "search"), ("tier", "web")]
    await eci_client.delete_virtual_node_async(
        eci_models.DeleteVirtualNodeRequest(region_id=REGION, virtual_node_id=node_id)
    )
    assert (await nodes(eci_client)).total_count == 0
    again = await refused(
        eci_client.delete_virtual_node_async(
            eci_models.DeleteVirtualNodeRequest(region_id=REGION, virtual_node_id=node_id)
        )
    )
    assert (again.code, again.data["statusCode"]) == ("InvalidVirtualNodeId.NotFound", 404)
    assert node_id in again.message


@pytest.mark.parametrize(
    ("fields", "code", "named"),
    [
        ({"security_group_id": None}, "MissingParameter", "SecurityGroupId"),
        ({"v_switch_id": None}, "MissingParameter", "VSwitchId"),
        ({"v_switch_id": ",".join(f"vsw-{i}" for i in range(11))}, "InvalidParameter", "VSwitchId"),
        ({"virtual_node_name": "Upper_Case"}, "InvalidParameter", "VirtualNodeName"),
        ({"virtual_node_name": "x"}, "InvalidParameter", "VirtualNodeName"),
        ({"zone_id": "cn-beijing-a"}, "InvalidParameter", "ZoneId"),
        ({"kube_config": "not base64!"}, "InvalidParameter", "KubeConfig"),
        ({"region_id": "xx-nowhere-1"}, "InvalidRegionId", "xx-nowhere-1"),
        (
            {"taint": [eci_models.CreateVirtualNodeRequestTaint(key="k", effect="Sometimes")]},
            "InvalidParameter",
            "Taint.1.Effect",
        ),
        (
            {"tag": [eci_models.CreateVirtualNodeRequestTag(key="acs:owner", value="x")]},
            "InvalidParameter",
            "Tag.1.Key",
        ),
    ],
)
async def test_create_refuses_a_bad_request_naming_the_field(
    eci_client: Client, fields: dict[str, Any], code: str, named: str
) -> None:
    error = await refused(create_node(eci_client, **fields))
    assert error.code == code
    assert named in error.message
    assert (await nodes(eci_client)).total_count == 0


async def test_an_unknown_or_foreign_node_and_bad_queries_are_refused(eci_client: Client) -> None:
    node_id = await create_node(eci_client)
    foreign = await refused(
        eci_client.update_virtual_node_async(
            eci_models.UpdateVirtualNodeRequest(
                region_id=OTHER_REGION, virtual_node_id=node_id, virtual_node_name="moved"
            )
        )
    )
    assert foreign.code == "InvalidVirtualNodeId.NotFound"
    missing = await refused(
        eci_client.delete_virtual_node_async(eci_models.DeleteVirtualNodeRequest(region_id=REGION))
    )
    assert (missing.code, "VirtualNodeId" in missing.message) == ("MissingParameter", True)
    for fields, named in (
        ({"limit": 21}, "Limit"),
        ({"status": "Running"}, "Status"),
        ({"next_token": "abc"}, "NextToken"),
        ({"virtual_node_ids": "vnd-1"}, "VirtualNodeIds"),
    ):
        error = await refused(nodes(eci_client, **fields))
        assert (error.code, named in error.message) == ("InvalidParameter", True), error.message
    assert (await node(eci_client, node_id)).virtual_node_name == node_id


async def test_a_database_from_before_virtual_nodes_gains_the_table_and_keeps_its_groups(
    tmp_path: Path,
) -> None:
    settings = virtual_settings(tmp_path)
    async with Simulator(settings) as first:
        group_id = await create_group(client_for(first, settings), container("web", "nginx:1.27"))
    # What a database written before issue 15 looks like: no virtual_nodes table.
    database = str(tmp_path / "eci-simulator.db")
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TABLE virtual_nodes")
    async with Simulator(settings) as second:
        client = client_for(second, settings)
        assert (await describe(client, group_id)).container_group_id == group_id
        node_id = await create_node(client)
        stopped_at = virtual_clock(second).now()
    async with Simulator(settings) as third:
        client = client_for(third, settings)
        virtual_clock(third).advance(READY_SECONDS)
        assert virtual_clock(third).now() == stopped_at + timedelta(seconds=READY_SECONDS)
        assert (await node(client, node_id)).status == "Ready"


async def test_tag_resources_tags_a_virtual_node_of_its_region(eci_client: Client) -> None:
    node_id = await create_node(eci_client)
    await eci_client.tag_resources_async(
        eci_models.TagResourcesRequest(
            region_id=REGION,
            resource_type="VirtualNode",
            resource_id=[node_id],
            tag=[eci_models.TagResourcesRequestTag(key="team", value="payments")],
        )
    )
    assert [(t.key, t.value) for t in (await node(eci_client, node_id)).tags] == [
        ("team", "payments")
    ]
    listed = await eci_client.list_tag_resources_async(
        eci_models.ListTagResourcesRequest(
            region_id=REGION,
            resource_type="VirtualNode",
            tag=[eci_models.ListTagResourcesRequestTag(key="team", value="payments")],
        )
    )
    assert [(t.resource_id, t.tag_key) for t in listed.body.tag_resources] == [(node_id, "team")]
    await eci_client.untag_resources_async(
        eci_models.UntagResourcesRequest(
            region_id=REGION, resource_type="VirtualNode", resource_id=[node_id], all=True
        )
    )
    assert (await node(eci_client, node_id)).tags == []
    foreign = await refused(
        eci_client.tag_resources_async(
            eci_models.TagResourcesRequest(
                region_id=OTHER_REGION,
                resource_type="VirtualNode",
                resource_id=[node_id],
                tag=[eci_models.TagResourcesRequestTag(key="team", value="payments")],
            )
        )
    )
    assert foreign.code == "InvalidResourceId.NotFound"
