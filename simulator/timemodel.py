"""How long things take in simulated time: the calibrated time model.

The engine never invents a duration: it asks a planner here, which returns
every step with its offset from the start (seconds), so each phase can be
recorded with simulated timestamps and a benchmark can report scheduling,
image preparation and container start separately.

Calibration (the product document's measurement): Docker Hub `flink`, 386.26
MB, takes 50 s of image preparation without a cache and 5 s with one. Here the
preparation of an uncached instance includes the sandbox (pause) image,
because an ECI instance pulls it too; `docker.io/library/flink:seed` comes out
at 50.0 s uncached and 5.0 s cached with the defaults below.

Model, per instance:
* uncached: images are pulled one at a time in order (pause first), as
  kubelet does by default (serializeImagePulls=true). Per image: a manifest
  resolve, then its layers download a few at a time sharing the pull's
  bandwidth; each layer is inflated and written while it downloads and layers
  are applied in order, so a layer costs about max(download, inflate). Layers
  already present (from a cache's snapshot, or pulled earlier by the same
  instance) are skipped: a partial cache match pays only what is missing;
* cached: a disk is created from the snapshot, attached and mounted; this
  does not depend on image size, because layers are hydrated lazily. The few
  reads a container makes at start-up are charged to container start
  (`plan_container_start`), so image preparation stays flat in image size;
* burst: a pull's bandwidth is the lesser of its own and an equal share of a
  registry bandwidth shared by every pull in flight (see
  `TimeModelSettings.registry_bandwidth_mb_per_s`).

Pure functions only: no clock, no store, no I/O besides `load_time_model`
reading its JSON file.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from simulator.images import MB, Image

__all__ = [
    "CacheBuildPlan",
    "ContainerStartPlan",
    "ImagePull",
    "PreparationPlan",
    "Step",
    "StepKind",
    "TimeModelError",
    "TimeModelSettings",
    "load_time_model",
    "plan_cache_build",
    "plan_container_start",
    "plan_image_preparation",
    "pull_bandwidth_bytes_per_s",
    "restart_backoff_resets",
    "restart_backoff_seconds",
    "scheduling_seconds",
    "time_model_from_mapping",
]


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
            positive = item.name.endswith("_per_s") or item.name == "concurrent_layer_downloads"
            if positive and value <= 0:
                raise TimeModelError(f"{item.name}: expected a number > 0, got {value!r}")
            if value < 0:
                raise TimeModelError(f"{item.name}: expected a number >= 0, got {value!r}")
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


# --- plans --------------------------------------------------------------------------------


class StepKind(enum.Enum):
    """What a planned step does."""

    SCHEDULING = "Scheduling"
    RESOLVE_MANIFEST = "ResolveManifest"
    DOWNLOAD_LAYER = "DownloadLayer"
    EXTRACT_LAYER = "ExtractLayer"
    """Inflate and write a layer, pipelined behind its download."""
    REUSE_LAYER = "ReuseLayer"
    """Copy an unpacked layer from another cache's snapshot (cache builds with reuse)."""
    DISK_FROM_SNAPSHOT = "DiskFromSnapshot"
    ATTACH_DISK = "AttachDisk"
    MOUNT = "Mount"
    CREATE_CONTAINER = "CreateContainer"
    START_CONTAINER = "StartContainer"
    HYDRATE = "Hydrate"
    """Lazily read the part of a cached image a container needs to start."""
    TEMPORARY_INSTANCE = "TemporaryInstance"
    CREATE_SNAPSHOT = "CreateSnapshot"


@dataclass(frozen=True)
class Step:
    """One planned step: seconds from the plan's start to its start and end."""

    kind: StepKind
    subject: str
    """The image reference or layer digest it works on ("" for whole-instance steps)."""
    start_seconds: float
    end_seconds: float

    @property
    def duration_seconds(self) -> float:
        return self.end_seconds - self.start_seconds


@dataclass(frozen=True)
class ImagePull:
    """What one image cost inside a plan (for `Pulling`/`Pulled` events)."""

    reference: str
    start_seconds: float
    end_seconds: float
    downloaded_bytes: int
    """Compressed bytes fetched from the registry (0 when every layer was present)."""
    pulled_layers: int
    present_layers: int
    """Layers skipped because they were already on the disk (cache, earlier image)."""
    reused_layers: int = 0
    """Layers copied from another cache's snapshot (cache builds with reuse)."""

    @property
    def duration_seconds(self) -> float:
        return self.end_seconds - self.start_seconds

    @property
    def already_present(self) -> bool:
        """True when nothing was fetched or copied: the image was on the disk already."""
        return self.pulled_layers == 0 and self.reused_layers == 0


