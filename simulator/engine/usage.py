"""How much CPU and memory a simulated container uses, at any instant of a run.

No process runs, so usage is a model, the same in every process and exact on
the virtual clock. Per run (a restart starts the curve again, as cAdvisor's
counters do):

* steady state: `CPU_STEADY_FRACTION` (25 %) of the container's vCPU and
  `MEMORY_STEADY_FRACTION` (40 %) of its memory; a container with no vCPU or
  memory of its own shares the group's equally with the others that have none;
* a start-up spike: at start CPU is at `CPU_SPIKE_FRACTION` (90 %) of the vCPU
  and falls linearly to the steady state over `SPIKE_SECONDS` (30 s); memory
  grows linearly from half the steady state to it over the same 30 s;
* overrides in the container's environment, as for the other `ECI_SIM_*`
  controls: `ECI_SIM_CPU_USAGE` (cores: `0.5` or `500m`) and
  `ECI_SIM_MEMORY_USAGE` (bytes: `134217728`, `128Mi`, `1G`) replace the
  steady state (the spike still applies when it is higher).

Memory figures: the working set as modelled, `Rss` 90 % of it, `Cache` 10 %,
`UsageBytes` = working set + cache, `AvailableBytes` = limit - working set.
Pure: no clock, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from simulator.errors import InvalidParameter

CPU_STEADY_FRACTION = 0.25
MEMORY_STEADY_FRACTION = 0.40
CPU_SPIKE_FRACTION = 0.90
SPIKE_SECONDS = 30.0
ENV_CPU_USAGE = "ECI_SIM_CPU_USAGE"
ENV_MEMORY_USAGE = "ECI_SIM_MEMORY_USAGE"
GIB = 1024**3

_CPU = re.compile(r"(\d+(?:\.\d+)?)(m?)")
_BYTES = re.compile(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?")
_UNITS = {
    None: 1,
    "k": 1000,
    "K": 1000,
    "M": 1000**2,
    "G": 1000**3,
    "T": 1000**4,
    "Ki": 1024,
    "Mi": 1024**2,
    "Gi": 1024**3,
    "Ti": 1024**4,
}


@dataclass(frozen=True)
class UsageModel:
    """One container's usage curve: its limits and steady state."""

    cpu_limit_cores: float
    memory_limit_bytes: int
    cpu_steady_cores: float
    memory_steady_bytes: int

    def cpu_cores(self, age_seconds: float) -> float:
        peak = max(self.cpu_steady_cores, CPU_SPIKE_FRACTION * self.cpu_limit_cores)
        if age_seconds >= SPIKE_SECONDS:
            return self.cpu_steady_cores
        return peak - (peak - self.cpu_steady_cores) * max(age_seconds, 0.0) / SPIKE_SECONDS

    def cpu_seconds(self, age_seconds: float) -> float:
        """CPU time used since the run started (the integral of `cpu_cores`)."""
        age = max(age_seconds, 0.0)
        peak = max(self.cpu_steady_cores, CPU_SPIKE_FRACTION * self.cpu_limit_cores)
        spike = min(age, SPIKE_SECONDS)
        extra = (peak - self.cpu_steady_cores) * (spike - spike * spike / (2 * SPIKE_SECONDS))
        return self.cpu_steady_cores * age + extra

    def working_set_bytes(self, age_seconds: float) -> int:
        ramp = min(max(age_seconds, 0.0), SPIKE_SECONDS) / SPIKE_SECONDS
        return int(self.memory_steady_bytes * (0.5 + 0.5 * ramp))


def _bad(container: str, variable: str, value: str, expected: str) -> InvalidParameter:
    return InvalidParameter(
        f'container "{container}": environment variable {variable}="{value}" is not {expected}'
    )


def parse_cpu(value: str, *, container: str) -> float:
    match = _CPU.fullmatch(value.strip())
    if match is None:
        raise _bad(container, ENV_CPU_USAGE, value, "a number of cores (0.5 or 500m)")
    number = float(match.group(1))
    return number / 1000 if match.group(2) else number


def parse_bytes(value: str, *, container: str) -> int:
    match = _BYTES.fullmatch(value.strip())
    if match is None:
        raise _bad(container, ENV_MEMORY_USAGE, value, "a number of bytes (134217728 or 128Mi)")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def usage_model(
    *, name: str, cpu_cores: float, memory_gib: float, env: Mapping[str, str]
) -> UsageModel:
    """The curve of a container with these limits (see the module docstring)."""
    memory_bytes = int(memory_gib * GIB)
    cpu_override = env.get(ENV_CPU_USAGE)
    memory_override = env.get(ENV_MEMORY_USAGE)
    return UsageModel(
        cpu_limit_cores=cpu_cores,
        memory_limit_bytes=memory_bytes,
        cpu_steady_cores=(
            parse_cpu(cpu_override, container=name)
            if cpu_override is not None
            else cpu_cores * CPU_STEADY_FRACTION
        ),
        memory_steady_bytes=(
            parse_bytes(memory_override, container=name)
            if memory_override is not None
            else int(memory_bytes * MEMORY_STEADY_FRACTION)
        ),
    )
