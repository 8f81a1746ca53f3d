"""Snapshot copies: a 2,000-instance batch from one cache, with one copy and with two."""

from __future__ import annotations

import pytest

from simulator.registry.catalog import Catalog
from simulator.timemodel.model import disk_from_snapshot_seconds, plan_image_preparation
from simulator.timemodel.plans import StepKind
from simulator.timemodel.settings import TimeModelSettings

MODEL = TimeModelSettings()
BURST = 2000


def batch_disk_seconds(copies: int) -> list[float]:
    return [
        disk_from_snapshot_seconds(model=MODEL, burst_position=n, copies=copies)
        for n in range(BURST)
    ]


def test_one_copy_serves_a_thousand_then_the_batch_queues() -> None:
    one = batch_disk_seconds(1)
    assert MODEL.snapshot_copy_concurrency == 1000
    assert set(one[:1000]) == {1.5}
    assert set(one[1000:]) == {3.0}
    assert sum(one) == 1000 * 1.5 + 1000 * 3.0


def test_two_copies_restore_the_unloaded_time() -> None:
    assert set(batch_disk_seconds(2)) == {1.5}
    assert disk_from_snapshot_seconds(model=MODEL, burst_position=4000, copies=2) == 4.5


def test_the_slow_disk_lengthens_only_that_step_of_the_preparation() -> None:
    catalog = Catalog.builtin()
    images = [catalog.pause_image, catalog.resolve("flink:seed")]
    layers = frozenset(layer.digest for image in images for layer in image.layers)
    first = plan_image_preparation(model=MODEL, images=images, snapshot_layers=layers)
    late = plan_image_preparation(
        model=MODEL,
        images=images,
        snapshot_layers=layers,
        snapshot_disk_seconds=disk_from_snapshot_seconds(
            model=MODEL, burst_position=1500, copies=1
        ),
    )
    assert first.total_seconds == 5.0  # the seed's cached flink
    assert late.total_seconds == 6.5
    (disk,) = [s for s in late.steps if s.kind is StepKind.DISK_FROM_SNAPSHOT]
    assert disk.end_seconds - disk.start_seconds == 3.0


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="copies 0"):
        disk_from_snapshot_seconds(model=MODEL, burst_position=0, copies=0)