@dataclass(frozen=True)
class PreparationPlan:
    """Image preparation of one instance: offsets from the end of scheduling."""

    steps: tuple[Step, ...]
    images: tuple[ImagePull, ...]
    from_snapshot: bool
    total_seconds: float

    def image(self, reference: str) -> ImagePull:
        for pull in self.images:
            if pull.reference == reference:
                return pull
        raise KeyError(reference)


@dataclass(frozen=True)
class ContainerStartPlan:
    """Create and start of one container once image preparation is done."""

    steps: tuple[Step, ...]
    created_seconds: float
    """Offset at which the container exists (Waiting → created)."""
    started_seconds: float
    """Offset at which the container's process runs (Running)."""


@dataclass(frozen=True)
class CacheBuildPlan:
    """Building an image cache: temporary instance, pulls in order, snapshot."""

    steps: tuple[Step, ...]
    images: tuple[ImagePull, ...]
    """Pause image first, then the cache's images in order."""
    written_bytes: int
    """Uncompressed bytes written to the build disk (shared layers once)."""
    total_seconds: float

    def progress_percent(self, elapsed_seconds: float) -> int:
        """Progress at `elapsed_seconds` into the build: 0 .. 100, 100 only once done."""
        if elapsed_seconds >= self.total_seconds:
            return 100
        if elapsed_seconds <= 0 or self.total_seconds <= 0:
            return 0
        return min(99, math.floor(100 * elapsed_seconds / self.total_seconds))


def _jitter(model: TimeModelSettings, key: str) -> float:
    """A reproducible factor in [1 - f, 1 + f) for the step named `key`."""
    if model.jitter_fraction == 0:
        return 1.0
    digest = hashlib.sha256(f"{model.jitter_seed}\x00{key}".encode()).digest()
    unit = int.from_bytes(digest[:8], "big") / 2**64  # [0, 1)
    return 1.0 + model.jitter_fraction * (2 * unit - 1)


def pull_bandwidth_bytes_per_s(model: TimeModelSettings, *, concurrent_pulls: int) -> float:
    """One pull's bandwidth when `concurrent_pulls` pulls (this one included) are in flight."""
    if concurrent_pulls < 1:
        raise ValueError(f"concurrent_pulls must be >= 1, got {concurrent_pulls}")
    share = model.registry_bandwidth_mb_per_s / concurrent_pulls
    return min(model.pull_bandwidth_mb_per_s, share) * MB


