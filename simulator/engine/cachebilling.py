"""What ECI bills an image cache for, up to a simulated instant, from its plan.

ECI's "Image caches" billing page: a manually created cache pays its build, the
temporary 2 vCPU / 4 GiB instance and PL1 ESSD for as long as the build runs
(every revision's, from its start to its snapshot or its failure); an
automatically created cache is free to create. Every cache's snapshot costs
storage per GiB-month while it exists: each revision's cached images' unpacked
bytes, from when its snapshot is done until the next revision's is (or the
instant). The disk each instance creates from the cache is billed on the
instance (`groupbilling`).

Pure and exact in simulated time: a build still running is billed up to the
instant only. Never rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from simulator.engine.cacheplan import CachePlan, Revision
from simulator.pricing import cache_build_usd, snapshot_usd
from simulator.settings import PriceSettings
from simulator.storage.capacity import GIB

__all__ = ["CacheBill", "cache_bill", "stored_gib"]


@dataclass(frozen=True, kw_only=True)
class CacheBill:
    build_seconds: float
    build_usd: float
    snapshot_usd: float
    """Snapshot storage so far."""


def stored_gib(revision: Revision) -> float:
    """What a revision's snapshot stores: its images' unpacked bytes, in GiB."""
    return sum(revision.content.image_bytes.values()) / GIB


def cache_bill(
    plan: CachePlan, *, automatic: bool, at: datetime, prices: PriceSettings
) -> CacheBill:
    build_seconds = build = 0.0
    for revision in plan.revisions:
        if revision.started_at > at:
            continue
        end = min(revision.failed_at or revision.finished_at, at)
        seconds = (end - revision.started_at).total_seconds()
        build_seconds += seconds
        build += cache_build_usd(
            prices, seconds=seconds, disk_gib=revision.size_gib, automatic=automatic
        )
    snapshots = [r for r in plan.revisions if r.failure is None and r.finished_at <= at]
    stored = 0.0
    for index, revision in enumerate(snapshots):
        until = snapshots[index + 1].finished_at if index + 1 < len(snapshots) else at
        stored += snapshot_usd(
            prices,
            gib=stored_gib(revision),
            seconds=(until - revision.finished_at).total_seconds(),
        )
    return CacheBill(build_seconds=build_seconds, build_usd=build, snapshot_usd=stored)
