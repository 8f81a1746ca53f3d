"""Choosing the image cache a new container group starts from.

Explicit `ImageSnapshotId` beats `AutoMatchImageCache`; either way only caches
of the group's own region count. An explicit cache must exist there
(`InvalidImageSnapshotId.NotFound`) and be Ready and unexpired
(`IncorrectImageCacheStatus`, naming the cache and its status): the call
fails, nothing is created. Automatic matching ranks usable caches with
`simulator.registry.matching` (ImageFullMatch / ImageMatchCountRequest narrow it); no
match is a normal pull. The chosen cache's `LastMatchedTime` is updated and
the use recorded; an instance of a batch larger than the cache's snapshot
copies serve creates its disk slower (`timemodel.model.disk_from_snapshot_seconds`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from simulator.engine.cacheplan import CachePlan
from simulator.engine.cachestate import CacheState, project
from simulator.engine.planning import ChosenCache
from simulator.errors import IncorrectStatus, NotFound
from simulator.operations.context import Context
from simulator.pricing import cache_disk_gib
from simulator.registry.matching import CacheCandidate, rank_caches
from simulator.specs.groups import GroupSpec
from simulator.store.tables import ImageCacheRow, ImageCacheUseRow
from simulator.timemodel.model import disk_from_snapshot_seconds

AUTOMATIC: str = "Automatic"
"""`Source` of a cache ECI created on a miss (not an ECI field: the SDK ignores it)."""
MANUAL: str = "Manual"
"""`Source` of a cache a CreateImageCache call asked for."""


class ImageSnapshotNotFound(NotFound):
    code = "InvalidImageSnapshotId.NotFound"


class ImageCacheNotReady(IncorrectStatus):
    code = "IncorrectImageCacheStatus"


def state_of(row: ImageCacheRow, at: datetime) -> CacheState:
    return project(CachePlan.from_json(row.plan), at=at)


async def all_caches(ctx: Context, *, region_id: str) -> list[ImageCacheRow]:
    """Every cache of one region: caches of other regions are neither listed nor matched."""
    query = select(ImageCacheRow).where(ImageCacheRow.region_id == region_id)
    async with ctx.db.sessions() as session:
        return list((await session.execute(query)).scalars())


async def choose_cache(ctx: Context, spec: GroupSpec, now: datetime) -> ChosenCache | None:
    """The cache a new group starts from: explicit `ImageSnapshotId` beats automatic matching."""
    pause_layers = ctx.catalog.pause_image.layer_digests
    if spec.image_snapshot_id is not None:
        wanted = spec.image_snapshot_id
        async with ctx.db.sessions() as session:
            query = select(ImageCacheRow).where(
                or_(ImageCacheRow.id == wanted, ImageCacheRow.snapshot_id == wanted),
                ImageCacheRow.region_id == spec.region_id,
            )
            row = (await session.execute(query)).scalar_one_or_none()
        if row is None:
            raise ImageSnapshotNotFound(f"ImageSnapshotId: image cache {wanted} does not exist")
        state = state_of(row, now)
        if not state.usable or state.content is None:
            raise ImageCacheNotReady(
                f"ImageSnapshotId: image cache {row.id} is {state.status.value}, not Ready"
            )
        disk = await _matched(ctx, row, state, "explicit", now)
        return ChosenCache(
            row.id,
            "explicit",
            state.content,
            state.content.layers | pause_layers,
            disk,
            billed_disk_gib(row, state),
        )
    if not spec.auto_match_image_cache:
        return None
    rows = {row.id: row for row in await all_caches(ctx, region_id=spec.region_id)}
    states = {cache_id: state_of(row, now) for cache_id, row in rows.items()}
    ranked = rank_caches(
        wanted=spec.images,
        candidates=[candidate(row, states[row.id]) for row in rows.values()],
        now=now,
        perfect_match=spec.image_full_match,
        match_count_request=spec.image_match_count,
    )
    if not ranked:
        return None
    best = ranked[0].cache_id
    content = states[best].content
    assert content is not None
    disk = await _matched(ctx, rows[best], states[best], "auto", now)
    return ChosenCache(
        best,
        "auto",
        content,
        content.layers | pause_layers,
        disk,
        billed_disk_gib(rows[best], states[best]),
    )


def billed_disk_gib(row: ImageCacheRow, state: CacheState) -> int:
    """The storage an instance started from this cache is billed for (billing page)."""
    automatic = row.spec.get("source") == AUTOMATIC
    return cache_disk_gib(cache_size_gib=state.revision.size_gib, automatic=automatic)


def candidate(row: ImageCacheRow, state: CacheState) -> CacheCandidate:
    content = state.content
    return CacheCandidate(
        cache_id=row.id,
        image_bytes={} if content is None else dict(content.image_bytes),
        created_at=row.created_at,
        ready=state.usable,
        expires_at=state.expire_at,
    )


def snapshot_copies(row: ImageCacheRow, state: CacheState, now: datetime) -> int:
    """How many copies of the snapshot instances start from now: FlashCopyCount while the
    local snapshot is what is served, StandardCopyCount after (each default 1)."""
    options = row.spec.get("options") or {}
    between = state.revision.flash_snapshot_between()
    if between is not None and between[0] <= now < between[1]:
        return int(options.get("FlashCopyCount") or 1)
    return int(options.get("StandardCopyCount") or 1)


async def _matched(
    ctx: Context, row: ImageCacheRow, state: CacheState, mode: str, now: datetime
) -> float:
    """Record the use (LastMatchedTime, a use row); the new instance's disk creation time,
    slower when the batch from this cache outgrows its snapshot copies."""
    window_start = now - timedelta(seconds=ctx.model.snapshot_burst_window_seconds)
    async with ctx.db.writing() as session:
        position = await session.scalar(
            select(func.count())
            .select_from(ImageCacheUseRow)
            .where(ImageCacheUseRow.cache_id == row.id, ImageCacheUseRow.used_at > window_start)
        )
        session.add(ImageCacheUseRow(cache_id=row.id, mode=mode, used_at=now))
        await session.execute(
            update(ImageCacheRow).where(ImageCacheRow.id == row.id).values(last_matched_at=now)
        )
        await session.commit()
    return disk_from_snapshot_seconds(
        model=ctx.model,
        burst_position=int(position or 0),
        copies=snapshot_copies(row, state, now),
    )
