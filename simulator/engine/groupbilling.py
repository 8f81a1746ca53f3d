"""What ECI bills a container group for, up to a simulated instant, from its plan.

ECI bills an instance per second ("Billing of elastic container instances"): from
when its images start to download (here: the end of scheduling, when image
preparation begins) until it stops, Succeeded or Failed, or is deleted (the
Terminating grace is not billed: an assumption). While billed it pays vCPU-seconds
and GiB-seconds, and storage: the disk it creates from a manually created cache
(the cache's size of ESSD PL1), the part of an automatic cache beyond the free
temporary storage, and any `EphemeralStorage` increase, all at the PL1 price
(`simulator.pricing`). A group that never got scheduled costs nothing.

Pure: the same plan, deletion and instant always give the same figures, exact in
simulated time; nothing is stored beyond the plan, so every process agrees. Never
rounds (callers round for display).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from simulator.engine.groupplan import GroupPlan
from simulator.engine.grouptypes import GroupState
from simulator.pricing import disk_usd, instance_usd
from simulator.settings import PriceSettings

__all__ = ["GroupBill", "bill"]


@dataclass(frozen=True, kw_only=True)
class GroupBill:
    """A group's charges so far (USD) and what they are made of."""

    billed_seconds: float
    """From the start of image preparation to the stop, the deletion or the instant."""
    startup_seconds: float
    """The billed seconds before every container had started (all of them if not yet)."""
    vcpu_usd: float
    memory_usd: float
    cache_disk_gib: int
    """Storage billed because the group started from a cache (`CacheUse.disk_gib`)."""
    cache_disk_usd: float
    temporary_storage_gib: int
    """The `EphemeralStorage` increase."""
    temporary_storage_usd: float
    usd_per_second: float
    """Everything together, per billed second."""

    @property
    def total_usd(self) -> float:
        return self.vcpu_usd + self.memory_usd + self.cache_disk_usd + self.temporary_storage_usd

    @property
    def startup_usd(self) -> float:
        """What starting up cost: every charge over `startup_seconds`."""
        return self.usd_per_second * self.startup_seconds


def _billed_window(
    plan: GroupPlan, state: GroupState, *, deleted_at: datetime | None, at: datetime
) -> tuple[datetime, datetime] | None:
    if plan.schedule_failure is not None or plan.scheduled_at > at:
        return None
    ends = [t for t in (state.succeeded_at, state.failed_at, deleted_at, at) if t is not None]
    end = min(ends)
    if end <= plan.scheduled_at:
        return None
    return plan.scheduled_at, end


def bill(
    plan: GroupPlan,
    state: GroupState,
    *,
    cpu: float,
    memory_gib: float,
    temporary_storage_gib: int,
    deleted_at: datetime | None,
    at: datetime,
    prices: PriceSettings,
) -> GroupBill:
    """The group's charges up to `at`, given its state at `at` (`groupstate.project`)."""
    cache_gib = 0 if plan.cache is None else plan.cache.disk_gib
    window = _billed_window(plan, state, deleted_at=deleted_at, at=at)
    seconds = 0.0 if window is None else (window[1] - window[0]).total_seconds()
    startup = seconds
    if window is not None and state.running_at is not None and state.running_at < window[1]:
        startup = (state.running_at - window[0]).total_seconds()
    vcpu_rate = instance_usd(prices, cpu=cpu, memory_gib=0, seconds=1)
    memory_rate = instance_usd(prices, cpu=0, memory_gib=memory_gib, seconds=1)
    cache_rate = disk_usd(prices, gib=cache_gib, seconds=1)
    storage_rate = disk_usd(prices, gib=temporary_storage_gib, seconds=1)
    return GroupBill(
        billed_seconds=seconds,
        startup_seconds=startup,
        vcpu_usd=vcpu_rate * seconds,
        memory_usd=memory_rate * seconds,
        cache_disk_gib=cache_gib,
        cache_disk_usd=cache_rate * seconds,
        temporary_storage_gib=temporary_storage_gib,
        temporary_storage_usd=storage_rate * seconds,
        usd_per_second=vcpu_rate + memory_rate + cache_rate + storage_rate,
    )
