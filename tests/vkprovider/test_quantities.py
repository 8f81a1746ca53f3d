"""Kubernetes quantities as cores and GiB, remembered per value without mixing up types."""

from __future__ import annotations

import pytest

from vkprovider.quantities import cpu_cores, memory_gib


def test_quantities_in_cores_and_gib() -> None:
    assert [cpu_cores(v) for v in ("500m", "2", 1, 0.25)] == [0.5, 2.0, 1.0, 0.25]
    assert [memory_gib(v) for v in ("1Gi", "512Mi", 2**30)] == [1.0, 0.5, 1.0]


def test_a_malformed_quantity_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="'half' is not a Kubernetes quantity"):
            cpu_cores("half")
        with pytest.raises(ValueError, match="'1 GB' is not a Kubernetes quantity"):
            memory_gib("1 GB")


def test_a_remembered_value_answers_only_for_its_own_type() -> None:
    assert cpu_cores(1) == 1.0
    # True == 1 and hash(True) == hash(1): an untyped cache would answer 1.0 here.
    with pytest.raises(ValueError, match="'True' is not a Kubernetes quantity"):
        cpu_cores(True)
