"""`vk-eci vnodes`: the region's ECI virtual nodes, page by page through the SDK."""

from __future__ import annotations

import json
import os

from alibabacloud_eci20180808.client import Client

from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.service.test_virtual_nodes import READY_SECONDS, create_node
from tests.vkeci.test_caches_command import eci_settings, settings_for
from vkeci.bench.processes import start_cli
from vkeci.commands.vnodes import format_table, list_virtual_nodes

__all__ = ["eci_settings"]


async def test_the_listing_pages_through_every_node_with_its_status(
    eci: EciTarget, eci_client: Client
) -> None:
    clock = eci.simulator.service.clock
    assert isinstance(clock, VirtualClock)
    first = await create_node(eci_client, virtual_node_name="early")
    clock.advance(READY_SECONDS)
    later = [await create_node(eci_client, virtual_node_name=f"late-{i}") for i in range(20)]
    nodes = await list_virtual_nodes(settings_for(eci))
    assert [n.node_id for n in nodes] == [first, *later]  # 21 nodes: two pages of 20
    assert [(n.name, n.status) for n in nodes[:2]] == [("early", "Ready"), ("late-0", "Pending")]
    assert (nodes[0].vswitch_id, nodes[0].security_group_id) == ("vsw-a,vsw-b", "sg-test")
    table = format_table(nodes).splitlines()
    assert table[0].split() == [
        "NODE", "ID", "NAME", "STATUS", "VSWITCH", "SECURITY", "GROUP", "PRIVATE", "IP", "CREATED"
    ]  # fmt: skip
    assert table[1].startswith(first)
    assert table[1].split()[1:3] == ["early", "Ready"]


async def test_the_command_prints_json(eci: EciTarget, eci_client: Client) -> None:
    node_id = await create_node(eci_client, virtual_node_name="solo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECI_")}
    env |= {"ECI_ACCESS_KEY_ID": eci.access_key_id, "ECI_ACCESS_KEY_SECRET": eci.access_key_secret}
    process = await start_cli(
        ["vnodes", "--eci-endpoint", eci.endpoint.removeprefix("http://"), "--output", "json"],
        env=env,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    [node] = json.loads(stdout)
    assert (node["node_id"], node["name"], node["status"]) == (node_id, "solo", "Pending")
