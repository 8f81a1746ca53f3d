"""`vk-eci vnodes`: the region's ECI virtual nodes (VNodes), as ECI holds them.

A VNode is ECI's own virtual node, made by CreateVirtualNode and registered
with a cluster by ECI, not by this project's agent; a user moving between the
two wants to see which exist. This command asks ECI (DescribeVirtualNodes,
through the official SDK, page by page) and prints id, name, status, vSwitch,
security group, private IP and creation time. Read-only: it never creates,
updates or deletes a node.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from alibabacloud_eci20180808 import models as eci_models

from vkeci.commands.ecilisting import add_arguments as add_arguments
from vkeci.commands.ecilisting import columns, run_listing
from vkprovider.eci.client import make_eci_client
from vkprovider.settings import EciSettings

PAGE_SIZE = 20
"""DescribeVirtualNodes' largest page."""


@dataclass(frozen=True)
class CloudVirtualNode:
    """One virtual node as the listing shows it."""

    node_id: str
    name: str
    status: str
    vswitch_id: str
    security_group_id: str
    intranet_ip: str
    created: str


async def list_virtual_nodes(settings: EciSettings) -> list[CloudVirtualNode]:
    """Every virtual node of `settings.region_id`, in ECI's order."""
    client = make_eci_client(settings)
    nodes: list[CloudVirtualNode] = []
    token = ""
    while True:
        request = eci_models.DescribeVirtualNodesRequest(
            region_id=settings.region_id, limit=PAGE_SIZE, next_token=token or None
        )
        body = (await client.describe_virtual_nodes_async(request)).body
        nodes.extend(
            CloudVirtualNode(
                node_id=str(n.virtual_node_id or ""),
                name=str(n.virtual_node_name or ""),
                status=str(n.status or ""),
                vswitch_id=str(n.virtual_node_vswitch_id or ""),
                security_group_id=str(n.virtual_node_security_group_id or ""),
                intranet_ip=str(n.intranet_ip or ""),
                created=str(n.creation_time or ""),
            )
            for n in body.virtual_nodes or ()
        )
        token = str(body.next_token or "")
        if not token:
            return nodes


def format_table(nodes: Sequence[CloudVirtualNode]) -> str:
    """Aligned columns, one node per line."""
    header = ("NODE ID", "NAME", "STATUS", "VSWITCH", "SECURITY GROUP", "PRIVATE IP", "CREATED")
    rows = [
        (
            n.node_id,
            n.name,
            n.status,
            n.vswitch_id,
            n.security_group_id,
            n.intranet_ip or "-",
            n.created,
        )
        for n in nodes
    ]
    return columns(header, rows)


def run(args: argparse.Namespace) -> int:
    return run_listing("vnodes", args, list_virtual_nodes, format_table)
