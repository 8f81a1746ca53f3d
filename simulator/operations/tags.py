"""TagResources, UntagResources and ListTagResources, as ECI documents them.

`ResourceType` is ContainerGroup, ImageCache, DataCache or VirtualNode; the
simulator keeps container groups, image caches and virtual nodes, so a
DataCache id names nothing (`InvalidResourceId.NotFound`, as for an unknown id). At most 20
tags per resource (what a call would leave over that fails, nothing
changes); keys of 1 to 128 characters, values up to 128, neither starting
with `aliyun` or `acs:` nor containing `http://` or `https://`. A container
group's tags live in its spec (what Describe echoes) and in the tag table
its filters query; both change together. ListTagResources pages by
`NextToken` (`Limit`, default and maximum 50) over (resource, key) pairs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import delete, insert, select, update

from simulator.errors import InvalidParameter, MissingParameter, NotFound
from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.specs.groups import GroupSpec
from simulator.store.tables import ContainerGroupRow, GroupTagRow, ImageCacheRow, VirtualNodeRow

RESOURCE_TYPES = ("ContainerGroup", "ImageCache", "DataCache", "VirtualNode")
MAX_TAGS = 20
MAX_LIST = 50


class ResourceNotFound(NotFound):
    code = "InvalidResourceId.NotFound"


def _check_text(kind: str, text: str) -> None:
    lowered = text.lower()
    if lowered.startswith(("aliyun", "acs:")) or "http://" in lowered or "https://" in lowered:
        raise InvalidParameter(
            f'Tag.N.{kind}: "{text}" starts with aliyun or acs: or contains http:// or https://'
        )


def _resource(params: Params) -> tuple[str, str, list[str]]:
    region_id = params.required_text("RegionId", max_length=64)
    resource_type = params.required_text("ResourceType", max_length=32)
    if resource_type not in RESOURCE_TYPES:
        raise InvalidParameter(
            f'ResourceType: "{resource_type}" is not one of {", ".join(RESOURCE_TYPES)}'
        )
    ids = [str(v) for v in params.strings("ResourceId", max_items=50)]
    return region_id, resource_type, ids


async def _current(
    ctx: Context, region_id: str, resource_type: str, ids: list[str]
) -> dict[str, dict[str, str]]:
    """Each resource's tags in `region_id` (raises naming the first id that names nothing
    there: a resource of another region does not exist in this one)."""
    found: dict[str, dict[str, str]] = {}
    async with ctx.db.sessions() as session:
        if resource_type == "ContainerGroup":
            rows = (
                await session.scalars(
                    select(ContainerGroupRow).where(
                        ContainerGroupRow.id.in_(ids), ContainerGroupRow.region_id == region_id
                    )
                )
            ).all()
            found = {
                r.id: dict(GroupSpec.from_json(r.spec).tags) for r in rows if r.deleted_at is None
            }
        elif resource_type == "ImageCache":
            caches = (
                await session.scalars(
                    select(ImageCacheRow).where(
                        ImageCacheRow.id.in_(ids), ImageCacheRow.region_id == region_id
                    )
                )
            ).all()
            found = {r.id: dict(r.tags) for r in caches}
        elif resource_type == "VirtualNode":
            nodes = (
                await session.scalars(
                    select(VirtualNodeRow).where(
                        VirtualNodeRow.id.in_(ids), VirtualNodeRow.region_id == region_id
                    )
                )
            ).all()
            found = {r.id: dict(r.tags) for r in nodes}
    for resource_id in ids:
        if resource_id not in found:
            raise ResourceNotFound(f"ResourceId: {resource_type} {resource_id} does not exist")
    return found


async def _write(ctx: Context, resource_type: str, tags: dict[str, dict[str, str]]) -> None:
    async with ctx.db.writing() as session:
        for resource_id, values in tags.items():
            if resource_type in ("ImageCache", "VirtualNode"):
                table = ImageCacheRow if resource_type == "ImageCache" else VirtualNodeRow
                await session.execute(
                    update(table).where(table.id == resource_id).values(tags=values)
                )
                continue
            row = await session.get(ContainerGroupRow, resource_id)
            assert row is not None
            spec = dataclasses.replace(GroupSpec.from_json(row.spec), tags=values)
            row.spec = spec.to_json()
            await session.execute(delete(GroupTagRow).where(GroupTagRow.group_id == resource_id))
            if values:
                await session.execute(
                    insert(GroupTagRow),
                    [{"group_id": resource_id, "key": k, "value": v} for k, v in values.items()],
                )
        await session.commit()


async def tag_resources(ctx: Context, params: Params) -> dict[str, Any]:
    region_id, resource_type, ids = _resource(params)
    if not ids:
        raise MissingParameter("ResourceId.N is required")
    wanted: dict[str, str] = {}
    for item in params.items("Tag", max_items=MAX_TAGS):
        key = item.required_text("Key", max_length=128)
        value = item.text("Value", max_length=128) or ""
        _check_text("Key", key)
        _check_text("Value", value)
        wanted[key] = value
    if not wanted:
        raise MissingParameter("Tag.N is required")
    tags = await _current(ctx, region_id, resource_type, ids)
    for resource_id, values in tags.items():
        values.update(wanted)
        if len(values) > MAX_TAGS:
            raise InvalidParameter(
                f"Tag.N: {resource_id} would have {len(values)} tags; at most {MAX_TAGS}"
            )
    await _write(ctx, resource_type, tags)
    return {}


async def untag_resources(ctx: Context, params: Params) -> dict[str, Any]:
    region_id, resource_type, ids = _resource(params)
    if not ids:
        raise MissingParameter("ResourceId.N is required")
    keys = [str(k) for k in params.strings("TagKey", max_items=MAX_TAGS)]
    remove_all = params.flag("All")
    if not keys and not remove_all:
        raise MissingParameter("TagKey.N is required unless All is true")
    tags = await _current(ctx, region_id, resource_type, ids)
    for values in tags.values():
        for key in list(values) if remove_all else keys:
            values.pop(key, None)
    await _write(ctx, resource_type, tags)
    return {}


async def list_tag_resources(ctx: Context, params: Params) -> dict[str, Any]:
    region_id, resource_type, ids = _resource(params)
    wanted = {
        item.required_text("Key", max_length=128): item.text("Value", max_length=128)
        for item in params.items("Tag", max_items=MAX_TAGS)
    }
    if not ids and not wanted:
        raise MissingParameter("ResourceId.N or Tag.N is required")
    limit = params.integer("Limit", minimum=1, maximum=MAX_LIST) or MAX_LIST
    token = params.text("NextToken", max_length=64)
    start = int(token) if token and token.isdigit() else 0
    if ids:
        tags = await _current(ctx, region_id, resource_type, ids)
    else:
        tags = await _all(ctx, region_id, resource_type)
    pairs = []
    for resource_id in sorted(tags):
        values = tags[resource_id]
        if any(k not in values or (v is not None and values[k] != v) for k, v in wanted.items()):
            continue
        pairs += [
            {"ResourceId": resource_id, "ResourceType": resource_type, "TagKey": k, "TagValue": v}
            for k, v in sorted(values.items())
        ]
    page = pairs[start : start + limit]
    more = start + limit < len(pairs)
    return {"TagResources": page, "NextToken": str(start + limit) if more else ""}


async def _all(ctx: Context, region_id: str, resource_type: str) -> dict[str, dict[str, str]]:
    async with ctx.db.sessions() as session:
        if resource_type == "ContainerGroup":
            rows = (
                await session.scalars(
                    select(ContainerGroupRow).where(
                        ContainerGroupRow.deleted_at.is_(None),
                        ContainerGroupRow.region_id == region_id,
                    )
                )
            ).all()
            return {r.id: dict(GroupSpec.from_json(r.spec).tags) for r in rows}
        if resource_type == "ImageCache":
            caches = (
                await session.scalars(
                    select(ImageCacheRow).where(ImageCacheRow.region_id == region_id)
                )
            ).all()
            return {r.id: dict(r.tags) for r in caches}
        if resource_type == "VirtualNode":
            nodes = (
                await session.scalars(
                    select(VirtualNodeRow).where(VirtualNodeRow.region_id == region_id)
                )
            ).all()
            return {r.id: dict(r.tags) for r in nodes}
    return {}