class _Timeline:
    """Collects steps while a planner walks through time."""

    def __init__(self, *, model: TimeModelSettings, jitter_key: str) -> None:
        self.model = model
        self.jitter_key = jitter_key
        self.steps: list[Step] = []

    def fixed(self, kind: StepKind, *, subject: str, start: float, seconds: float) -> float:
        """Add a step of a fixed (jittered) duration; return its end."""
        duration = seconds * _jitter(self.model, f"{self.jitter_key}/{kind.value}/{subject}")
        self.steps.append(Step(kind, subject, start, start + duration))
        return start + duration

    def pull_image(
        self,
        image: Image,
        *,
        start: float,
        present: set[str],
        reusable: AbstractSet[str],
        bandwidth: float,
        always_resolve: bool = False,
    ) -> ImagePull:
        """Resolve, then fetch (or copy) every layer not in `present`; update `present`.

        An image whose layers are all present costs nothing, unless
        `always_resolve` (imagePullPolicy Always): then its manifest is resolved.
        """
        model = self.model
        unique = {layer.digest: layer for layer in image.layers}.values()
        missing = [layer for layer in unique if layer.digest not in present]
        present_count = len(unique) - len(missing)
        if not missing:
            end = start
            if always_resolve:
                end = self.fixed(
                    StepKind.RESOLVE_MANIFEST,
                    subject=image.reference,
                    start=start,
                    seconds=model.manifest_resolve_seconds,
                )
            return ImagePull(image.reference, start, end, 0, 0, present_count)
        resolved = self.fixed(
            StepKind.RESOLVE_MANIFEST,
            subject=image.reference,
            start=start,
            seconds=model.manifest_resolve_seconds,
        )
        reused = [layer for layer in missing if layer.digest in reusable]
        fetched = [layer for layer in missing if layer.digest not in reusable]
        # Downloads: up to N at a time, in layer order, sharing `bandwidth` equally.
        factor = _jitter(model, f"{self.jitter_key}/bandwidth/{image.reference}")
        remaining: dict[str, float] = {
            layer.digest: float(layer.compressed_bytes) for layer in fetched
        }
        queue = list(fetched)
        active: list[str] = []
        started: dict[str, float] = {}
        finished: dict[str, float] = {}
        now = resolved
        while queue or active:
            while queue and len(active) < model.concurrent_layer_downloads:
                layer = queue.pop(0)
                active.append(layer.digest)
                started[layer.digest] = now
            rate = bandwidth / factor / len(active)  # durations scale by the factor
            step = min(remaining[digest] for digest in active) / rate
            now += step
            for digest in list(active):
                remaining[digest] -= step * rate
                if remaining[digest] <= 1e-6:
                    active.remove(digest)
                    finished[digest] = now
        # Extraction: in layer order, each streaming behind its own download.
        ready = resolved
        for layer in missing:
            if layer.digest in reusable:
                duration = layer.uncompressed_bytes / (model.layer_reuse_mb_per_s * MB)
                ready = self.fixed(
                    StepKind.REUSE_LAYER, subject=layer.digest, start=ready, seconds=duration
                )
                continue
            download_start, download_end = started[layer.digest], finished[layer.digest]
            self.steps.append(
                Step(StepKind.DOWNLOAD_LAYER, layer.digest, download_start, download_end)
            )
            extract_seconds = max(
                layer.compressed_bytes / (model.inflate_mb_per_s * MB),
                layer.uncompressed_bytes / (model.disk_write_mb_per_s * MB),
            )
            begin = max(download_start, ready)
            ready = max(download_end, begin + extract_seconds)
            self.steps.append(Step(StepKind.EXTRACT_LAYER, layer.digest, begin, ready))
        present.update(layer.digest for layer in missing)
        return ImagePull(
            reference=image.reference,
            start_seconds=start,
            end_seconds=ready,
            downloaded_bytes=sum(layer.compressed_bytes for layer in fetched),
            pulled_layers=len(fetched),
            present_layers=present_count,
            reused_layers=len(reused),
        )


def _unique(images: Iterable[Image]) -> list[Image]:
    seen: set[str] = set()
    result = []
    for image in images:
        if image.reference not in seen:
            seen.add(image.reference)
            result.append(image)
    return result


def plan_image_preparation(
    *,
    model: TimeModelSettings,
    images: Sequence[Image],
    snapshot_layers: AbstractSet[str] | None = None,
    concurrent_pulls: int = 1,
    always_pull: AbstractSet[str] = frozenset(),
    jitter_key: str = "",
) -> PreparationPlan:
    """Plan one instance's image preparation (offsets from the end of scheduling).

    `images` are what the instance needs, in pull order: the pause image first,
    then the containers' images (duplicates are pulled once). With
    `snapshot_layers` (the layers of a matched cache) the instance starts from
    a disk made from that snapshot and pulls only what the snapshot lacks.
    `concurrent_pulls` is how many pulls are in flight at once, this one
    included (they share `registry_bandwidth_mb_per_s`). Images whose
    reference is in `always_pull` (imagePullPolicy Always) have their manifest
    resolved even when the snapshot holds all their layers.
    """
    timeline = _Timeline(model=model, jitter_key=jitter_key)
    bandwidth = pull_bandwidth_bytes_per_s(model, concurrent_pulls=concurrent_pulls)
    present: set[str] = set()
    now = 0.0
    if snapshot_layers is not None:
        present.update(snapshot_layers)
        now = timeline.fixed(
            StepKind.DISK_FROM_SNAPSHOT,
            subject="",
            start=now,
            seconds=model.disk_from_snapshot_seconds,
        )
        now = timeline.fixed(
            StepKind.ATTACH_DISK, subject="", start=now, seconds=model.attach_disk_seconds
        )
        now = timeline.fixed(StepKind.MOUNT, subject="", start=now, seconds=model.mount_seconds)
    pulls = []
    for image in _unique(images):
        pull = timeline.pull_image(
            image,
            start=now,
            present=present,
            reusable=frozenset(),
            bandwidth=bandwidth,
            always_resolve=image.reference in always_pull,
        )
        pulls.append(pull)
        now = pull.end_seconds
    return PreparationPlan(
        steps=tuple(timeline.steps),
        images=tuple(pulls),
        from_snapshot=snapshot_layers is not None,
        total_seconds=now,
    )


