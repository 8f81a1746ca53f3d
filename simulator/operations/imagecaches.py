"""Image cache operations: Create, Describe, Update, Delete.

A cache's whole future is planned when it is created or updated (see
`simulator.engine.cachebuild`); this module validates requests, keeps rows
and renders responses. What fails the call: a missing or malformed parameter,
an image reference that is not valid Docker syntax, an ImageCacheSize too
small for the images (needed vs given), an update of a cache that is not
Ready or UpdateFailed (ECI's UpdateImageCache page), a region at its cache
quota with nothing to evict (`operations.cachequota`). What fails the cache
instead (status Failed, an event with the reason, expiry 24 h later): an
image the registry does not have, or a private image without the right
credential, as ECI finds those only while building. The ACR instances a cache
names (`AcrRegistryInfo`) give its build ECI's token for them (`simulator.registry.acr`).
Deleting a cache never touches container groups (their plans hold everything
they took from it). Choosing a cache for a new group is `operations.cacheuse`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from simulator.engine.cachebuild import plan_revision
from simulator.engine.cacheplan import CachePlan
from simulator.engine.cachestate import CacheState, CacheStatus, project
from simulator.engine.timestamps import on_millisecond, to_wire
from simulator.errors import EciError, IncorrectStatus, InvalidParameter, MissingParameter, NotFound
from simulator.operations.acrinfo import from_json
from simulator.operations.cacheoptions import cache_options, described_options
from simulator.operations.cachequota import require_room
from simulator.operations.cacheuse import AUTOMATIC, MANUAL, all_caches, candidate, state_of
from simulator.operations.charges import cache_charges_body
from simulator.operations.context import Context, log_synthesized_pulls, new_id
from simulator.operations.params import Params, next_token, page
from simulator.registry.images import RegistryCredential
from simulator.registry.matching import rank_caches
from simulator.registry.references import normalize_reference
from simulator.settings import PriceSettings
from simulator.specs.tokens import scoped_token
from simulator.store.tables import ImageCacheRow, ImageCacheUseRow


class ImageCacheNotFound(NotFound):
    code = "InvalidImageCacheId.NotFound"


def _credentials(params: Params) -> list[RegistryCredential]:
    return [
        RegistryCredential(
            server=item.required_text("Server", max_length=256),
            username=item.required_text("UserName", max_length=256),
            password=item.required_text("Password", max_length=1024),
        )
        for item in params.items("ImageRegistryCredential", max_items=20)
    ]


def _images(params: Params, *, required: bool) -> list[str]:
    images = params.strings("Image", max_items=20)
    if required and not images:
        raise MissingParameter("Image.1 is required: at least one image to cache")
    for index, image in enumerate(images, start=1):
        try:
            normalize_reference(image)
        except EciError as exc:
            raise InvalidParameter(f"Image.{index}: {exc.message}") from None
    return images


async def _reusable(
    ctx: Context, now: datetime, *, exclude: str | None, region_id: str
) -> dict[str, str]:
    """Layers held by other usable caches of the same region (reuse stays in a region)."""
    layers: dict[str, str] = {}
    for row in await all_caches(ctx, region_id=region_id):
        state = state_of(row, now)
        if row.id != exclude and state.usable and state.content is not None:
            for digest in state.content.layers:
                layers.setdefault(digest, row.id)
    return layers


async def _save(ctx: Context, row: ImageCacheRow, state: CacheState) -> None:
    row.status = state.status.value
    row.changed_at = state.changed_at
    row.next_due_at = state.next_change_at
    async with ctx.db.writing() as session:
        session.add(row)
        await session.commit()
    ctx.wake()


def _acr_tokens(
    ctx: Context, options: dict[str, Any], *, region_id: str
) -> list[RegistryCredential]:
    """What ECI pulls with for the ACR instances the cache names (kept across updates)."""
    named = from_json(options.get("AcrRegistryInfo") or [])
    return ctx.catalog.acr_tokens(named, region_id=region_id)


async def create_image_cache(ctx: Context, params: Params) -> dict[str, Any]:
    region = params.required_text("RegionId", max_length=64)
    name = params.required_text("ImageCacheName", max_length=128)
    if len(name) < 2:
        raise InvalidParameter(f'ImageCacheName: "{name}" must be 2 to 128 characters')
    images = _images(params, required=True)
    credentials = _credentials(params)
    size = params.integer("ImageCacheSize", minimum=20, maximum=32768) or 20
    retention = params.integer("RetentionDays", minimum=1, maximum=65536)
    reuse = params.flag("AutoMatchImageCache")
    token = params.client_token()
    tags = params.tags()
    options = cache_options(params)
    if token is not None:
        existing = await _by_token(ctx, token, region_id=region)
        if existing is not None:
            return {
                "ImageCacheId": existing.id,
                "ContainerGroupId": existing.spec["build_group_id"],
            }
    await require_room(ctx, region_id=region)
    now = on_millisecond(ctx.clock.now())
    cache_id = new_id("imc-")
    reusable = await _reusable(ctx, now, exclude=None, region_id=region) if reuse else {}
    revision = plan_revision(
        cache_id=cache_id,
        catalog=ctx.catalog,
        model=ctx.model,
        requested=images,
        credentials=[*credentials, *_acr_tokens(ctx, options, region_id=region)],
        size_gib=size,
        retention_days=retention,
        reusable=reusable,
        now=now,
        flash=bool(options.get("Flash")),
    )
    plan = CachePlan(
        revisions=(revision,),
        failed_retention_hours=ctx.model.failed_cache_retention_seconds / 3600,
    )
    state = project(plan, at=now)
    build_group = new_id("eci-")
    row = ImageCacheRow(
        id=cache_id,
        name=name,
        region_id=region,
        client_token=None if token is None else scoped_token(region, token),
        snapshot_id=new_id("s-"),
        created_at=now,
        spec={
            "images": images,
            "size_gib": size,
            "retention_days": retention,
            "auto_match": reuse,
            "build_group_id": build_group,
            "options": options,
            "flash_snapshot_id": new_id("s-"),
        },
        plan=plan.to_json(),
        tags=tags,
        last_matched_at=None,
        status=state.status.value,
        changed_at=state.changed_at,
        next_due_at=state.next_change_at,
        seq=0,
        revision=0,
    )
    try:
        await _save(ctx, row, state)
    except IntegrityError:
        if token is None:
            raise
        existing = await _by_token(ctx, token, region_id=region)
        assert existing is not None
        return {"ImageCacheId": existing.id, "ContainerGroupId": existing.spec["build_group_id"]}
    ctx.logger.info("image cache created", cache=cache_id, images=images, reuse=reuse)
    log_synthesized_pulls(ctx, images, cache=cache_id)
    return {"ImageCacheId": cache_id, "ContainerGroupId": build_group}


async def _by_token(ctx: Context, token: str, *, region_id: str) -> ImageCacheRow | None:
    stored = scoped_token(region_id, token)
    async with ctx.db.sessions() as session:
        query = select(ImageCacheRow).where(ImageCacheRow.client_token == stored)
        return (await session.execute(query)).scalar_one_or_none()


async def _get(ctx: Context, cache_id: str, *, region_id: str) -> ImageCacheRow:
    """The cache, seen from `region_id`: a cache of another region does not exist there."""
    async with ctx.db.sessions() as session:
        row = await session.get(ImageCacheRow, cache_id)
    if row is None or row.region_id != region_id:
        raise ImageCacheNotFound(f"image cache {cache_id} does not exist")
    return row


def _flash_snapshot_id(row: ImageCacheRow, state: CacheState, now: datetime) -> str:
    """The local snapshot's id while it exists: from its creation to the regular snapshot's."""
    between = state.revision.flash_snapshot_between()
    if between is None or not between[0] <= now < between[1]:
        return ""
    return str(row.spec.get("flash_snapshot_id") or "")


async def _use_counts(ctx: Context, cache_ids: list[str]) -> dict[str, int]:
    if not cache_ids:
        return {}
    async with ctx.db.sessions() as session:
        query = (
            select(ImageCacheUseRow.cache_id, func.count())
            .where(ImageCacheUseRow.cache_id.in_(cache_ids))
            .group_by(ImageCacheUseRow.cache_id)
        )
        return {str(cache_id): int(count) for cache_id, count in await session.execute(query)}


def _body(
    row: ImageCacheRow, state: CacheState, now: datetime, uses: int, prices: PriceSettings
) -> dict[str, Any]:
    revision = state.revision
    return {
        "ImageCacheId": row.id,
        "ImageCacheName": row.name,
        "ContainerGroupId": row.spec["build_group_id"],
        "SnapshotId": row.snapshot_id,
        "FlashSnapshotId": _flash_snapshot_id(row, state, now),
        "RegionId": row.region_id,
        "Status": state.status.value,
        "Progress": f"{state.progress}%",
        "CreationTime": to_wire(row.created_at),
        "ExpireDateTime": "" if state.expire_at is None else to_wire(state.expire_at),
        "LastMatchedTime": "" if row.last_matched_at is None else to_wire(row.last_matched_at),
        "ImageCacheSize": revision.size_gib,
        "Images": list(revision.content.requested),
        **described_options(row.spec.get("options") or {}),
        "Tags": [{"Key": k, "Value": v} for k, v in row.tags.items()],
        "Events": [
            {
                "Count": e.count,
                "Type": e.type,
                "Reason": e.reason,
                "Name": e.name,
                "Message": e.message,
                "FirstTimestamp": to_wire(e.first_at),
                "LastTimestamp": to_wire(e.last_at),
            }
            for e in state.events
        ],
        # Not ECI fields (the SDK ignores them): who asked for the cache, how many groups
        # started from it, and every build step's simulated times.
        "Source": row.spec.get("source", MANUAL),
        "MatchedCount": uses,
        "Cost": cache_charges_body(
            CachePlan.from_json(row.plan),
            state,
            automatic=row.spec.get("source") == AUTOMATIC,
            at=now,
            prices=prices,
        ),
        "SimulatedBuild": [
            {
                "Step": step.kind,
                "Subject": step.subject,
                "StartTime": to_wire(step.started_at),
                "FinishTime": to_wire(step.finished_at),
                "Progress": step.progress,
                "ReusedLayers": step.reused,
            }
            for step in revision.steps
        ],
    }


def _split(value: str | None) -> set[str] | None:
    return None if value is None else {v.strip() for v in value.split(",") if v.strip()}


async def describe_image_caches(ctx: Context, params: Params) -> dict[str, Any]:
    region_id = params.required_text("RegionId", max_length=64)
    ids = _split(params.text("ImageCacheId", max_length=10_000))
    names = _split(params.text("ImageCacheName", max_length=10_000))
    snapshots = _split(params.text("SnapshotId", max_length=10_000))
    image = params.text("Image", max_length=512)
    match = params.strings("MatchImage", max_items=100)
    full = params.flag("ImageFullMatch")
    count = params.integer("ImageMatchCountRequest", minimum=1, maximum=100)
    tags = params.tags()
    # ECI's DescribeImageCaches reference (https://www.alibabacloud.com/help/doc-detail/146894.htm)
    # documents Limit without a default or maximum; the simulator pages by 10, at most 100,
    # and ECI's own bounds apply where documented: Tag at most 20, MatchImage at most 100.
    offset, limit = page(params, default_limit=10, max_limit=100)
    now = ctx.clock.now()
    rows = sorted(
        await all_caches(ctx, region_id=region_id), key=lambda r: (r.created_at, r.id), reverse=True
    )
    states = {row.id: state_of(row, now) for row in rows}
    selected = []
    for row in rows:
        if ids is not None and row.id not in ids:
            continue
        if names is not None and row.name not in names:
            continue
        if snapshots is not None and row.snapshot_id not in snapshots:
            continue
        if any(row.tags.get(k) != v for k, v in tags.items()):
            continue
        if image is not None:
            content = states[row.id].revision.content
            if normalize_reference(image) not in content.images:
                continue
        selected.append(row)
    if match:
        by_id = {row.id: row for row in selected}
        candidates = [candidate(row, states[row.id]) for row in selected]
        ranked = rank_caches(
            wanted=match,
            candidates=candidates,
            now=now,
            perfect_match=full,
            match_count_request=count,
        )
        selected = [by_id[m.cache_id] for m in ranked]
    chosen = selected[offset : offset + limit]
    uses = await _use_counts(ctx, [row.id for row in chosen])
    return {
        "ImageCaches": [
            _body(row, states[row.id], now, uses.get(row.id, 0), ctx.settings.prices)
            for row in chosen
        ],
        "TotalCount": len(selected),
        "NextToken": next_token(offset=offset, limit=limit, total=len(selected)),
    }


async def update_image_cache(ctx: Context, params: Params) -> dict[str, Any]:
    region_id = params.required_text("RegionId", max_length=64)
    row = await _get(ctx, params.required_text("ImageCacheId", max_length=64), region_id=region_id)
    now = on_millisecond(ctx.clock.now())
    state = state_of(row, now)
    # Only a Ready or UpdateFailed cache can be updated, as ECI's UpdateImageCache documents
    # (the SDK's DescribeImageCaches statuses: UpdateFailed is the failed update of a cache
    # that stays usable); a Failed cache was never built and is recreated instead.
    if state.status not in (CacheStatus.READY, CacheStatus.UPDATE_FAILED):
        raise IncorrectStatus(
            f"image cache {row.id} is {state.status.value}; it can be updated when Ready or"
            " UpdateFailed"
        )
    plan = CachePlan.from_json(row.plan)
    last = plan.revisions[-1]
    images = _images(params, required=False) or list(last.content.requested)
    size = params.integer("ImageCacheSize", minimum=20, maximum=32768) or last.size_gib
    retention = params.integer("RetentionDays", minimum=1, maximum=65536)
    reuse = params.flag("AutoMatchImageCache")
    options = cache_options(params, previous=row.spec.get("options"), action="UpdateImageCache")
    reusable = await _reusable(ctx, now, exclude=row.id, region_id=region_id) if reuse else {}
    if reuse and state.content is not None:
        for digest in state.content.layers:
            reusable.setdefault(digest, row.id)
    revision = plan_revision(
        cache_id=row.id,
        catalog=ctx.catalog,
        model=ctx.model,
        requested=images,
        credentials=[*_credentials(params), *_acr_tokens(ctx, options, region_id=region_id)],
        size_gib=size,
        retention_days=retention if retention is not None else last.retention_days,
        reusable=reusable,
        now=now,
        flash=bool(options.get("Flash")),
    )
    new_plan = plan.with_revision(revision)
    new_state = project(new_plan, at=now)
    name = params.text("ImageCacheName", max_length=128) or row.name
    tags = params.tags() or row.tags
    spec = dict(row.spec) | {"images": images, "size_gib": size, "options": options}
    spec.setdefault("flash_snapshot_id", new_id("s-"))
    async with ctx.db.writing() as session:
        result = await session.execute(
            update(ImageCacheRow)
            .where(ImageCacheRow.id == row.id, ImageCacheRow.revision == row.revision)
            .values(
                revision=row.revision + 1,
                plan=new_plan.to_json(),
                name=name,
                tags=tags,
                spec=spec,
                status=new_state.status.value,
                changed_at=new_state.changed_at,
                next_due_at=new_state.next_change_at,
                seq=ImageCacheRow.seq + 1,
            )
        )
        await session.commit()
    if getattr(result, "rowcount", 0) != 1:
        raise IncorrectStatus(f"image cache {row.id} is being updated by another request")
    ctx.wake()
    log_synthesized_pulls(ctx, images, cache=row.id)
    return {}


async def delete_image_cache(ctx: Context, params: Params) -> dict[str, Any]:
    region_id = params.required_text("RegionId", max_length=64)
    cache_id = params.required_text("ImageCacheId", max_length=64)
    async with ctx.db.writing() as session:
        result = await session.execute(
            delete(ImageCacheRow).where(
                ImageCacheRow.id == cache_id, ImageCacheRow.region_id == region_id
            )
        )
        await session.commit()
    if getattr(result, "rowcount", 0) == 0:
        raise ImageCacheNotFound(f"image cache {cache_id} does not exist")
    return {}
