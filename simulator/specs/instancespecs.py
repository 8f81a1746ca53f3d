"""The instance specifications ECI sells: vCPU and memory pairs, and ECS instance types.

ECI publishes which vCPU / memory pairs it sells in every region ("vCPU and
memory specifications", cited in `simulator/data/README.md`). The simulator
knows that table and refuses an instance outside it, naming Cpu and Memory:
it never rounds a request itself, so an agent that rounds wrongly finds out
here instead of in production. `InstanceType` names several specifications in
order (`2-4Gi` pairs or ECS instance types such as `ecs.c6.large`); the first
one ECI sells is used.

Pure values and checks: no store, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.errors import InvalidParameter

__all__ = [
    "DEFAULT_SPEC",
    "SELLABLE_SPECS",
    "InstanceSpec",
    "UnsellableSpec",
    "choose_instance_type",
    "ecs_instance_type",
    "is_sellable",
    "sellable_spec",
]

SELLABLE_SPECS: dict[float, tuple[float, ...]] = {
    0.25: (0.5, 1.0),
    0.5: (1.0, 2.0),
    1.0: (2.0, 4.0, 8.0),
    2.0: (1.0, 2.0, 4.0, 8.0, 16.0),
    4.0: (2.0, 4.0, 8.0, 16.0, 32.0),
    8.0: (4.0, 8.0, 16.0, 32.0, 64.0),
    12.0: (12.0, 24.0, 48.0, 96.0),
    16.0: (16.0, 32.0, 64.0, 128.0),
    24.0: (24.0, 48.0, 96.0, 192.0),
    32.0: (32.0, 64.0, 128.0, 256.0),
    52.0: (96.0, 192.0, 384.0),
    64.0: (128.0, 256.0, 512.0),
}
"""vCPU → the memory sizes (GiB) ECI sells with it, in every region (ECI's published table)."""

_ECS_SIZES: dict[str, float] = {
    "large": 2,
    "xlarge": 4,
    "2xlarge": 8,
    "3xlarge": 12,
    "4xlarge": 16,
    "6xlarge": 24,
    "8xlarge": 32,
    "13xlarge": 52,
    "16xlarge": 64,
    "26xlarge": 104,
    "32xlarge": 128,
}
"""ECS size suffix → vCPU (the same across the general-purpose families)."""

_ECS_FAMILIES: dict[str, float] = {"c": 2.0, "g": 4.0, "r": 8.0, "hfc": 2.0, "hfg": 4.0}
"""ECS family letter → GiB of memory per vCPU (compute, general, memory optimised)."""

_ECS_TYPE = re.compile(r"ecs\.(?P<family>[a-z]+?)(?P<generation>[5-9])[a-z]?\.(?P<size>\w+)")
_PAIR = re.compile(r"(?P<cpu>\d+(?:\.\d+)?)-(?P<memory>\d+(?:\.\d+)?)Gi")


class UnsellableSpec(InvalidParameter):
    """A Cpu / Memory pair (or an InstanceType list) ECI does not sell."""


@dataclass(frozen=True)
class InstanceSpec:
    """The specification an instance runs on."""

    cpu: float
    memory: float
    """GiB."""
    instance_type: str = ""
    """The InstanceType entry used ("" when Cpu/Memory chose it)."""


DEFAULT_SPEC = InstanceSpec(cpu=2.0, memory=4.0)
"""What ECI creates when neither the group nor its containers name vCPU and memory."""


def is_sellable(cpu: float, memory: float) -> bool:
    """Whether ECI sells `cpu` vCPU with `memory` GiB (exact: no rounding)."""
    return any(
        abs(cpu - c) < 1e-9 and any(abs(memory - m) < 1e-9 for m in sizes)
        for c, sizes in SELLABLE_SPECS.items()
    )


def sellable_spec(*, cpu: float, memory: float, source: str) -> InstanceSpec:
    """`cpu` / `memory` as an `InstanceSpec`, or `UnsellableSpec` naming Cpu and Memory.

    `source` says where the pair came from (`Cpu/Memory`, or the containers' sum).
    """
    if is_sellable(cpu, memory):
        return InstanceSpec(cpu=cpu, memory=memory)
    sizes = SELLABLE_SPECS.get(cpu)
    if sizes is None:
        allowed = ", ".join(f"{c:g}" for c in SELLABLE_SPECS)
        why = f"{cpu:g} vCPU is not sold (vCPU counts sold: {allowed})"
    else:
        why = f"{cpu:g} vCPU is sold with {', '.join(f'{m:g}' for m in sizes)} GiB"
    raise UnsellableSpec(
        f"Cpu/Memory: the specification {cpu:g} vCPU / {memory:g} GiB ({source}) is not "
        f"supported: {why}. Request a supported specification: the simulator does not round."
    )


def ecs_instance_type(name: str) -> InstanceSpec | None:
    """The vCPU and memory of an ECS instance type the simulator knows, else None."""
    match = _ECS_TYPE.fullmatch(name)
    if match is None:
        return None
    per_cpu = _ECS_FAMILIES.get(match["family"])
    cpu = _ECS_SIZES.get(match["size"])
    if per_cpu is None or cpu is None:
        return None
    return InstanceSpec(cpu=cpu, memory=cpu * per_cpu, instance_type=name)


def choose_instance_type(value: str) -> InstanceSpec:
    """The first specification of `InstanceType` ECI sells, or an error naming the entry.

    Entries are comma-separated, tried in order: `2-4Gi` (vCPU-memory) pairs
    from the vCPU/memory table, or ECS instance types (`ecs.c6.large`). A
    malformed entry is refused; an unsellable pair is skipped in favour of the
    next entry; when no entry is sellable the call is refused. Every entry is
    checked before one is chosen.
    """
    entries = [entry.strip() for entry in value.split(",")]
    candidates: list[tuple[str, InstanceSpec]] = []
    for index, entry in enumerate(entries, start=1):
        if not entry:
            raise InvalidParameter(f'InstanceType: entry {index} of "{value}" is empty')
        pair = _PAIR.fullmatch(entry)
        if pair is not None:
            spec = InstanceSpec(float(pair["cpu"]), float(pair["memory"]), instance_type=entry)
            candidates.append((entry, spec))
            continue
        ecs = ecs_instance_type(entry)
        if ecs is None:
            raise InvalidParameter(
                f'InstanceType: "{entry}" is neither a vCPU-memory specification like 2-4Gi '
                "nor an ECS instance type the simulator knows (ecs.<c|g|r|hfc|hfg><5-9>"
                ".<large|xlarge|2xlarge|...>)"
            )
        candidates.append((entry, ecs))
    skipped: list[str] = []
    for entry, spec in candidates:
        if spec.instance_type.startswith("ecs.") or is_sellable(spec.cpu, spec.memory):
            return spec
        skipped.append(f"{entry} ({spec.cpu:g} vCPU / {spec.memory:g} GiB is not sold)")
    raise UnsellableSpec(f"InstanceType: none of the specifications is sold: {'; '.join(skipped)}")
