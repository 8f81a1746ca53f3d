"""The runs of one container: when it starts, becomes ready, exits and restarts.

Pure arithmetic over a `ContainerPlan` and a restart policy. A container that
exits is restarted per the policy after the back-off sequence; runs are
generated only as far as the instant asked about (plus the next transition,
so the runner knows when to look again). No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from simulator.engine.groupplan import ContainerPlan, ContainerRestart
from simulator.engine.timestamps import after


@dataclass(frozen=True)
class Run:
    """One start of a container."""

    index: int
    """0 for the first start; equals the restart count of this run."""
    started_at: datetime
    ready_at: datetime | None
    exit_at: datetime | None
    """None: runs until deleted."""
    exit_code: int
    restart_at: datetime | None
    """When the next run starts (after back-off), None when the policy stops here."""
    image: str = ""
    """The image this run started from ("" : the plan's)."""
    stopped_by: ContainerRestart | None = None
    """Set when a requested restart ended this run (not its workload, not a crash)."""


@dataclass(frozen=True)
class Timeline:
    """Every run that started at or before `horizon`, and what comes next."""

    runs: tuple[Run, ...]
    next_instant: datetime | None
    """The first transition strictly after `horizon` (start, ready or exit), if any."""

    @property
    def last(self) -> Run | None:
        return self.runs[-1] if self.runs else None

    def finished_at(self, horizon: datetime) -> datetime | None:
        """When the container stopped for good, if it has by `horizon`."""
        last = self.last
        if last is None or last.exit_at is None or last.exit_at > horizon:
            return None
        return last.exit_at if last.restart_at is None else None


def restarts(*, policy: str, exit_code: int) -> bool:
    """Whether the restart policy starts a container again after it exited with `exit_code`."""
    if policy == "Always":
        return True
    if policy == "OnFailure":
        return exit_code != 0
    return False


def backoff(sequence: tuple[float, ...], index: int) -> float:
    """The wait before restart `index + 1`; the last value of the sequence repeats."""
    if not sequence:
        return 0.0
    return sequence[min(index, len(sequence) - 1)]


def _runs(
    *,
    container: ContainerPlan,
    created_at: datetime,
    policy: str,
    backoffs: tuple[float, ...],
    reset_seconds: float | None,
) -> Iterator[Run]:
    workload = container.workload
    started_at = after(created_at, container.start_seconds)
    index = 0
    step = 0  # position in the back-off sequence
    pending = list(container.restarts)
    image = container.image
    while True:
        ready_at = after(started_at, workload.ready_after_seconds) if workload.ready else None
        exit_at = (
            None
            if workload.exit_after_seconds is None
            else after(started_at, workload.exit_after_seconds)
        )
        restart_at = None
        if exit_at is not None and restarts(policy=policy, exit_code=workload.exit_code):
            ran = workload.exit_after_seconds or 0.0
            if reset_seconds is not None and ran >= reset_seconds:
                step = 0
            restart_at = after(exit_at, backoff(backoffs, step) + container.start_seconds)
            step += 1
        exit_code = workload.exit_code
        stopped_by = None
        while pending and pending[0].at < started_at:
            pending.pop(0)  # asked for while the container was not running: nothing to stop
        ends = restart_at if restart_at is not None else exit_at
        if pending and (ends is None or pending[0].at < ends):
            stopped_by = pending.pop(0)
            if exit_at is None or stopped_by.at < exit_at:
                exit_at, exit_code = stopped_by.at, 0
            restart_at = after(stopped_by.at, stopped_by.prepare_seconds + container.start_seconds)
        if ready_at is not None and exit_at is not None and ready_at >= exit_at:
            ready_at = None
        yield Run(
            index=index,
            started_at=started_at,
            ready_at=ready_at,
            exit_at=exit_at,
            exit_code=exit_code,
            restart_at=restart_at,
            image=image,
            stopped_by=stopped_by,
        )
        if restart_at is None:
            return
        if stopped_by is not None:
            image = stopped_by.image
        started_at = restart_at
        index += 1


def timeline(
    *,
    container: ContainerPlan,
    created_at: datetime,
    policy: str,
    backoffs: tuple[float, ...],
    horizon: datetime,
    reset_seconds: float | None = None,
) -> Timeline:
    """The runs of `container`, created (pull done) at `created_at`, seen at `horizon`."""
    runs: list[Run] = []
    next_instant: datetime | None = None
    runs_of = _runs(
        container=container,
        created_at=created_at,
        policy=policy,
        backoffs=backoffs,
        reset_seconds=reset_seconds,
    )
    for run in runs_of:
        if run.started_at > horizon:
            next_instant = run.started_at
            break
        runs.append(run)
        upcoming = [t for t in (run.ready_at, run.exit_at) if t is not None and t > horizon]
        if upcoming:
            next_instant = min(upcoming)
            break
    return Timeline(runs=tuple(runs), next_instant=next_instant)