def plan_container_start(
    *,
    model: TimeModelSettings,
    image: Image,
    lazily_hydrated: bool,
    jitter_key: str = "",
) -> ContainerStartPlan:
    """Plan create + start of one container (offsets from the end of image preparation).

    A container whose image came from a cache snapshot (`lazily_hydrated`)
    first reads the start-up share of its image from the snapshot.
    """
    timeline = _Timeline(model=model, jitter_key=jitter_key)
    created = timeline.fixed(
        StepKind.CREATE_CONTAINER,
        subject=image.reference,
        start=0.0,
        seconds=model.container_create_seconds,
    )
    now = created
    if lazily_hydrated:
        read_bytes = image.uncompressed_bytes * model.startup_read_fraction
        now = timeline.fixed(
            StepKind.HYDRATE,
            subject=image.reference,
            start=now,
            seconds=read_bytes / (model.lazy_read_mb_per_s * MB),
        )
    started = timeline.fixed(
        StepKind.START_CONTAINER,
        subject=image.reference,
        start=now,
        seconds=model.container_start_seconds,
    )
    return ContainerStartPlan(
        steps=tuple(timeline.steps), created_seconds=created, started_seconds=started
    )


def plan_cache_build(
    *,
    model: TimeModelSettings,
    images: Sequence[Image],
    reusable_layers: AbstractSet[str] = frozenset(),
    concurrent_pulls: int = 1,
    jitter_key: str = "",
) -> CacheBuildPlan:
    """Plan a cache build (offsets from its start).

    `images` in build order, the pause image first (as ECI's events show).
    `reusable_layers` are layers other Ready caches hold (AutoMatchImageCache):
    they are copied from those snapshots instead of pulled.
    """
    timeline = _Timeline(model=model, jitter_key=jitter_key)
    bandwidth = pull_bandwidth_bytes_per_s(model, concurrent_pulls=concurrent_pulls)
    now = timeline.fixed(
        StepKind.TEMPORARY_INSTANCE, subject="", start=0.0, seconds=model.cache_instance_seconds
    )
    present: set[str] = set()
    pulls = []
    written = 0
    for image in _unique(images):
        new_layers = {layer.digest: layer for layer in image.layers if layer.digest not in present}
        written += sum(layer.uncompressed_bytes for layer in new_layers.values())
        pull = timeline.pull_image(
            image, start=now, present=present, reusable=reusable_layers, bandwidth=bandwidth
        )
        pulls.append(pull)
        now = pull.end_seconds
    now = timeline.fixed(
        StepKind.CREATE_SNAPSHOT,
        subject="",
        start=now,
        seconds=model.snapshot_base_seconds + written / (model.snapshot_mb_per_s * MB),
    )
    return CacheBuildPlan(
        steps=tuple(timeline.steps), images=tuple(pulls), written_bytes=written, total_seconds=now
    )


def scheduling_seconds(*, model: TimeModelSettings, jitter_key: str = "") -> float:
    """How long scheduling an instance takes (jittered like every other step)."""
    return model.scheduling_seconds * _jitter(model, f"{jitter_key}/{StepKind.SCHEDULING.value}/")


def restart_backoff_resets(*, model: TimeModelSettings, ran_for_seconds: float) -> bool:
    """True when a container ran long enough that its next back-off starts again at 10 s."""
    return ran_for_seconds >= model.restart_backoff_reset_seconds


def restart_backoff_seconds(*, model: TimeModelSettings, restart_count: int) -> float:
    """Delay before the next restart after `restart_count` restarts: 10, 20, 40 ... 300 s."""
    if restart_count < 0:
        raise ValueError(f"restart_count must be >= 0, got {restart_count}")
    delay = model.restart_backoff_initial_seconds * 2.0 ** min(restart_count, 64)
    return min(delay, model.restart_backoff_max_seconds)
