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

__all__ = ["log_lines"]


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
