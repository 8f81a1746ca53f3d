"""What a container group looks like at a simulated instant, computed from its plan.

`project(plan, deleted_at=..., at=...)` is pure: the same plan and instant
always give the same status, container states, events and log lines. It also
says when the group last changed (for `DescribeContainerGroupStatus`
`SinceSecond`) and when it will next change (the runner's due time).

Phases: Scheduling (from creation to `scheduled_at`), Pending (image
preparation, init containers, container create/start), then Running,
Succeeded or Failed; ScheduleFailed when scheduling fails; Terminating after
DeleteContainerGroup until the group is gone.
"""

from __future__ import annotations

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
from simulator.engine.workloads import LifecycleEvent, lifecycle_log_line

__all__ = [
    "log_lines",
    "project",
]


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
    backoffs = [r.exit_at for r in runs if r.exit_at is not None and r.restart_at is not None]
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


def project(plan: GroupPlan, *, deleted_at: datetime | None, at: datetime) -> GroupState:
    """The group as it is at simulated instant `at`."""
    deadline_at = (
        None
        if plan.active_deadline_seconds is None
        else after(plan.created_at, plan.active_deadline_seconds)
    )
    horizon = min(t for t in (at, deleted_at, deadline_at) if t is not None)
    c = Collector(horizon)
    c.instant(plan.created_at)
    c.instant(plan.scheduled_at)
    status = GroupStatus.SCHEDULING
    running_at = succeeded_at = failed_at = initialized_at = None
    init_statuses: list[ContainerStatus] = []
    statuses: list[ContainerStatus] = []
    scheduled = plan.scheduled_at <= horizon
    if scheduled and plan.schedule_failure is not None:
        status, failed_at = GroupStatus.SCHEDULE_FAILED, plan.scheduled_at
        c.event(
            kind="Warning",
            reason=plan.schedule_failure.reason,
            message=plan.schedule_failure.message,
            times=[plan.scheduled_at],
        )
    elif scheduled:
        status = GroupStatus.PENDING
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
    if plan.schedule_failure is not None:
        init_statuses = _waiting_all(
            plan.init_containers, init=True, reasons={}, default="ContainerCreating"
        )
        statuses = _waiting_all(
            plan.containers, init=False, reasons={}, default="ContainerCreating"
        )
    else:
        waiting = image_events(plan, c) if scheduled else {}
        main_default = "PodInitializing" if plan.init_containers else "ContainerCreating"
        if plan.prepared_at is None or plan.prepared_at > horizon:
            c.instant(plan.prepared_at)
            init_statuses = _waiting_all(
                plan.init_containers, init=True, reasons=waiting, default="ContainerCreating"
            )
            statuses = _waiting_all(
                plan.containers, init=False, reasons=waiting, default=main_default
            )
        else:
            c.instant(plan.prepared_at)
            created: datetime | None = plan.prepared_at
            init_policy = "Never" if plan.restart_policy == "Never" else "OnFailure"
            for init in plan.init_containers:
                if created is None:
                    init_statuses += _waiting_all(
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
                init_statuses.append(
                    _status_of(init, line, init=True, c=c, waiting_reason="ContainerCreating")
                )
                finished = line.finished_at(horizon)
                last = line.last
                if finished is not None and last is not None and last.exit_code != 0:
                    status, failed_at = GroupStatus.FAILED, finished
                created = finished if failed_at is None else None
            initialized_at = created
            if created is None:
                statuses = _waiting_all(
                    plan.containers, init=False, reasons={}, default="PodInitializing"
                )
            else:
                for container in plan.containers:
                    line = timeline(
                        container=container,
                        created_at=created,
                        policy=plan.restart_policy,
                        backoffs=plan.restart_backoff_seconds,
                        reset_seconds=plan.restart_backoff_reset_seconds,
                        horizon=horizon,
                    )
                    statuses.append(
                        _status_of(
                            container, line, init=False, c=c, waiting_reason="ContainerCreating"
                        )
                    )
                firsts = [after(created, s.plan.start_seconds) for s in statuses]
                if firsts and max(firsts) <= horizon:
                    running_at = max(firsts)
                if statuses and all(s.current.phase is ContainerPhase.TERMINATED for s in statuses):
                    ended = max(s.current.finished_at or created for s in statuses)
                    if all(s.current.exit_code == 0 for s in statuses):
                        status, succeeded_at = GroupStatus.SUCCEEDED, ended
                    else:
                        status, failed_at = GroupStatus.FAILED, ended
                elif running_at is not None:
                    status = GroupStatus.RUNNING
    active = status in (GroupStatus.SCHEDULING, GroupStatus.PENDING, GroupStatus.RUNNING)
    if deadline_at is not None and active and (deleted_at is None or deadline_at < deleted_at):
        if deadline_at <= at:
            status, failed_at = GroupStatus.FAILED, deadline_at
            message = (
                "the instance ran longer than ActiveDeadlineSeconds "
                f"({plan.active_deadline_seconds:g} s)"
            )
            c.event(kind="Warning", reason="DeadlineExceeded", message=message, times=[deadline_at])
            init_statuses = [
                _kill(s, deadline_at, reason="DeadlineExceeded", message=message, exit_code=137)
                for s in init_statuses
            ]
            statuses = [
                _kill(s, deadline_at, reason="DeadlineExceeded", message=message, exit_code=137)
                for s in statuses
            ]
            c.changes.append(deadline_at)
            c.upcoming = []
        else:
            c.upcoming.append(deadline_at)
    gone = False
    if deleted_at is not None and deleted_at <= at:
        status = GroupStatus.TERMINATING
        for s in init_statuses + statuses:
            if s.current.phase is ContainerPhase.RUNNING:
                c.event(
                    kind="Normal",
                    reason="Killing",
                    message=f"Stopping container {s.plan.name}",
                    times=[deleted_at],
                    container=s.plan.name,
                )
        init_statuses = [_kill(s, deleted_at) for s in init_statuses]
        statuses = [_kill(s, deleted_at) for s in statuses]
        gone_at = after(deleted_at, plan.termination_seconds)
        c.changes.append(deleted_at)
        c.upcoming = []
        if gone_at <= at:
            gone = True
            c.changes.append(gone_at)
        else:
            c.upcoming.append(gone_at)
    return GroupState(
        status=status,
        init_containers=tuple(init_statuses),
        containers=tuple(statuses),
        events=tuple(sorted(c.events, key=lambda e: (e.first_at, e.last_at))),
        changed_at=max(c.changes),
        next_change_at=min(c.upcoming) if c.upcoming else None,
        initialized_at=initialized_at,
        running_at=running_at,
        succeeded_at=succeeded_at,
        failed_at=failed_at,
        gone=gone,
    )


def log_lines(status: ContainerStatus, *, at: datetime) -> list[tuple[datetime, str]]:
    """The lines the container's latest run printed by `at` (what `kubectl logs` shows)."""
    run = status.run
    if run is None:
        return []
    end = at if run.exit_at is None else min(at, run.exit_at)
    finished = status.current.finished_at
    killed = status.current.phase is ContainerPhase.TERMINATED and (
        run.exit_at is None or (finished is not None and run.exit_at > finished)
    )
    if status.current.finished_at is not None:
        end = min(end, status.current.finished_at)
    lines = []
    if run.index > 0:
        text = lifecycle_log_line(
            event=LifecycleEvent.RESTARTED, container=status.plan.name, restart_count=run.index
        )
        lines.append((run.started_at, text))
    for line in status.plan.workload.log_lines:
        when = after(run.started_at, line.offset_seconds)
        if when <= end:
            lines.append((when, line.text))
    if killed and status.current.finished_at is not None and status.current.finished_at <= at:
        text = lifecycle_log_line(event=LifecycleEvent.STOPPING, container=status.plan.name)
        lines.append((status.current.finished_at, text))
    return lines
