"""A container's simulated behaviour as a `WorkloadPlan` (exit, readiness, log lines).

The rules of what a command, arguments and environment make a container do
belong to `simulator.engine.workloads`; this module turns its answer into the plan's
value type and adds the readiness probe's initial delay from the request.
"""

from __future__ import annotations

from simulator.engine.groupplan import WorkloadPlan
from simulator.engine.workloads import parse_workload
from simulator.specs.groups import ContainerSpec


def workload_plan(spec: ContainerSpec, *, init: bool) -> WorkloadPlan:
    """What the container will do each time it runs (raises naming a bad `ECI_SIM_*` value)."""
    workload = parse_workload(
        name=spec.name,
        image=spec.image,
        command=spec.command,
        args=spec.args,
        env=spec.env,
        init=init,
    )
    return WorkloadPlan(
        exit_after_seconds=workload.exit_after_seconds,
        exit_code=workload.exit_code,
        ready=workload.ready,
        ready_after_seconds=spec.readiness_initial_delay or 0.0,
        log_lines=workload.log_lines,
        description=workload.description,
    )
