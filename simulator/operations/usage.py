"""ListUsage: the account's quotas in one region and how much of each is used, from the store.

ECI answers `Attributes` with eight figures (its API page's example):
`UsedCpu`/`MaxCpu` (vCPUs of the region's instances against the vCPU quota),
`UsedImageCacheCount`/`MaxImageCacheCount` (caches made by CreateImageCache),
`UsedAutoImageCacheCount`/`MaxAutoImageCacheCount` (caches ECI made on a
miss) and `UsedDataCacheCount`/`MaxDataCacheCount`. Here:

* `UsedCpu` sums the vCPUs of the region's groups that still hold an instance
  (not deleted, and not Succeeded, Failed, Expired or ScheduleFailed: a
  finished group keeps its record, not its vCPUs); statuses are settled
  first, so a group that finished a moment ago no longer counts. `MaxCpu` is
  `MAX_CPU`.
* Both cache figures count the region's caches by how they were made; the
  simulator has one quota over all of them (`ImageCacheSettings.quota`, what
  `cachequota` enforces), so both `Max...` figures are that quota.
* DataCaches are not available to the account (`unavailable`): 0 of 0.

Nothing here enforces the vCPU quota: CreateContainerGroup does not refuse a
group over it (a gap, not a claim about ECI).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from simulator.engine.grouptypes import GroupStatus
from simulator.operations.cacheuse import AUTOMATIC, all_caches
from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.store.tables import ContainerGroupRow

MAX_CPU = 1000
"""vCPUs of instances one account may run in a region: the figure ECI's ListUsage page shows
in its example answer. The real quota is per account (raised on request); an assumption."""

_FINISHED = tuple(
    status.value
    for status in (
        GroupStatus.SUCCEEDED,
        GroupStatus.FAILED,
        GroupStatus.EXPIRED,
        GroupStatus.SCHEDULE_FAILED,
    )
)
"""Statuses of groups that no longer (or never did) hold an instance's vCPUs."""


async def _used_cpu(ctx: Context, region_id: str) -> float:
    await ctx.settle()
    query = select(func.coalesce(func.sum(ContainerGroupRow.spec["cpu"].as_float()), 0.0)).where(
        ContainerGroupRow.region_id == region_id,
        ContainerGroupRow.deleted_at.is_(None),
        ContainerGroupRow.status.not_in(_FINISHED),
    )
    async with ctx.db.sessions() as session:
        return float((await session.execute(query)).scalar_one())


async def list_usage(ctx: Context, params: Params) -> dict[str, Any]:
    params.refuse_unknown(frozenset({"RegionId"}), action="ListUsage")
    region_id = params.required_text("RegionId", max_length=64)
    used_cpu = await _used_cpu(ctx, region_id)
    caches = await all_caches(ctx, region_id=region_id)
    automatic = sum(1 for row in caches if row.spec.get("source") == AUTOMATIC)
    quota = ctx.settings.image_caches.quota
    return {
        "Attributes": {
            "UsedCpu": round(used_cpu, 3),
            "MaxCpu": MAX_CPU,
            "UsedImageCacheCount": len(caches) - automatic,
            "MaxImageCacheCount": quota,
            "UsedAutoImageCacheCount": automatic,
            "MaxAutoImageCacheCount": quota,
            "UsedDataCacheCount": 0,
            "MaxDataCacheCount": 0,
        }
    }
