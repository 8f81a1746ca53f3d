"""How long things take in simulated time: the calibrated time model.

The engine never invents a duration: it asks a planner here, which returns
every step with its offset from the start (seconds), so each phase can be
recorded with simulated timestamps and a benchmark can report scheduling,
image preparation and container start separately.

Calibration (the product document's measurement): Docker Hub `flink`, 386.26
MB, takes 50 s of image preparation without a cache and 5 s with one. Here the
preparation of an uncached instance includes the sandbox (pause) image,
because an ECI instance pulls it too; `docker.io/library/flink:seed` comes out
at 50.0 s uncached and 5.0 s cached with the defaults of
`simulator.timemodel.settings.TimeModelSettings`.

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

Pure functions only: no clock, no store, no I/O. The settings are
`simulator.timemodel.settings` and the plan values `simulator.timemodel.plans`;
callers import each name from the module that defines it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

from simulator.registry.images import MB, Image
from simulator.timemodel.plans import (
    CacheBuildPlan,
    ContainerStartPlan,
    ImagePull,
    PreparationPlan,
    Step,
    StepKind,
)
from simulator.timemodel.settings import (
    TimeModelSettings,
)

__all__ = [
    "plan_cache_build",
    "plan_container_start",
    "plan_image_preparation",
    "pull_bandwidth_bytes_per_s",
    "restart_backoff_resets",
    "restart_backoff_seconds",
    "scheduling_seconds",
]


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

    def pull_images(
        self,
        images: Iterable[Image],
        *,
        start: float,
        present: set[str],
        bandwidth: float,
        reusable: AbstractSet[str] = frozenset(),
        always_pull: AbstractSet[str] = frozenset(),
    ) -> list[ImagePull]:
        """Pull `images` one after the other from `start` (a repeated reference once)."""
        pulls: list[ImagePull] = []
        seen: set[str] = set()
        now = start
        for image in images:
            if image.reference in seen:
                continue
            seen.add(image.reference)
            pull = self.pull_image(
                image,
                start=now,
                present=present,
                reusable=reusable,
                bandwidth=bandwidth,
                always_resolve=image.reference in always_pull,
            )
            pulls.append(pull)
            now = pull.end_seconds
        return pulls

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
        if not missing and not always_resolve:
            return ImagePull(image.reference, start, start, 0, 0, present_count)
        resolved = self.fixed(
            StepKind.RESOLVE_MANIFEST,
            subject=image.reference,
            start=start,
            seconds=model.manifest_resolve_seconds,
        )
        if not missing:
            return ImagePull(image.reference, start, resolved, 0, 0, present_count)
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


def disk_from_snapshot_seconds(
    *, model: TimeModelSettings, burst_position: int, copies: int
) -> float:
    """Creating an instance's disk from a cache snapshot, the `burst_position`-th (from 0)
    instance of a batch from that cache, which has `copies` snapshot copies.

    Each copy serves `snapshot_copy_concurrency` disk creations at a time; past that the
    batch queues in waves, each one `disk_from_snapshot_seconds` long (an assumption: ECI
    documents the advice, one copy per 1,000 instances, not the slowdown's shape).
    """
    if burst_position < 0 or copies < 1:
        raise ValueError(f"burst_position {burst_position} must be >= 0, copies {copies} >= 1")
    wave = burst_position // (copies * model.snapshot_copy_concurrency)
    return model.disk_from_snapshot_seconds * (wave + 1)


def plan_image_preparation(
    *,
    model: TimeModelSettings,
    images: Sequence[Image],
    snapshot_layers: AbstractSet[str] | None = None,
    concurrent_pulls: int = 1,
    always_pull: AbstractSet[str] = frozenset(),
    jitter_key: str = "",
    snapshot_disk_seconds: float | None = None,
) -> PreparationPlan:
    """Plan one instance's image preparation (offsets from the end of scheduling).

    `images` are what the instance needs, in pull order: the pause image first,
    then the containers' images (duplicates are pulled once). With
    `snapshot_layers` (the layers of a matched cache) the instance starts from
    a disk made from that snapshot and pulls only what the snapshot lacks.
    `concurrent_pulls` is how many pulls are in flight at once, this one
    included (they share `registry_bandwidth_mb_per_s`). Images whose
    reference is in `always_pull` (imagePullPolicy Always) have their manifest
    resolved even when the snapshot holds all their layers. `snapshot_disk_seconds`
    replaces `disk_from_snapshot_seconds` for an instance of a batch
    (`disk_from_snapshot_seconds(...)`).
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
            seconds=model.disk_from_snapshot_seconds
            if snapshot_disk_seconds is None
            else snapshot_disk_seconds,
        )
        now = timeline.fixed(
            StepKind.ATTACH_DISK, subject="", start=now, seconds=model.attach_disk_seconds
        )
        now = timeline.fixed(StepKind.MOUNT, subject="", start=now, seconds=model.mount_seconds)
    pulls = timeline.pull_images(
        images, start=now, present=present, bandwidth=bandwidth, always_pull=always_pull
    )
    now = pulls[-1].end_seconds if pulls else now
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
    unique_layers = {layer.digest: layer for image in images for layer in image.layers}
    written = sum(layer.uncompressed_bytes for layer in unique_layers.values())
    pulls = timeline.pull_images(
        images, start=now, present=present, reusable=reusable_layers, bandwidth=bandwidth
    )
    now = pulls[-1].end_seconds if pulls else now
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
