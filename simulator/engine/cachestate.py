"""What an image cache looks like at a simulated instant, computed from its plan.

Statuses: Preparing (temporary build instance starting), Creating (pulling
images onto the build disk, then the snapshot), Ready, Failed; Updating and
UpdateFailed for later revisions; Expired once `ExpireDateTime` has passed
(retention after Ready, 24 hours after a failure). Progress climbs with the
finished steps. Events follow the product document's shape: one per image,
`Success pull image <image>`, the pause image included.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulator.engine.cacheplan import CacheContent, CachePlan, Revision
from simulator.engine.timestamps import after


class CacheStatus(enum.Enum):
    PREPARING = "Preparing"
    CREATING = "Creating"
    READY = "Ready"
    FAILED = "Failed"
    UPDATING = "Updating"
    UPDATE_FAILED = "UpdateFailed"
    EXPIRED = "Expired"


@dataclass(frozen=True)
class CacheEvent:
    type: str
    reason: str
    name: str
    message: str
    count: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class CacheState:
    status: CacheStatus
    progress: int
    events: tuple[CacheEvent, ...]
    content: CacheContent | None
    """What the cache holds for instances (None until the first build is Ready)."""
    expire_at: datetime | None
    changed_at: datetime
    next_change_at: datetime | None
    revision: Revision

    @property
    def usable(self) -> bool:
        """Ready and unexpired: instances may be created from it."""
        return self.status is CacheStatus.READY and self.content is not None


EXPIRED_REASON = "ImageCacheExpired"
"""Reason of the event an expired cache gets (not a documented ECI reason: an assumption)."""


def _expire_at(plan: CachePlan, at: datetime) -> datetime | None:
    ready = [r for r in plan.revisions if r.ready_at is not None and r.ready_at <= at]
    if ready:
        latest = ready[-1]
        if latest.retention_days is None or latest.ready_at is None:
            return None
        return latest.ready_at + timedelta(days=latest.retention_days)
    first = plan.revisions[0]
    if first.failed_at is not None:
        return after(first.failed_at, plan.failed_retention_hours * 3600)
    return None


def _building(revision: Revision, at: datetime, *, first: bool) -> tuple[CacheStatus, int]:
    if revision.failed_at is not None and revision.failed_at <= at:
        progress = max([s.progress for s in revision.steps if s.finished_at <= at] or [0])
        return (CacheStatus.FAILED if first else CacheStatus.UPDATE_FAILED), progress
    ready_at = revision.ready_at
    progress = max([s.progress for s in revision.steps if s.finished_at <= at] or [0])
    if ready_at is not None and ready_at <= at:
        # A Flash cache is Ready from its local snapshot; Progress is the regular one's.
        return CacheStatus.READY, 100 if revision.finished_at <= at else progress
    if not first:
        return CacheStatus.UPDATING, progress
    if at < revision.creating_at:
        return CacheStatus.PREPARING, progress
    return CacheStatus.CREATING, progress


def project(plan: CachePlan, *, at: datetime) -> CacheState:
    """The cache as it is at simulated instant `at`."""
    started = [r for r in plan.revisions if r.started_at <= at] or [plan.revisions[0]]
    revision = started[-1]
    status, progress = _building(revision, at, first=len(started) == 1)
    instants: list[datetime] = []
    events: dict[tuple[str, str], CacheEvent] = {}
    for rev in plan.revisions:
        instants += [rev.started_at, rev.creating_at]
        for step in rev.steps:
            instants.append(step.finished_at)
            if step.kind != "pull" or step.finished_at > at:
                continue
            _merge(
                events,
                CacheEvent(
                    "Normal",
                    "Pulled",
                    step.subject,
                    f"Success pull image {step.subject}",
                    1,
                    step.finished_at,
                    step.finished_at,
                ),
            )
        if rev.failure is not None and rev.failed_at is not None:
            instants.append(rev.failed_at)
            if rev.failed_at <= at:
                _merge(
                    events,
                    CacheEvent(
                        "Warning",
                        rev.failure.reason,
                        rev.failure.reason,
                        rev.failure.message,
                        1,
                        rev.failed_at,
                        rev.failed_at,
                    ),
                )
    ready = [r for r in plan.revisions if r.ready_at is not None and r.ready_at <= at]
    content = ready[-1].content if ready else None
    expire_at = _expire_at(plan, at)
    if expire_at is not None:
        instants.append(expire_at)
        if expire_at <= at and status in (CacheStatus.READY, CacheStatus.FAILED):
            status = CacheStatus.EXPIRED
            _merge(
                events,
                CacheEvent(
                    "Normal",
                    EXPIRED_REASON,
                    EXPIRED_REASON,
                    f"Image cache expired at {expire_at.isoformat()} (RetentionDays, or 24 h "
                    "after a failed build)",
                    1,
                    expire_at,
                    expire_at,
                ),
            )
    # A later expiry can replace an earlier one (an update renews retention).
    past = [t for t in instants if t <= at]
    future = [t for t in instants if t > at]
    return CacheState(
        status=status,
        progress=progress,
        events=tuple(sorted(events.values(), key=lambda e: (e.first_at, e.name))),
        content=content if status is CacheStatus.READY else None,
        expire_at=expire_at,
        changed_at=max(past) if past else plan.revisions[0].started_at,
        next_change_at=min(future) if future else None,
        revision=revision,
    )


def _merge(events: dict[tuple[str, str], CacheEvent], event: CacheEvent) -> None:
    key = (event.reason, event.name)
    known = events.get(key)
    if known is None:
        events[key] = event
        return
    events[key] = CacheEvent(
        known.type,
        known.reason,
        known.name,
        event.message,
        known.count + 1,
        known.first_at,
        event.last_at,
    )
