"""What groups and caches cost, as the Describe answers show it (non-ECI fields).

DescribeContainerGroups' `SimulatedCost` and DescribeImageCaches' `Cost` are not
ECI fields (the SDK models have none and drop them; a raw reader, such as
`vk-eci caches` or `vk-eci bench startup`, sees them): what was billed so far by
ECI's formulas (`simulator.engine.groupbilling`, `cachebilling`) at the configured
unit prices, exact in simulated time. Group amounts keep 9 decimals (a second of a
small instance costs a few millionths of a dollar); cache amounts keep 6.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simulator.engine.cachebilling import cache_bill, stored_gib
from simulator.engine.cacheplan import CachePlan
from simulator.engine.cachestate import CacheState
from simulator.engine.groupbilling import GroupBill, bill
from simulator.engine.groupplan import GroupPlan
from simulator.engine.grouptypes import GroupState
from simulator.pricing import SECONDS_PER_DAY, SECONDS_PER_MONTH, snapshot_usd
from simulator.settings import PriceSettings
from simulator.specs.groups import GroupSpec

USD_DECIMALS = 9


def group_bill(
    spec: GroupSpec,
    plan: GroupPlan,
    state: GroupState,
    *,
    deleted_at: datetime | None,
    at: datetime,
    prices: PriceSettings,
) -> GroupBill:
    """The group's charges up to `at` (its spec's vCPUs, memory and EphemeralStorage)."""
    return bill(
        plan,
        state,
        cpu=spec.cpu,
        memory_gib=spec.memory,
        temporary_storage_gib=int(spec.echo.get("EphemeralStorage") or 0),
        deleted_at=deleted_at,
        at=at,
        prices=prices,
    )


def _usd(value: float) -> float:
    return round(value, USD_DECIMALS)


def charges_body(charges: GroupBill, prices: PriceSettings) -> dict[str, Any]:
    return {
        "Currency": "USD",
        "PricesReadOn": prices.read_on,
        "BilledSeconds": charges.billed_seconds,
        "StartupSeconds": charges.startup_seconds,
        "VCpuUsd": _usd(charges.vcpu_usd),
        "MemoryUsd": _usd(charges.memory_usd),
        "CacheDiskGiB": charges.cache_disk_gib,
        "CacheDiskUsd": _usd(charges.cache_disk_usd),
        "TemporaryStorageGiB": charges.temporary_storage_gib,
        "TemporaryStorageUsd": _usd(charges.temporary_storage_usd),
        "TotalUsd": _usd(charges.total_usd),
        "StartupUsd": _usd(charges.startup_usd),
        "UsdPerHour": _usd(charges.usd_per_second * 3600),
        "CacheDiskUsdPerHour": _usd(
            charges.cache_disk_gib * prices.essd_pl1_usd_per_gib_second * 3600
        ),
    }


def cache_charges_body(
    plan: CachePlan,
    state: CacheState,
    *,
    automatic: bool,
    at: datetime,
    prices: PriceSettings,
) -> dict[str, Any]:
    """A cache's `Cost`: its builds so far, its snapshot's storage so far and per month/day."""
    charges = cache_bill(plan, automatic=automatic, at=at, prices=prices)
    stored = stored_gib(state.revision)
    return {
        "Currency": "USD",
        "PricesReadOn": prices.read_on,
        "BuildSeconds": charges.build_seconds,
        "BuildUsd": round(charges.build_usd, 6),
        "SnapshotGiB": round(stored, 6),
        "SnapshotUsd": round(charges.snapshot_usd, 6),
        "SnapshotUsdPerMonth": round(
            snapshot_usd(prices, gib=stored, seconds=SECONDS_PER_MONTH), 6
        ),
        "SnapshotUsdPerDay": round(snapshot_usd(prices, gib=stored, seconds=SECONDS_PER_DAY), 6),
    }
