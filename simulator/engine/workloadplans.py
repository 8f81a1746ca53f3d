"""A container's simulated behaviour as a `WorkloadPlan`: exit, readiness, liveness, log lines.

The rules of what a command, arguments and environment make a container do
belong to `simulator.engine.workloads`; this module turns its answer into the
plan's value type and lets the probes act, the way a kubelet does:

* readiness: Ready `InitialDelaySeconds` after start when the probe passes;
  a failing readiness probe keeps the container not Ready for good (its run
  goes on);
* liveness: a failing probe kills the run after `InitialDelaySeconds` plus
  `FailureThreshold - 1` periods, with exit code 137; the restart policy and
  its back-off then apply as to any exit (the restart count goes up).

A container reads the files of its ConfigFileVolume mounts (`cat`, exec
probes) through `simulator.specs.podfields.read_mounted_file`.
"""

from __future__ import annotations

from simulator.engine.groupplan import WorkloadPlan
from simulator.engine.workloads import (
    LOG_PREFIX,
    LogLine,
    command_succeeds,
    fails_liveness,
    parse_workload,
)
from simulator.specs.groups import ContainerSpec
from simulator.specs.podfields import Probe, Volume, read_mounted_file

LIVENESS_EXIT_CODE = 137
"""A container killed by a failing liveness probe exits with SIGKILL's code."""


def _fails(probe: Probe, spec: ContainerSpec, volumes: tuple[Volume, ...]) -> bool:
    if probe.handler != "exec":
        return False

    def read(path: str) -> bytes | None:
        return read_mounted_file(path, mounts=spec.volume_mounts, volumes=volumes)

    return not command_succeeds(probe.command, env=spec.env, read_file=read)


def _describe(probe: Probe) -> str:
    if probe.handler == "exec":
        return f"exec {' '.join(probe.command)}"
    if probe.handler == "httpGet":
        return f"HTTP GET {probe.path} on port {probe.port}"
    return f"TCP connect to port {probe.port}"


def workload_plan(
    spec: ContainerSpec, *, init: bool, volumes: tuple[Volume, ...] = ()
) -> WorkloadPlan:
    """What the container will do each time it runs (raises naming a bad `ECI_SIM_*` value)."""

    def read(path: str) -> bytes | None:
        return read_mounted_file(path, mounts=spec.volume_mounts, volumes=volumes)

    workload = parse_workload(
        name=spec.name,
        image=spec.image,
        command=spec.command,
        args=spec.args,
        env=spec.env,
        init=init,
        read_file=read,
    )
    exit_after = workload.exit_after_seconds
    exit_code = workload.exit_code
    lines = workload.log_lines
    liveness_failure = None
    probe = spec.liveness
    env_fails = fails_liveness(name=spec.name, env=spec.env)
    if probe is None and env_fails:
        probe = Probe(handler="exec", command=("false",))
    if probe is not None and (env_fails or _fails(probe, spec, volumes)):
        kill_after = probe.initial_delay_seconds + (probe.failure_threshold - 1) * (
            probe.period_seconds
        )
        if exit_after is None or kill_after < exit_after:
            exit_after, exit_code = kill_after, LIVENESS_EXIT_CODE
            liveness_failure = f"Liveness probe failed: {_describe(probe)}"
            kept = tuple(line for line in lines if line.offset_seconds <= kill_after)
            lines = (
                *kept,
                LogLine(kill_after, f"{LOG_PREFIX} {spec.name}: killed, liveness probe failed"),
            )
    readiness_failure = None
    ready = workload.ready
    if spec.readiness is not None and _fails(spec.readiness, spec, volumes):
        ready = False
        readiness_failure = f"Readiness probe failed: {_describe(spec.readiness)}"
    return WorkloadPlan(
        exit_after_seconds=exit_after,
        exit_code=exit_code,
        ready=ready,
        ready_after_seconds=spec.readiness_initial_delay or 0.0,
        log_lines=lines,
        description=workload.description,
        liveness_failure=liveness_failure,
        readiness_failure=readiness_failure,
        readiness_failure_after_seconds=spec.readiness_initial_delay or 0.0,
    )
