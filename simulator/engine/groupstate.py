"""What a container group looks like at a simulated instant, computed from its plan.

`project(plan, deleted_at=..., at=...)` is pure: the same plan and instant
always give the same status, container states and events (the log lines a
container printed follow from its state: `containerlogs`). It also
says when the group last changed (for `DescribeContainerGroupStatus`
`SinceSecond`) and when it will next change (the runner's due time).

Phases: Scheduling (from creation to `scheduled_at`), Pending (image
preparation, init containers, container create/start), then Running,
Succeeded or Failed; ScheduleFailed when scheduling fails; Terminating after
DeleteContainerGroup until the group is gone.

`project` walks those phases in order (`_schedule`, `_prepare`, `_enforce_deadline`,
`_delete`), each extending one `_Progress`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from simulator.engine.containerruns import Run, Timeline, timeline
from simulator.engine.groupplan import ContainerPlan, GroupPlan
from simulator.engine.grouptypes import (
    Collector,
    ContainerPhase,
    ContainerState,
    ContainerStatus,
    GroupState,
    GroupStatus,
)
from simulator.engine.pullevents import image_events
from simulator.engine.timestamps import after

__all__ = ["project", "project_until"]


def _status_of(
    container: ContainerPlan, line: Timeline, *, init: bool, c: Collector, waiting_reason: str
) -> ContainerStatus:
    runs = line.runs
    for run in runs:
        for when in (run.started_at, run.ready_at, run.exit_at):
            c.instant(when)
    c.instant(line.next_instant)
    starts = [run.started_at for run in runs]
    c.event(
        kind="Normal",
        reason="Created",
        message=f"Created container {container.name}",
        times=starts,
        container=container.name,
    )
    c.event(
        kind="Normal",
        reason="Started",
        message=f"Started container {container.name}",
        times=starts,
        container=container.name,
    )
    workload = container.workload
    if workload.liveness_failure is not None:
        kills = [r.exit_at for r in runs if r.exit_at is not None]
        c.event(
            kind="Warning",
            reason="Unhealthy",
            message=workload.liveness_failure,
            times=kills,
            container=container.name,
        )
        c.event(
            kind="Normal",
            reason="Killing",
            message=f"Container {container.name} failed liveness probe, will be restarted",
            times=kills,
            container=container.name,
        )
    if workload.readiness_failure is not None:
        c.event(
            kind="Warning",
            reason="Unhealthy",
            message=workload.readiness_failure,
            times=[after(r.started_at, workload.readiness_failure_after_seconds) for r in runs],
            container=container.name,
        )
    stops = [r for r in runs if r.stopped_by is not None]
    for reason, wording in (
        ("ImageChanged", f"Container {container.name} definition changed, will be restarted"),
        ("Restarted", f"Stopping container {container.name}: the container group is restarting"),
    ):
        c.event(
            kind="Normal",
            reason="Killing",
            message=wording,
            times=[
                r.stopped_by.at for r in stops if r.stopped_by and r.stopped_by.reason == reason
            ],
            container=container.name,
        )
    backoffs = [
        r.exit_at
        for r in runs
        if r.exit_at is not None and r.restart_at is not None and r.stopped_by is None
    ]
    c.event(
        kind="Warning",
        reason="BackOff",
        message=f"Back-off restarting failed container {container.name}",
        times=backoffs,
        container=container.name,
    )
    if not runs:
        return ContainerStatus(
            container,
            init,
            ContainerState(ContainerPhase.WAITING, reason=waiting_reason),
            None,
            0,
            False,
            False,
            None,
        )
    last = runs[-1]
    previous = None
    if len(runs) > 1:
        before = runs[-2]
        previous = _terminated(before)
    if last.exit_at is None or last.exit_at > c.horizon:
        current = ContainerState(ContainerPhase.RUNNING, started_at=last.started_at)
        ready = last.ready_at is not None and last.ready_at <= c.horizon
    elif last.restart_at is not None and last.stopped_by is not None:
        current = ContainerState(ContainerPhase.WAITING, reason="ContainerCreating")
        previous = _terminated(last)
        ready = False
    elif last.restart_at is not None:
        current = ContainerState(
            ContainerPhase.WAITING,
            reason="CrashLoopBackOff",
            message=f"back-off restarting failed container {container.name}",
        )
        previous = _terminated(last)
        ready = False
    else:
        current = _terminated(last)
        ready = False
    return ContainerStatus(container, init, current, previous, last.index, ready, True, last)


def _terminated(run: Run) -> ContainerState:
    assert run.exit_at is not None
    return ContainerState(
        ContainerPhase.TERMINATED,
        reason="Completed" if run.exit_code == 0 else "Error",
        exit_code=run.exit_code,
        started_at=run.started_at,
        finished_at=run.exit_at,
    )


def _waiting_all(
    containers: tuple[ContainerPlan, ...],
    *,
    init: bool,
    reasons: dict[str, ContainerState],
    default: str,
) -> list[ContainerStatus]:
    return [
        ContainerStatus(
            container,
            init,
            reasons.get(container.image, ContainerState(ContainerPhase.WAITING, reason=default)),
            None,
            0,
            False,
            False,
            None,
        )
        for container in containers
    ]


def _kill(
    status: ContainerStatus,
    when: datetime,
    *,
    reason: str = "Completed",
    message: str = "stopped by DeleteContainerGroup",
    exit_code: int = 0,
) -> ContainerStatus:
    if status.current.phase is not ContainerPhase.RUNNING:
        return status
    stopped = ContainerState(
        ContainerPhase.TERMINATED,
        reason=reason,
        message=message,
        exit_code=exit_code,
        started_at=status.current.started_at,
        finished_at=when,
    )
    return ContainerStatus(
        status.plan,
        status.init,
        stopped,
        status.previous,
        status.restart_count,
        False,
        True,
        status.run,
    )


@dataclass
class _Progress:
    """What `project` has worked out so far; each phase reads and extends it."""

    status: GroupStatus = GroupStatus.SCHEDULING
    init_statuses: list[ContainerStatus] = field(default_factory=list)
    statuses: list[ContainerStatus] = field(default_factory=list)
    initialized_at: datetime | None = None
    running_at: datetime | None = None
    succeeded_at: datetime | None = None
    failed_at: datetime | None = None
    gone: bool = False


def _schedule(plan: GroupPlan, c: Collector, p: _Progress, *, scheduled: bool) -> None:
    """Phase 1: the scheduling outcome (ScheduleFailed, or Pending with its events)."""
    if scheduled and plan.schedule_failure is not None:
        p.status, p.failed_at = GroupStatus.SCHEDULE_FAILED, plan.scheduled_at
        c.event(
            kind="Warning",
            reason=plan.schedule_failure.reason,
            message=plan.schedule_failure.message,
            times=[plan.scheduled_at],
        )
    elif scheduled:
        p.status = GroupStatus.PENDING
        seconds = (plan.scheduled_at - plan.created_at).total_seconds()
        c.event(
            kind="Normal",
            reason="Scheduled",
            message=f"Successfully scheduled the instance in {seconds:.3f}s",
            times=[plan.scheduled_at],
        )
        if plan.cache is not None:
            c.event(
                kind="Normal",
                reason="SuccessfulHitImageCache",
                message=(
                    f"Successfully hit image cache {plan.cache.cache_id} ({plan.cache.mode}); "
                    f"{len(plan.cache.matched_images)} of "
                    f"{len(plan.cache.matched_images) + len(plan.cache.missing_images)} "
                    "images come from the cache"
                ),
                times=[plan.scheduled_at],
            )


def _prepare(
    plan: GroupPlan, c: Collector, p: _Progress, *, scheduled: bool, horizon: datetime
) -> None:
    """Phase 2: image preparation, then the init containers and the containers."""
    if plan.schedule_failure is not None:
        p.init_statuses = _waiting_all(
            plan.init_containers, init=True, reasons={}, default="ContainerCreating"
        )
        p.statuses = _waiting_all(
            plan.containers, init=False, reasons={}, default="ContainerCreating"
        )
        return
    waiting = image_events(plan, c) if scheduled else {}
    c.instant(plan.prepared_at)
    if plan.prepared_at is None or plan.prepared_at > horizon:
        main_default = "PodInitializing" if plan.init_containers else "ContainerCreating"
        p.init_statuses = _waiting_all(
            plan.init_containers, init=True, reasons=waiting, default="ContainerCreating"
        )
        p.statuses = _waiting_all(
            plan.containers, init=False, reasons=waiting, default=main_default
        )
        return
    p.initialized_at = _run_init_containers(
        plan, c, p, prepared_at=plan.prepared_at, horizon=horizon
    )
    if p.initialized_at is None:
        p.statuses = _waiting_all(
            plan.containers, init=False, reasons={}, default="PodInitializing"
        )
    else:
        _run_containers(plan, c, p, created=p.initialized_at, horizon=horizon)


def _run_init_containers(
    plan: GroupPlan, c: Collector, p: _Progress, *, prepared_at: datetime, horizon: datetime
) -> datetime | None:
    """Init containers one after another; when the last one finished (None: not yet, or failed)."""
    created: datetime | None = prepared_at
    init_policy = "Never" if plan.restart_policy == "Never" else "OnFailure"
    for init in plan.init_containers:
        if created is None:
            p.init_statuses += _waiting_all(
                (init,), init=True, reasons={}, default="PodInitializing"
            )
            continue
        line = timeline(
            container=init,
            created_at=created,
            policy=init_policy,
            backoffs=plan.restart_backoff_seconds,
            reset_seconds=plan.restart_backoff_reset_seconds,
            horizon=horizon,
        )
        p.init_statuses.append(
            _status_of(init, line, init=True, c=c, waiting_reason="ContainerCreating")
        )
        finished = line.finished_at(horizon)
        last = line.last
        if finished is not None and last is not None and last.exit_code != 0:
            p.status, p.failed_at = GroupStatus.FAILED, finished
        created = finished if p.failed_at is None else None
    return created


def _run_containers(
    plan: GroupPlan, c: Collector, p: _Progress, *, created: datetime, horizon: datetime
) -> None:
    """The containers, all created at `created`; Running, Succeeded or Failed from their runs."""
    for container in plan.containers:
        line = timeline(
            container=container,
            created_at=created,
            policy=plan.restart_policy,
            backoffs=plan.restart_backoff_seconds,
            reset_seconds=plan.restart_backoff_reset_seconds,
            horizon=horizon,
        )
        p.statuses.append(
            _status_of(container, line, init=False, c=c, waiting_reason="ContainerCreating")
        )
    firsts = [after(created, s.plan.start_seconds) for s in p.statuses]
    if firsts and max(firsts) <= horizon:
        p.running_at = max(firsts)
    if p.statuses and all(s.current.phase is ContainerPhase.TERMINATED for s in p.statuses):
        ended = max(s.current.finished_at or created for s in p.statuses)
        if all(s.current.exit_code == 0 for s in p.statuses):
            p.status, p.succeeded_at = GroupStatus.SUCCEEDED, ended
        else:
            p.status, p.failed_at = GroupStatus.FAILED, ended
    elif p.running_at is not None:
        p.status = GroupStatus.RUNNING


def _enforce_deadline(
    plan: GroupPlan,
    c: Collector,
    p: _Progress,
    *,
    deadline_at: datetime | None,
    deleted_at: datetime | None,
    at: datetime,
) -> None:
    """Phase 3: ActiveDeadlineSeconds fails a group still active when it passes."""
    active = p.status in (GroupStatus.SCHEDULING, GroupStatus.PENDING, GroupStatus.RUNNING)
    if deadline_at is None or not active or (deleted_at is not None and deadline_at >= deleted_at):
        return
    if deadline_at > at:
        c.upcoming.append(deadline_at)
        return
    p.status, p.failed_at = GroupStatus.FAILED, deadline_at
    message = (
        f"the instance ran longer than ActiveDeadlineSeconds ({plan.active_deadline_seconds:g} s)"
    )
    c.event(kind="Warning", reason="DeadlineExceeded", message=message, times=[deadline_at])
    p.init_statuses = [
        _kill(s, deadline_at, reason="DeadlineExceeded", message=message, exit_code=137)
        for s in p.init_statuses
    ]
    p.statuses = [
        _kill(s, deadline_at, reason="DeadlineExceeded", message=message, exit_code=137)
        for s in p.statuses
    ]
    c.changes.append(deadline_at)
    c.upcoming = []


def _delete(
    plan: GroupPlan, c: Collector, p: _Progress, *, deleted_at: datetime, at: datetime
) -> None:
    """Phase 4: DeleteContainerGroup stops running containers; the group is gone later."""
    p.status = GroupStatus.TERMINATING
    for s in p.init_statuses + p.statuses:
        if s.current.phase is ContainerPhase.RUNNING:
            c.event(
                kind="Normal",
                reason="Killing",
                message=f"Stopping container {s.plan.name}",
                times=[deleted_at],
                container=s.plan.name,
            )
    p.init_statuses = [_kill(s, deleted_at) for s in p.init_statuses]
    p.statuses = [_kill(s, deleted_at) for s in p.statuses]
    gone_at = after(deleted_at, plan.termination_seconds)
    c.changes.append(deleted_at)
    c.upcoming = []
    if gone_at <= at:
        p.gone = True
        c.changes.append(gone_at)
    else:
        c.upcoming.append(gone_at)


def project(plan: GroupPlan, *, deleted_at: datetime | None, at: datetime) -> GroupState:
    """The group as it is at simulated instant `at`."""
    return project_until(plan, deleted_at=deleted_at, at=at)[0]


def project_until(
    plan: GroupPlan, *, deleted_at: datetime | None, at: datetime
) -> tuple[GroupState, datetime | None]:
    """The group at `at`, and the first instant after `at` at which it may look different
    (None: never, unless its plan or deletion changes): `project` at any instant from `at`
    up to (not including) that one returns an equal state. It is the earliest of every
    instant and event time after `at` the projection compared against, the deadline and
    the deletion, so it is never later than `next_change_at`, and may be earlier."""
    deadline_at = (
        None
        if plan.active_deadline_seconds is None
        else after(plan.created_at, plan.active_deadline_seconds)
    )
    horizon = min(t for t in (at, deleted_at, deadline_at) if t is not None)
    c = Collector(horizon, at=at)
    c.instant(plan.created_at)
    c.instant(plan.scheduled_at)
    p = _Progress()
    scheduled = plan.scheduled_at <= horizon
    _schedule(plan, c, p, scheduled=scheduled)
    _prepare(plan, c, p, scheduled=scheduled, horizon=horizon)
    _enforce_deadline(plan, c, p, deadline_at=deadline_at, deleted_at=deleted_at, at=at)
    if deleted_at is not None and deleted_at <= at:
        _delete(plan, c, p, deleted_at=deleted_at, at=at)
    until = c.first_later
    for limit in (deadline_at, deleted_at, *c.upcoming):
        if limit is not None and limit > at and (until is None or limit < until):
            until = limit
    state = GroupState(
        status=p.status,
        init_containers=tuple(p.init_statuses),
        containers=tuple(p.statuses),
        events=tuple(sorted(c.events, key=lambda e: (e.first_at, e.last_at))),
        changed_at=max(c.changes),
        next_change_at=min(c.upcoming) if c.upcoming else None,
        initialized_at=p.initialized_at,
        running_at=p.running_at,
        succeeded_at=p.succeeded_at,
        failed_at=p.failed_at,
        gone=p.gone,
    )
    return state, until
