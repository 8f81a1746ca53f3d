"""Value types of a container group's projected state, and the collector of transitions.

`GroupState` is what `groupstate.project` returns; `Collector` gathers the
instants at which anything changes (for `changed_at` / `next_change_at`) and
the events, as the projection walks the plan.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from simulator.engine.containerruns import Run
from simulator.engine.groupplan import ContainerPlan


class GroupStatus(enum.Enum):
    """ECI's container group statuses."""

    SCHEDULING = "Scheduling"
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    SCHEDULE_FAILED = "ScheduleFailed"
    RESTARTING = "Restarting"
    TERMINATING = "Terminating"
    EXPIRED = "Expired"


class ContainerPhase(enum.Enum):
    WAITING = "Waiting"
    RUNNING = "Running"
    TERMINATED = "Terminated"


@dataclass(frozen=True)
class ContainerState:
    phase: ContainerPhase
    reason: str | None = None
    message: str | None = None
    exit_code: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class ContainerStatus:
    plan: ContainerPlan
    init: bool
    current: ContainerState
    previous: ContainerState | None
    restart_count: int
    ready: bool
    started: bool
    run: Run | None
    """The latest run that started (its log lines are the container's log)."""


@dataclass(frozen=True)
class GroupEvent:
    type: str
    """Normal or Warning."""
    reason: str
    message: str
    count: int
    first_at: datetime
    last_at: datetime
    container: str | None = None


@dataclass(frozen=True)
class GroupState:
    status: GroupStatus
    init_containers: tuple[ContainerStatus, ...]
    containers: tuple[ContainerStatus, ...]
    events: tuple[GroupEvent, ...]
    changed_at: datetime
    """The latest transition at or before the instant (status or any container)."""
    next_change_at: datetime | None
    """The next planned transition, None when nothing more will happen by itself."""
    initialized_at: datetime | None
    """When images were ready and every init container had completed, if so."""
    running_at: datetime | None
    """When the group became Running (all containers started), if it has."""
    succeeded_at: datetime | None
    failed_at: datetime | None
    gone: bool
    """Deleted and past Terminating: no longer listed."""


class Collector:
    """Gathers transitions (for changed/next) and events while projecting."""

    def __init__(self, horizon: datetime, *, at: datetime | None = None) -> None:
        self.horizon = horizon
        self.at = horizon if at is None else at
        self.changes: list[datetime] = []
        self.upcoming: list[datetime] = []
        self.events: list[GroupEvent] = []
        self.first_later: datetime | None = None
        """The earliest instant after `at` the projection looked at (an instant or an
        event's time), kept even where a phase drops its upcoming instants: before it,
        no comparison the projection made can come out otherwise."""

    def _later(self, when: datetime) -> None:
        if when > self.at and (self.first_later is None or when < self.first_later):
            self.first_later = when

    def instant(self, when: datetime | None) -> None:
        if when is None:
            return
        if when <= self.horizon:
            self.changes.append(when)
        else:
            self.upcoming.append(when)
            self._later(when)

    def event(
        self,
        *,
        kind: str,
        reason: str,
        message: str,
        times: list[datetime],
        container: str | None = None,
    ) -> None:
        seen = [t for t in times if t <= self.horizon]
        if len(seen) != len(times):
            for when in times:
                self._later(when)
        if seen:
            self.events.append(
                GroupEvent(kind, reason, message, len(seen), seen[0], seen[-1], container)
            )
