"""CreateVirtualNode, DescribeVirtualNodes, UpdateVirtualNode, DeleteVirtualNode: ECI's VNodes.

A VNode is what ECI offers a self-managed cluster: a node that registers
with the cluster (the `KubeConfig` it is given) and runs its Pods as ECI
instances in the vSwitches and security group it names. The simulator keeps
the resource, not a kubelet: a node is `Pending` from its creation until
`TimeModelSettings.virtual_node_ready_seconds` later, then `Ready`, on the
service's clock; nothing ever connects to the KubeConfig (it is checked to
be base64, stored, and never echoed).

What ECI's API pages document, and the simulator checks:

* CreateVirtualNode: `SecurityGroupId` and `VSwitchId` (1 to 10, comma
  separated) required; `VirtualNodeName` of 2 to 128 lowercase letters,
  digits, `.` or `-` (the id when absent); `ZoneId` a zone of the region
  (the region's first when absent); `Taint.N` with effect NoSchedule,
  PreferNoSchedule or NoExecute; `Tag.N` at most 20; `ClientToken` (ASCII, at
  most 64): a repeated creation in one region answers the first node's id.
* DescribeVirtualNodes: `VirtualNodeIds` (a JSON array, at most 20),
  `VirtualNodeName`, `Status` (Pending, Ready, Failed), `Tag.N`,
  `ResourceGroupId`; pages of `Limit` (default and maximum 20) by
  `NextToken`, in creation order (time, then a per-creation serial), with
  `TotalCount`.
* UpdateVirtualNode: the name, the cluster DNS and domain, custom resources
  and tags (added to, or replacing the value of, the node's tags).
* DeleteVirtualNode: the node is gone at once.

A node of another region does not exist in this one. An unknown id is
`InvalidVirtualNodeId.NotFound` (404), following the code ECI gives for an
unknown container group id; ECI's VNode pages list no code for it, so that
is an assumption. Events are not modelled (always empty).
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, false, select
from sqlalchemy.exc import IntegrityError

from simulator.engine.timestamps import after, on_millisecond, to_wire
from simulator.errors import InvalidParameter, NotFound
from simulator.operations.context import Context, new_id
from simulator.operations.params import Params, next_token, page
from simulator.store.tables import VirtualNodeRow

PENDING = "Pending"
READY = "Ready"
FAILED = "Failed"
STATUSES = (PENDING, READY, FAILED)
MAX_PAGE = 20
MAX_TAGS = 20
MAX_VSWITCHES = 10
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_NAME = re.compile(r"[a-z0-9.-]{2,128}")
_OWNER = frozenset({"OwnerAccount", "OwnerId", "ResourceOwnerAccount", "ResourceOwnerId"})
_CREATE = _OWNER | {
    "RegionId",
    "ZoneId",
    "SecurityGroupId",
    "VSwitchId",
    "VirtualNodeName",
    "ResourceGroupId",
    "ClientToken",
    "EnablePublicNetwork",
    "EipInstanceId",
    "KubeConfig",
    "CustomResources",
    "ClusterDNS",
    "ClusterDomain",
    "TlsBootstrapEnabled",
    "Tag",
    "Taint",
}
_DESCRIBE = _OWNER | {
    "RegionId",
    "VirtualNodeIds",
    "VirtualNodeName",
    "Status",
    "Tag",
    "ResourceGroupId",
    "ClientToken",
    "Limit",
    "NextToken",
}
_UPDATE = _OWNER | {
    "RegionId",
    "VirtualNodeId",
    "VirtualNodeName",
    "ClusterDNS",
    "ClusterDomain",
    "CustomResources",
    "Tag",
    "ClientToken",
}
_DELETE = _OWNER | {"RegionId", "VirtualNodeId", "ClientToken"}


class VirtualNodeNotFound(NotFound):
    """No virtual node with that id in the region (the code is an assumption, see above)."""

    code = "InvalidVirtualNodeId.NotFound"


def status_at(row: VirtualNodeRow, now: datetime) -> str:
    return READY if now >= row.ready_at else PENDING


def _name(params: Params) -> str | None:
    name = params.text("VirtualNodeName", max_length=128)
    if name is not None and not _NAME.fullmatch(name):
        raise InvalidParameter(
            f'VirtualNodeName: "{name}" must be 2 to 128 lowercase letters, digits, "." or "-"'
        )
    return name


def _tags(params: Params) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in params.items("Tag", max_items=MAX_TAGS):
        key = item.required_text("Key", max_length=128)
        if key.startswith(("aliyun", "acs:")):
            raise InvalidParameter(f'{item.path("Key")}: "{key}" starts with aliyun or acs:')
        tags[key] = item.text("Value", max_length=128) or ""
    return tags


def _taints(params: Params) -> list[dict[str, str]]:
    taints = []
    for item in params.items("Taint", max_items=20):
        key = item.required_text("Key", max_length=253)
        effect = item.required_text("Effect", max_length=32)
        if effect not in TAINT_EFFECTS:
            raise InvalidParameter(
                f'{item.path("Effect")}: "{effect}" is not one of {", ".join(TAINT_EFFECTS)}'
            )
        taints.append(
            {"Key": key, "Value": item.text("Value", max_length=63) or "", "Effect": effect}
        )
    return taints


def _vswitches(params: Params) -> list[str]:
    text = params.required_text("VSwitchId", max_length=1024)
    ids = [part.strip() for part in text.split(",")]
    if not all(ids) or len(ids) > MAX_VSWITCHES:
        raise InvalidParameter(
            f'VSwitchId: "{text}" must be 1 to {MAX_VSWITCHES} vSwitch ids separated by commas'
        )
    return ids


def _kube_config(params: Params) -> None:
    text = params.text("KubeConfig", max_length=1024 * 1024)
    if text is None:
        return
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameter(
            "KubeConfig: not base64 (ECI takes the KubeConfig base64-encoded)"
        ) from None


def _cluster(params: Params) -> dict[str, str]:
    return {
        name: value
        for name in ("ClusterDNS", "ClusterDomain", "CustomResources")
        if (value := params.text(name, max_length=1024)) is not None
    }


def _public_ip(serial: int) -> str:
    """A public address per node, from the blocks RFC 5737 reserves for documentation."""
    block = ("192.0.2", "198.51.100", "203.0.113")[serial // 254 % 3]
    return f"{block}.{serial % 254 + 1}"


async def create_virtual_node(ctx: Context, params: Params) -> dict[str, Any]:
    params.refuse_unknown(_CREATE, action="CreateVirtualNode")
    region_id = params.required_text("RegionId", max_length=64)
    region = ctx.served_region(region_id)
    security_group = params.required_text("SecurityGroupId", max_length=64)
    vswitches = _vswitches(params)
    name = _name(params)
    zone = params.text("ZoneId", max_length=64) or region.zones[0]
    if zone not in region.zones:
        raise InvalidParameter(f'ZoneId: "{zone}" is not a zone of {region_id}')
    token = params.client_token()
    tags = _tags(params)
    taints = _taints(params)
    _kube_config(params)
    public = params.flag("EnablePublicNetwork")
    params.flag("TlsBootstrapEnabled")
    if token is not None:
        existing = await _by_token(ctx, region_id, token)
        if existing is not None:
            return {"VirtualNodeId": existing}
    serial = await ctx.next_ip()
    node_id = new_id("vnd-")
    now = on_millisecond(ctx.clock.now())
    spec = {
        "zone_id": zone,
        "security_group_id": security_group,
        "vswitch_ids": vswitches,
        "resource_group_id": params.text("ResourceGroupId", max_length=64) or "",
        "intranet_ip": f"172.16.{serial // 254 % 256}.{serial % 254 + 1}",
        "internet_ip": _public_ip(serial) if public else "",
        "eip_instance_id": params.text("EipInstanceId", max_length=64) or "",
        "taints": taints,
        "cluster": _cluster(params),
    }
    row = VirtualNodeRow(
        id=node_id,
        name=name or node_id,
        region_id=region_id,
        client_token=token,
        serial=serial,
        created_at=now,
        ready_at=after(now, ctx.model.virtual_node_ready_seconds),
        spec=spec,
        tags=tags,
    )
    async with ctx.db.writing() as session:
        session.add(row)
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            existing = None if token is None else await _by_token(ctx, region_id, token)
            if existing is None:
                raise
            return {"VirtualNodeId": existing}
    ctx.logger.info("virtual node created", node=node_id, region=region_id, name=row.name)
    return {"VirtualNodeId": node_id}


async def _by_token(ctx: Context, region_id: str, token: str) -> str | None:
    query = select(VirtualNodeRow.id).where(
        VirtualNodeRow.region_id == region_id, VirtualNodeRow.client_token == token
    )
    async with ctx.db.sessions() as session:
        return (await session.execute(query)).scalar_one_or_none()


async def _get(ctx: Context, params: Params) -> VirtualNodeRow:
    region_id = params.required_text("RegionId", max_length=64)
    node_id = params.required_text("VirtualNodeId", max_length=64)
    async with ctx.db.sessions() as session:
        row = await session.get(VirtualNodeRow, node_id)
    if row is None or row.region_id != region_id:
        raise VirtualNodeNotFound(f"VirtualNodeId: virtual node {node_id} does not exist")
    return row


def _view(row: VirtualNodeRow, now: datetime) -> dict[str, Any]:
    spec = row.spec
    return {
        "VirtualNodeId": row.id,
        "VirtualNodeName": row.name,
        "RegionId": row.region_id,
        "ZoneId": spec["zone_id"],
        "Status": status_at(row, now),
        "CreationTime": to_wire(row.created_at),
        "VirtualNodeSecurityGroupId": spec["security_group_id"],
        "VirtualNodeVSwitchId": ",".join(spec["vswitch_ids"]),
        "VpcId": "",
        "IntranetIp": spec["intranet_ip"],
        "InternetIp": spec["internet_ip"],
        "ResourceGroupId": spec["resource_group_id"],
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(row.tags.items())],
        "Events": [],
    }


def _filtered(params: Params, region_id: str, now: datetime) -> Select[VirtualNodeRow]:
    query = select(VirtualNodeRow).where(VirtualNodeRow.region_id == region_id)
    ids = params.json_strings("VirtualNodeIds", max_items=MAX_PAGE)
    if ids is not None:
        query = query.where(VirtualNodeRow.id.in_(ids))
    name = params.text("VirtualNodeName", max_length=128)
    if name is not None:
        query = query.where(VirtualNodeRow.name == name)
    status = params.text("Status", max_length=32)
    if status is not None:
        if status not in STATUSES:
            raise InvalidParameter(f'Status: "{status}" is not one of {", ".join(STATUSES)}')
        if status == READY:
            query = query.where(VirtualNodeRow.ready_at <= now)
        elif status == PENDING:
            query = query.where(VirtualNodeRow.ready_at > now)
        else:
            query = query.where(false())  # no node fails in the simulator
    group = params.text("ResourceGroupId", max_length=64)
    if group is not None:
        query = query.where(VirtualNodeRow.spec["resource_group_id"].as_string() == group)
    return query


async def describe_virtual_nodes(ctx: Context, params: Params) -> dict[str, Any]:
    params.refuse_unknown(_DESCRIBE, action="DescribeVirtualNodes")
    region_id = params.required_text("RegionId", max_length=64)
    params.client_token()
    offset, limit = page(params, default_limit=MAX_PAGE, max_limit=MAX_PAGE)
    wanted = _tags(params)
    now = ctx.clock.now()
    query = _filtered(params, region_id, now).order_by(
        VirtualNodeRow.created_at, VirtualNodeRow.serial
    )
    async with ctx.db.sessions() as session:
        rows = list((await session.execute(query)).scalars())
    if wanted:
        rows = [r for r in rows if all(r.tags.get(k) == v for k, v in wanted.items())]
    return {
        "VirtualNodes": [_view(r, now) for r in rows[offset : offset + limit]],
        "TotalCount": len(rows),
        "NextToken": next_token(offset=offset, limit=limit, total=len(rows)),
    }


async def update_virtual_node(ctx: Context, params: Params) -> dict[str, Any]:
    params.refuse_unknown(_UPDATE, action="UpdateVirtualNode")
    params.client_token()
    name = _name(params)
    tags = _tags(params)
    cluster = _cluster(params)
    row = await _get(ctx, params)
    merged = {**row.tags, **tags}
    if len(merged) > MAX_TAGS:
        raise InvalidParameter(f"Tag.N: {row.id} would have {len(merged)} tags; at most {MAX_TAGS}")
    async with ctx.db.writing() as session:
        stored = await session.get(VirtualNodeRow, row.id)
        if stored is None:
            raise VirtualNodeNotFound(f"VirtualNodeId: virtual node {row.id} does not exist")
        if name is not None:
            stored.name = name
        stored.tags = merged
        stored.spec = {**stored.spec, "cluster": {**stored.spec["cluster"], **cluster}}
        await session.commit()
    ctx.logger.info("virtual node updated", node=row.id)
    return {}


async def delete_virtual_node(ctx: Context, params: Params) -> dict[str, Any]:
    params.refuse_unknown(_DELETE, action="DeleteVirtualNode")
    params.client_token()
    row = await _get(ctx, params)
    async with ctx.db.writing() as session:
        await session.execute(delete(VirtualNodeRow).where(VirtualNodeRow.id == row.id))
        await session.commit()
    ctx.logger.info("virtual node deleted", node=row.id)
    return {}
