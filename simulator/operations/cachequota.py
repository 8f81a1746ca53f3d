"""The region's image cache quota and LRU elimination.

ECI deletes caches whose EliminationStrategy is LRU, least recently used
first, when the number of caches reaches the quota (CreateImageCache's
EliminationStrategy field). Here: before a cache is stored, if the region
already holds `quota` caches, enough LRU caches are deleted to make room,
ordered by last use (LastMatchedTime; creation time if never matched), then
id. A cache without LRU is never deleted. If nothing can be evicted the new
cache does not fit: CreateImageCache is refused, an automatic creation is
skipped (the group itself is never refused for it).

Each eviction is a conditional delete (`WHERE id = ... AND last_matched_at`
unchanged), so a cache matched meanwhile is not deleted; two processes making
room at once may each evict one, which can leave one cache fewer than the
quota, never one more than allowed by the victims they saw.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete

from simulator.errors import EciError
from simulator.operations.cacheuse import all_caches
from simulator.operations.context import Context
from simulator.store.tables import ImageCacheRow

LRU = "LRU"


class ImageCacheQuotaExceeded(EciError):
    """The region holds its quota of caches and none may be eliminated (code: an assumption)."""

    code = "QuotaExceed.ImageCache"
    http_status = 403


def _last_used(row: ImageCacheRow) -> datetime:
    return row.last_matched_at or row.created_at


def _evictable(row: ImageCacheRow) -> bool:
    return (row.spec.get("options") or {}).get("EliminationStrategy") == LRU


async def make_room(ctx: Context, *, region_id: str) -> bool:
    """Evict LRU caches until one more fits; False if it cannot fit."""
    quota = ctx.settings.image_caches.quota
    rows = await all_caches(ctx, region_id=region_id)
    excess = len(rows) + 1 - quota
    if excess <= 0:
        return True
    victims = sorted((r for r in rows if _evictable(r)), key=lambda r: (_last_used(r), r.id))
    evicted = 0
    for victim in victims:
        if evicted == excess:
            break
        unchanged = (
            ImageCacheRow.last_matched_at.is_(None)
            if victim.last_matched_at is None
            else ImageCacheRow.last_matched_at == victim.last_matched_at
        )
        async with ctx.db.writing() as session:
            result = await session.execute(
                delete(ImageCacheRow).where(and_(ImageCacheRow.id == victim.id, unchanged))
            )
            await session.commit()
        if getattr(result, "rowcount", 0) == 1:
            evicted += 1
            ctx.logger.info(
                "image cache eliminated (LRU) at the region's quota",
                cache=victim.id,
                last_used=_last_used(victim).isoformat(),
                quota=quota,
            )
    return evicted >= excess


async def require_room(ctx: Context, *, region_id: str) -> None:
    """`make_room`, or refuse the call naming the quota."""
    if not await make_room(ctx, region_id=region_id):
        raise ImageCacheQuotaExceeded(
            f"region {region_id} holds its quota of {ctx.settings.image_caches.quota} image "
            "caches and none has EliminationStrategy LRU; delete one first"
        )
