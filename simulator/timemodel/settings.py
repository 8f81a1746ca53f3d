"""The time model's settings: every simulated duration and rate, and the file that overrides them.

Calibration (the product document's measurement): Docker Hub `flink`, 386.26
MB, takes 50 s of image preparation without a cache and 5 s with one; the
defaults below reproduce it (see `simulator.timemodel.model` for how they combine).
Each field says its unit, its default and where the number comes from.

Settings and their validation only: the planners are `simulator.timemodel.model`;
the only I/O is `load_time_model` reading its JSON file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["TimeModelError", "TimeModelSettings", "load_time_model", "time_model_from_mapping"]


class TimeModelError(ValueError):
    """A time-model file or value is wrong; the message names the field and the value."""


@dataclass(frozen=True)
class TimeModelSettings:
    """Every duration and rate of the simulated world (simulated seconds, MB = 10^6 bytes).

    Defaults reproduce the product document: flink:seed (386.26 MB, plus the
    0.3 MB pause image) prepares in 50.0 s uncached and 5.0 s cached. A JSON
    file given to `load_time_model` overrides any field by name.
    """

    scheduling_seconds: float = 3.0
    """Instance scheduling before image preparation (s, default 3.0): choosing a host and
    attaching the instance's network interface. An assumption (the product document times
    image preparation only); it is reported as its own phase, apart from the 50 s / 5 s."""

    manifest_resolve_seconds: float = 0.84
    """Per image, before its layers download (s, default 0.84): registry token, manifest
    list and manifest round trips, a little under a second. Chosen with
    `pull_bandwidth_mb_per_s` so that flink:seed plus pause comes out at 50.0 s (2 x 0.84 s
    of resolves + 386.56 MB / 8 MB/s + 0.01 s of extraction tail = 50.01 s)."""

    pull_bandwidth_mb_per_s: float = 8.0
    """One instance's download bandwidth from a registry (MB/s, default 8.0): the product
    document pulls 386.26 MB from Docker Hub in 50 s end to end, about 7.7 MB/s including
    the resolves; 8.0 MB/s of pure transfer plus two resolves of 0.84 s gives 50.0 s."""

    registry_bandwidth_mb_per_s: float = 200.0
    """Bandwidth shared by all pulls in flight at once (MB/s, default 200 = 1.6 Gbit/s). Each
    ECI instance has its own network interface, so one pull is never slowed by another
    until the shared path is full: the VPC's NAT gateway / EIP egress towards the public
    registry and the registry's per-client limits. Each of N concurrent pulls gets
    min(`pull_bandwidth_mb_per_s`, this / N): up to 25 pulls run at full speed, a burst of
    100 flink pulls runs at 2 MB/s each, limited by the modelled bandwidth as a real
    registry would be. The share is fixed when a pull is planned (from the pulls then in
    flight); cached instances read their own disks and never count."""

    concurrent_layer_downloads: int = 3
    """Layers of one image downloading at once (default 3: containerd's and dockerd's
    max-concurrent-downloads). They share the pull's bandwidth equally."""

    inflate_mb_per_s: float = 100.0
    """gzip inflate speed in MB/s of compressed input (default 100): Go's standard library
    inflates about 80-135 MB/s on one core (images.json facts). At the default 8 MB/s
    download it only shows on the tail of the last layer; on a fast link (190 MB/s from
    Docker Hub to EC2 in the same facts) it dominates, as it did there."""

    disk_write_mb_per_s: float = 350.0
    """Writing unpacked layer data to the instance's cloud disk (MB/s of uncompressed data,
    default 350: the throughput ceiling of an ESSD PL1 disk). A layer's extraction takes
    max(inflate, write)."""

    disk_from_snapshot_seconds: float = 1.5
    """Creating a cloud disk from a cache snapshot (s, default 1.5): metadata only, the data
    is hydrated lazily."""

    attach_disk_seconds: float = 3.0
    """Attaching that disk to the instance (s, default 3.0)."""

    mount_seconds: float = 0.5
    """Mounting the disk's image store into the container runtime (s, default 0.5). The
    three cached steps add up to the product document's 5.0 s, whatever the image size."""

    startup_read_fraction: float = 0.064
    """Share of an image's unpacked data a container reads at start-up (default 0.064:
    Harter et al., FAST 2016). Only a cached (lazily hydrated) image pays for it."""

    lazy_read_mb_per_s: float = 350.0
    """Hydrating lazily read snapshot data at start-up (MB/s, default 350, ESSD PL1)."""

    container_create_seconds: float = 0.5
    """Creating a container once its image is ready (s, default 0.5; an assumption:
    containerd creates a container in well under a second)."""

    container_start_seconds: float = 1.0
    """Starting a created container until its process runs (s, default 1.0; an assumption,
    kept apart from image preparation so benchmarks can report it separately)."""

    termination_seconds: float = 2.0
    """Stopping an instance's containers and releasing it after a delete (s, default 2.0;
    an assumption: a container that exits on SIGTERM at once)."""

    cache_instance_seconds: float = 10.0
    """Creating the temporary instance and empty data disk a cache build runs on (s,
    default 10.0: scheduling plus a new disk; an assumption, the product document gives
    no build times)."""

    layer_reuse_mb_per_s: float = 500.0
    """Copying an unpacked layer from another cache's snapshot instead of pulling it (MB/s
    of uncompressed data, default 500): no registry, no inflate, so reuse is much faster."""

    snapshot_base_seconds: float = 30.0
    """Fixed cost of creating the cache snapshot (s, default 30.0; an assumption). With the
    build defaults, flink:seed's cache builds in about 98 s, or 51 s reusing its layers."""

    snapshot_copy_concurrency: int = 1000
    """Instances of one batch one snapshot copy serves without slowing down (default 1000:
    ECI's CreateImageCache page advises one copy per 1,000 instances created at a time)."""

    snapshot_burst_window_seconds: float = 60.0
    """Instances created from one cache within this many seconds are one batch (s, default
    60; an assumption)."""

    flash_snapshot_seconds: float = 5.0
    """Creating the temporary local snapshot of a Flash cache (s, default 5.0; an assumption:
    ECI says only that the local snapshot is usable at once, before the regular one)."""

    snapshot_mb_per_s: float = 100.0
    """Snapshot creation rate over the data written to the build disk (MB/s of
    uncompressed data, default 100)."""

    failed_cache_retention_seconds: float = 86400.0
    """How long a Failed cache is kept before it expires (s, default 24 h, as ECI does)."""

    restart_backoff_initial_seconds: float = 10.0
    """First delay before restarting a crashed container (s, default 10, as kubelet)."""

    restart_backoff_max_seconds: float = 300.0
    """Cap of the doubling restart delay (s, default 300, as kubelet)."""

    restart_backoff_reset_seconds: float = 600.0
    """A container that ran this long without crashing starts back-off afresh (s, default
    600, as kubelet)."""

    virtual_node_ready_seconds: float = 60.0
    """A virtual node from CreateVirtualNode to Ready (s, default 60.0): its resident node
    (ECI documents one, the size of a 2 vCPU, 8 GiB instance) started and registered. An
    assumption: ECI documents no figure."""

    jitter_fraction: float = 0.0
    """Each duration is multiplied by 1 + u * this, u uniform in [-1, 1) from a hash of
    `jitter_seed` and the step (default 0: durations are exact)."""

    jitter_seed: int = 0
    """Seed of the jitter, so a jittered run repeats exactly (default 0)."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TimeModelError(f"{item.name}: expected a number, got {value!r}")
            if not math.isfinite(value):
                raise TimeModelError(f"{item.name}: expected a finite number, got {value!r}")
            if item.name == "jitter_seed":
                continue
            positive = item.name.endswith("_per_s") or item.name in (
                "concurrent_layer_downloads",
                "snapshot_copy_concurrency",
            )
            if positive and value <= 0:
                raise TimeModelError(f"{item.name}: expected a number > 0, got {value!r}")
            if value < 0:
                raise TimeModelError(f"{item.name}: expected a number >= 0, got {value!r}")
        if not isinstance(self.snapshot_copy_concurrency, int):
            raise TimeModelError(
                f"snapshot_copy_concurrency: expected a whole number, "
                f"got {self.snapshot_copy_concurrency!r}"
            )
        if not isinstance(self.concurrent_layer_downloads, int):
            raise TimeModelError(
                f"concurrent_layer_downloads: expected a whole number, "
                f"got {self.concurrent_layer_downloads!r}"
            )
        if self.jitter_fraction >= 1:
            raise TimeModelError(f"jitter_fraction: expected [0, 1), got {self.jitter_fraction}")
        if self.startup_read_fraction > 1:
            raise TimeModelError(
                f"startup_read_fraction: expected [0, 1], got {self.startup_read_fraction}"
            )


def load_time_model(path: Path | None) -> TimeModelSettings:
    """The defaults, overridden by the fields of the JSON object in `path` (if given)."""
    if path is None:
        return TimeModelSettings()
    try:
        document = json.loads(Path(path).read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TimeModelError(f"{path}: cannot read the time model: {exc}") from exc
    if not isinstance(document, Mapping):
        raise TimeModelError(f"{path}: expected a JSON object of field names to numbers")
    return time_model_from_mapping(document, source=str(path))


def time_model_from_mapping(values: Mapping[str, Any], *, source: str) -> TimeModelSettings:
    """Defaults overridden by `values`; an unknown name is an error naming it."""
    known = {item.name for item in fields(TimeModelSettings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise TimeModelError(
            f"{source}: unknown time-model field(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    try:
        return replace(TimeModelSettings(), **values)
    except TimeModelError as exc:
        raise TimeModelError(f"{source}: {exc}") from exc
