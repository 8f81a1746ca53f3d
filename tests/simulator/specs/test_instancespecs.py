"""ECI's specification table as values: exact pairs only, InstanceType entries in order."""

from __future__ import annotations

import pytest

from simulator.specs.instancespecs import UnsellableSpec, choose_instance_type, sellable_spec


def test_specs_are_exact_and_instance_types_ordered() -> None:
    assert sellable_spec(cpu=0.25, memory=0.5, source="Cpu/Memory").cpu == 0.25
    with pytest.raises(UnsellableSpec, match=r"0\.5 vCPU is sold with 1, 2 GiB"):
        sellable_spec(cpu=0.5, memory=0.5, source="Cpu/Memory")
    with pytest.raises(UnsellableSpec, match="vCPU counts sold"):
        sellable_spec(cpu=3.0, memory=6.0, source="Cpu/Memory")
    chosen = choose_instance_type("ecs.c7.2xlarge, 2-4Gi")
    assert (chosen.cpu, chosen.memory, chosen.instance_type) == (8.0, 16.0, "ecs.c7.2xlarge")
    assert choose_instance_type("ecs.g6.32xlarge").cpu == 128.0  # sold, but no host that big
