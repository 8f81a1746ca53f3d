"""What ECI charges for what the simulator runs, with ECI's published formulas.

Pure arithmetic over `PriceSettings` (unit prices are configuration): an
instance is vCPU-seconds plus GiB-seconds; a manually created cache's build is
its temporary 2 vCPU / 4 GiB instance and its PL1 ESSD for the build's
duration (ECI's billing page: (vCPU price x 2 + memory price x 4 + disk price x
disk size) x duration); an automatically created cache's build is free; a
cache's snapshot costs storage per GiB-month while it exists. A running
instance also pays for the disk it creates from a manually created cache (the
cache's size of ESSD PL1), or, from an automatic cache bigger than the free
temporary storage, for the extra temporary storage (billed at the PL1 price,
"Billing of temporary storage space"). Never rounds: callers round for display.
"""

from __future__ import annotations

from simulator.settings import PriceSettings

BUILD_INSTANCE_VCPUS = 2
"""The temporary build instance of a manual cache (billing page)."""
BUILD_INSTANCE_MEMORY_GIB = 4
SECONDS_PER_MONTH = 730 * 3600
"""The month snapshot storage is priced by (730 h)."""
SECONDS_PER_DAY = 24 * 3600
FREE_TEMPORARY_STORAGE_GIB = 30
"""Temporary storage every instance has free ("Image caches" billing page: an automatic
cache over 30 GiB needs the temporary storage increased, and the increase is billed)."""


def instance_usd(prices: PriceSettings, *, cpu: float, memory_gib: float, seconds: float) -> float:
    """An instance of `cpu` vCPUs and `memory_gib` GiB running for `seconds`."""
    per_second = cpu * prices.vcpu_usd_per_second + memory_gib * prices.memory_usd_per_gib_second
    return per_second * seconds


def cache_build_usd(
    prices: PriceSettings, *, seconds: float, disk_gib: int, automatic: bool
) -> float:
    """Building a cache for `seconds` on a `disk_gib` disk; automatic caches are free."""
    if automatic:
        return 0.0
    per_second = (
        BUILD_INSTANCE_VCPUS * prices.vcpu_usd_per_second
        + BUILD_INSTANCE_MEMORY_GIB * prices.memory_usd_per_gib_second
        + disk_gib * prices.essd_pl1_usd_per_gib_second
    )
    return per_second * seconds


def snapshot_usd(prices: PriceSettings, *, gib: float, seconds: float) -> float:
    """Keeping `gib` of snapshot for `seconds`."""
    return gib * prices.snapshot_usd_per_gib_month * seconds / SECONDS_PER_MONTH


def disk_usd(prices: PriceSettings, *, gib: float, seconds: float) -> float:
    """`gib` of ESSD PL1 (a disk from a cache, or increased temporary storage) for `seconds`."""
    return gib * prices.essd_pl1_usd_per_gib_second * seconds


def cache_disk_gib(*, cache_size_gib: int, automatic: bool) -> int:
    """What an instance started from a cache pays storage for: a manual cache's disk is the
    cache's size; an automatic cache only costs the part beyond the free temporary storage."""
    if automatic:
        return max(0, cache_size_gib - FREE_TEMPORARY_STORAGE_GIB)
    return cache_size_gib
