"""The vCPU/memory specifications ECI sells, and how a Pod's ask maps onto one.

ECI bills an instance by a (vCPU, memory) pair taken from a fixed table; a
request between two rows is rounded *up* by ECI itself. The agent rounds
first, so what it asks for, what ECI bills and what the Pod's
`k8s.aliyun.com/eci-instance-spec` annotation says are the same pair.

Source of the table: Alibaba Cloud, "Specify vCPU and memory to create an
instance", section "Specifications supported in all regions where Elastic
Container Instance is available"
(https://www.alibabacloud.com/help/en/eci/user-guide/specify-the-number-of-vcpus-and-memory-size-to-create-an-elastic-container-instance).
The rows sold only in some regions are left out: an agent cannot know which
region sells them, and a Pod must not depend on where it lands.

`k8s.aliyun.com/eci-use-specs` entries are checked here too: a `2-4Gi`
entry must be a sellable row, an ECS type must look like one (`ecs.c6.xlarge`).
Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from vkprovider.pods import annotations as ann

SPEC_TABLE_SOURCE: Final = (
    "https://www.alibabacloud.com/help/en/eci/user-guide/"
    "specify-the-number-of-vcpus-and-memory-size-to-create-an-elastic-container-instance"
)

SELLABLE: Final[tuple[tuple[float, tuple[float, ...]], ...]] = (
    (0.25, (0.5, 1.0)),
    (0.5, (1.0, 2.0)),
    (1.0, (2.0, 4.0, 8.0)),
    (2.0, (1.0, 2.0, 4.0, 8.0, 16.0)),
    (4.0, (2.0, 4.0, 8.0, 16.0, 32.0)),
    (8.0, (4.0, 8.0, 16.0, 32.0, 64.0)),
    (12.0, (12.0, 24.0, 48.0, 96.0)),
    (16.0, (16.0, 32.0, 64.0, 128.0)),
    (24.0, (24.0, 48.0, 96.0, 192.0)),
    (32.0, (32.0, 64.0, 128.0, 256.0)),
    (52.0, (96.0, 192.0, 384.0)),
    (64.0, (128.0, 256.0, 512.0)),
)
"""vCPU count -> the memory sizes (GiB) ECI sells with it, in every region."""

DEFAULT_CPU: Final = 2.0
DEFAULT_MEMORY_GIB: Final = 4.0
"""What ECI creates when neither vCPU nor memory is given (and what the agent asks then)."""

_EPSILON = 1e-9
_CPU_MEMORY_ENTRY = re.compile(r"^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)Gi$")
_ECS_TYPE_ENTRY = re.compile(r"^ecs\.[a-z0-9][a-z0-9-]*\.[a-z0-9]+$")


class NoSellableSpec(ValueError):
    """No row of the table holds the ask (more than 64 vCPU or 512 GiB, or not a row)."""


@dataclass(frozen=True)
class InstanceSpec:
    cpu: float
    """vCPUs."""
    memory_gib: float
    """Memory in GiB."""

    @property
    def label(self) -> str:
        """ECI's own spelling, as on `k8s.aliyun.com/eci-instance-spec`: `2.0-4.0Gi`."""
        return spec_label(self.cpu, self.memory_gib)


def spec_label(cpu: float, memory_gib: float) -> str:
    return f"{float(cpu)}-{float(memory_gib)}Gi"


def is_sellable(cpu: float, memory_gib: float) -> bool:
    return any(
        abs(row_cpu - cpu) < _EPSILON and any(abs(m - memory_gib) < _EPSILON for m in memories)
        for row_cpu, memories in SELLABLE
    )


def smallest_spec(cpu: float, memory_gib: float) -> InstanceSpec:
    """The smallest sellable spec with at least `cpu` vCPUs and `memory_gib` GiB.

    Fewest vCPUs first, then least memory: 0.3 vCPU / 0.1 GiB -> 0.5-1.0Gi,
    7 vCPU / 13 GiB -> 8.0-16.0Gi, 1 vCPU / 10 GiB -> 2.0-16.0Gi.
    """
    for row_cpu, memories in SELLABLE:
        if row_cpu + _EPSILON < cpu:
            continue
        for memory in memories:
            if memory + _EPSILON >= memory_gib:
                return InstanceSpec(cpu=row_cpu, memory_gib=memory)
    largest_cpu, largest_memories = SELLABLE[-1]
    raise NoSellableSpec(
        f"{cpu:g} vCPU and {memory_gib:g} GiB exceed the largest ECI spec "
        f"({largest_cpu:g} vCPU, {largest_memories[-1]:g} GiB)"
    )


def use_specs(value: str) -> list[str]:
    """The entries of a `k8s.aliyun.com/eci-use-specs` value, in the order given.

    Each is a sellable `<vCPU>-<memory>Gi` pair (`2-4Gi`, `0.5-1Gi`) or an ECS
    instance type (`ecs.c6.xlarge`); anything else raises `ValueError`
    naming the entry.
    """
    entries = [entry.strip() for entry in value.split(",")]
    if not any(entries):
        raise ValueError("is empty (e.g. 2-4Gi,4-8Gi,ecs.c6.xlarge)")
    for entry in entries:
        match = _CPU_MEMORY_ENTRY.match(entry)
        if match:
            cpu, memory = float(match.group(1)), float(match.group(2))
            if not is_sellable(cpu, memory):
                raise ValueError(
                    f"{entry!r} is not a vCPU/memory spec ECI sells (see {SPEC_TABLE_SOURCE})"
                )
        elif not _ECS_TYPE_ENTRY.match(entry):
            raise ValueError(
                f"{entry!r} is neither a <vCPU>-<memory>Gi spec (2-4Gi) nor an ECS instance "
                "type (ecs.c6.xlarge)"
            )
    return entries


def used_spec_label(group: Mapping[str, Any]) -> str | None:
    """The spec a described group runs on, in ECI's spelling, or None if not reported.

    An ECS instance type when ECI reports one (a single `ecs.` type), else the
    group's vCPU/memory pair.
    """
    instance_type = str(group.get("InstanceType") or "")
    if _ECS_TYPE_ENTRY.match(instance_type):
        return instance_type
    cpu, memory = group.get("Cpu"), group.get("Memory")
    if not cpu or not memory:
        return None
    return spec_label(float(cpu), float(memory))


def instance_annotations(group: Mapping[str, Any]) -> dict[str, str]:
    """What ECI's virtual node writes on a Pod once its instance exists: the instance
    id and the spec ECI reports using."""
    result = {ann.INSTANCE_ID: str(group["ContainerGroupId"])}
    label = used_spec_label(group)
    if label is not None:
        result[ann.INSTANCE_SPEC] = label
    return result
