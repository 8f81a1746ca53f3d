"""What a container printed by a simulated instant: `DescribeContainerLog`'s lines.

The lines come from the container's workload (`simulator.engine.workloads`),
offset from the start of its latest run, cut at the instant asked for or where
the run ended; a restarted container first says it restarted, a killed one
that it is stopping. Pure: a `ContainerStatus` from `groupstate.project` and an
instant in, lines out.
"""

from __future__ import annotations

from datetime import datetime

from simulator.engine.grouptypes import ContainerPhase, ContainerStatus
from simulator.engine.timestamps import after
from simulator.engine.workloads import LifecycleEvent, lifecycle_log_line

__all__ = ["log_lines", "previous_log_lines"]


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


def previous_log_lines(status: ContainerStatus) -> list[tuple[datetime, str]]:
    """The lines the container's run before the latest printed (`kubectl logs --previous`).

    Empty when the container has not restarted. The previous run ended when its
    state says it finished; the lines are its workload's, timed from its start.
    """
    previous = status.previous
    if previous is None or previous.started_at is None or previous.finished_at is None:
        return []
    lines = []
    if status.restart_count >= 2:  # the previous run was itself a restart
        text = lifecycle_log_line(
            event=LifecycleEvent.RESTARTED,
            container=status.plan.name,
            restart_count=status.restart_count - 1,
        )
        lines.append((previous.started_at, text))
    for line in status.plan.workload.log_lines:
        when = after(previous.started_at, line.offset_seconds)
        if when <= previous.finished_at:
            lines.append((when, line.text))
    return lines
