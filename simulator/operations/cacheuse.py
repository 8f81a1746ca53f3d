"""Choosing the image cache a new container group starts from.

Explicit `ImageSnapshotId` beats `AutoMatchImageCache`; either way only caches
of the group's own region count. An explicit cache must exist there
(`InvalidImageSnapshotId.NotFound`) and be Ready and unexpired
(`IncorrectImageCacheStatus`, naming the cache and its status): the call
fails, nothing is created. Automatic matching ranks usable caches with
`simulator.registry.matching` (ImageFullMatch / ImageMatchCountRequest narrow it); no
match is a normal pull. The chosen cache's `LastMatchedTime` is updated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from simulator.engine.cacheplan import CachePlan
from simulator.engine.cachestate import CacheState, project
from simulator.engine.planning import ChosenCache
from simulator.errors import IncorrectStatus, NotFound
from simulator.operations.context import Context
from simulator.registry.matching import CacheCandidate, rank_caches
from simulator.specs.groups import GroupSpec
from simulator.store.tables import ImageCacheRow


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
        await _matched(ctx, row.id, now)
        return ChosenCache(row.id, "explicit", state.content, state.content.layers | pause_layers)
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
    await _matched(ctx, best, now)
    return ChosenCache(best, "auto", content, content.layers | pause_layers)


def candidate(row: ImageCacheRow, state: CacheState) -> CacheCandidate:
    content = state.content
    return CacheCandidate(
        cache_id=row.id,
        image_bytes={} if content is None else dict(content.image_bytes),
        created_at=row.created_at,
        ready=state.usable,
        expires_at=state.expire_at,
    )


async def _matched(ctx: Context, cache_id: str, now: datetime) -> None:
    async with ctx.db.writing() as session:
        await session.execute(
            update(ImageCacheRow).where(ImageCacheRow.id == cache_id).values(last_matched_at=now)
        )
        await session.commit()
