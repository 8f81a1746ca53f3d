"""What a time-model planner returns: steps with offsets, and the plans built from them.

A plan records every step with its offset from the plan's start (simulated
seconds), so the engine can stamp each phase with simulated times and a
benchmark can report scheduling, image preparation and container start apart.

Frozen values only: the planners that make them are `simulator.timemodel.model`.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

__all__ = [
    "CacheBuildPlan",
    "ContainerStartPlan",
    "ImagePull",
    "PreparationPlan",
    "Step",
    "StepKind",
]


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
