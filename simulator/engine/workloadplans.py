"""A container's simulated behaviour as a `WorkloadPlan` (exit, readiness, log lines).

The rules of what a command, arguments and environment make a container do
belong to `simulator.workloads`; this module turns its answer into the plan's
value type and adds the readiness probe's initial delay from the request.
"""

from __future__ import annotations

from simulator.engine.groupplan import LogLine, WorkloadPlan
from simulator.operations.groupspec import ContainerSpec


def _fallback(spec: ContainerSpec, *, init: bool) -> WorkloadPlan:
    env = dict(spec.env)
    words = [*spec.command, *spec.args]
    exit_after: float | None = None
    exit_code = 0
    if "ECI_SIM_EXIT_AFTER_SECONDS" in env:
        exit_after = float(env["ECI_SIM_EXIT_AFTER_SECONDS"])
        exit_code = int(env.get("ECI_SIM_EXIT_CODE", "0"))
    elif words[:1] == ["sleep"] and len(words) == 2:
        exit_after = float(words[1])
    elif init:
        exit_after = 1.0
    ready = env.get("ECI_SIM_READY", "true") != "false"
    lines = [LogLine(0.0, f"container {spec.name} started from {spec.image}")]
    if exit_after is not None:
        lines.append(LogLine(exit_after, f"container {spec.name} exiting with code {exit_code}"))
    return WorkloadPlan(
        exit_after_seconds=exit_after,
        exit_code=exit_code,
        ready=ready,
        ready_after_seconds=spec.readiness_initial_delay or 0.0,
        log_lines=tuple(lines),
        description="runs until deleted" if exit_after is None else f"exits after {exit_after}s",
    )


def workload_plan(spec: ContainerSpec, *, init: bool) -> WorkloadPlan:
    """What the container will do each time it runs."""
    return _fallback(spec, init=init)
