"""The plan of a container group: every phase's simulated instant, decided at creation.

A plan is a value (frozen dataclasses) and round-trips through JSON exactly,
so the store can keep it and any process can compute the group's state from
it. It holds no live objects; what changes after creation is appended, never
rewritten: the deletion instant (beside it in the row), and restarts asked
for by RestartContainerGroup / UpdateContainerGroup (`ContainerRestart`, with
the new image's preparation appended to `images`).
"""

from __future__ import annotations

import enum
import functools
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.engine.timestamps import from_plan, to_plan
from simulator.engine.workloads import LogLine


class ImageSource(enum.Enum):
    """Where a group's image came from."""

    REGISTRY = "registry"
    """Pulled layer by layer from the (emulated) registry."""
    CACHE = "cache"
    """Every layer was on the image cache snapshot; only disk attach and mount."""
    PARTIAL_CACHE = "partial-cache"
    """Some layers were on the cache snapshot, the rest were pulled."""


@dataclass(frozen=True)
class Failure:
    """Why a step failed: a Kubernetes-style reason and a message naming the cause."""

    reason: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "message": self.message}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Failure | None:
        return None if data is None else cls(reason=data["reason"], message=data["message"])


@dataclass(frozen=True)
class ImagePreparation:
    """How one image of the group was made available, and when."""

    reference: str
    """The image as the request named it."""
    resolved: str
    """The normalised reference (`docker.io/library/nginx:1.7.9`)."""
    source: ImageSource
    cache_id: str | None
    started_at: datetime
    finished_at: datetime
    """When the image was ready, or when the (first) pull attempt failed."""
    size_bytes: int
    pulled_bytes: int
    """Compressed bytes downloaded from the registry (0 when fully cached)."""
    failure: Failure | None = None
    """Set when the pull fails (unknown image, unauthorised): retried with back-off."""
    image_id: str = ""
    """`repository@sha256:<manifest digest>` of what was pulled ("" when the pull fails)."""

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "resolved": self.resolved,
            "source": self.source.value,
            "cache_id": self.cache_id,
            "started_at": to_plan(self.started_at),
            "finished_at": to_plan(self.finished_at),
            "size_bytes": self.size_bytes,
            "pulled_bytes": self.pulled_bytes,
            "failure": None if self.failure is None else self.failure.to_json(),
            "image_id": self.image_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImagePreparation:
        return cls(
            reference=data["reference"],
            resolved=data["resolved"],
            source=ImageSource(data["source"]),
            cache_id=data["cache_id"],
            started_at=from_plan(data["started_at"]),
            finished_at=from_plan(data["finished_at"]),
            size_bytes=int(data["size_bytes"]),
            pulled_bytes=int(data["pulled_bytes"]),
            failure=Failure.from_json(data.get("failure")),
            image_id=data.get("image_id", ""),
        )


@dataclass(frozen=True)
class WorkloadPlan:
    """What a container does once started (from `simulator.engine.workloads`)."""

    exit_after_seconds: float | None
    """None: runs until deleted."""
    exit_code: int
    ready: bool
    """False: the readiness probe never passes."""
    ready_after_seconds: float
    """Delay between start and Ready (readiness probe initial delay)."""
    log_lines: tuple[LogLine, ...]
    description: str
    """What the simulator understood, for the container's first log line."""
    liveness_failure: str | None = None
    """Set when the liveness probe fails: the run is killed (exit 137) at `exit_after_seconds`."""
    readiness_failure: str | None = None
    """Set when the readiness probe fails: the container never becomes Ready."""
    readiness_failure_after_seconds: float = 0.0
    """When the first failing readiness probe runs, after start."""

    def to_json(self) -> dict[str, Any]:
        return {
            "liveness_failure": self.liveness_failure,
            "readiness_failure": self.readiness_failure,
            "readiness_failure_after_seconds": self.readiness_failure_after_seconds,
            "exit_after_seconds": self.exit_after_seconds,
            "exit_code": self.exit_code,
            "ready": self.ready,
            "ready_after_seconds": self.ready_after_seconds,
            "log_lines": [[line.offset_seconds, line.text] for line in self.log_lines],
            "description": self.description,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkloadPlan:
        return cls(
            exit_after_seconds=data["exit_after_seconds"],
            exit_code=int(data["exit_code"]),
            ready=bool(data["ready"]),
            ready_after_seconds=float(data["ready_after_seconds"]),
            log_lines=tuple(LogLine(float(o), str(t)) for o, t in data["log_lines"]),
            description=data["description"],
            liveness_failure=data.get("liveness_failure"),
            readiness_failure=data.get("readiness_failure"),
            readiness_failure_after_seconds=float(data.get("readiness_failure_after_seconds", 0)),
        )


@dataclass(frozen=True)
class ContainerRestart:
    """A restart asked for after creation (RestartContainerGroup, UpdateContainerGroup).

    At `at` the running container is stopped (exit 0); the next run starts
    `prepare_seconds` (the new image's preparation, 0 for a plain restart or
    an image already on the instance) plus the container's start time later,
    from `image`.
    """

    at: datetime
    image: str
    prepare_seconds: float
    reason: str
    """`Restarted` or `ImageChanged` (the Killing event's wording follows)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "at": to_plan(self.at),
            "image": self.image,
            "prepare_seconds": self.prepare_seconds,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContainerRestart:
        return cls(
            at=from_plan(data["at"]),
            image=data["image"],
            prepare_seconds=float(data["prepare_seconds"]),
            reason=data["reason"],
        )


@dataclass(frozen=True)
class ContainerPlan:
    """One container (or init container) of the group."""

    name: str
    image: str
    start_seconds: float
    """Container create + start, each time it is (re)started."""
    workload: WorkloadPlan
    restarts: tuple[ContainerRestart, ...] = ()
    """Restarts asked for after creation, in time order."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "image": self.image,
            "start_seconds": self.start_seconds,
            "workload": self.workload.to_json(),
            "restarts": [r.to_json() for r in self.restarts],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContainerPlan:
        return cls(
            name=data["name"],
            image=data["image"],
            start_seconds=float(data["start_seconds"]),
            workload=WorkloadPlan.from_json(data["workload"]),
            restarts=tuple(ContainerRestart.from_json(r) for r in data.get("restarts", ())),
        )


@dataclass(frozen=True)
class CacheUse:
    """The image cache a group was created from, and how it was chosen."""

    cache_id: str
    mode: str
    """`explicit` (ImageSnapshotId) or `auto` (AutoMatchImageCache)."""
    matched_images: tuple[str, ...]
    missing_images: tuple[str, ...]
    disk_gib: int = 0
    """What the instance pays storage for while it is billed because it started from this
    cache (`simulator.pricing.cache_disk_gib`), fixed when it was matched."""

    def to_json(self) -> dict[str, Any]:
        return {
            "cache_id": self.cache_id,
            "mode": self.mode,
            "matched_images": list(self.matched_images),
            "missing_images": list(self.missing_images),
            "disk_gib": self.disk_gib,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CacheUse | None:
        if data is None:
            return None
        return cls(
            cache_id=data["cache_id"],
            mode=data["mode"],
            matched_images=tuple(data["matched_images"]),
            missing_images=tuple(data["missing_images"]),
            disk_gib=int(data.get("disk_gib", 0)),
        )


@dataclass(frozen=True)
class GroupPlan:
    """Everything that will happen to a group, in simulated time."""

    created_at: datetime
    scheduled_at: datetime
    """End of the Scheduling phase."""
    schedule_failure: Failure | None
    images: tuple[ImagePreparation, ...]
    prepared_at: datetime | None
    """All images ready (None when a pull fails)."""
    init_containers: tuple[ContainerPlan, ...]
    containers: tuple[ContainerPlan, ...]
    restart_policy: str
    """Always, OnFailure or Never."""
    restart_backoff_seconds: tuple[float, ...]
    """Waits before restart 1, 2, ...; the last value repeats."""
    pull_backoff_seconds: tuple[float, ...]
    """Waits between failed pull attempts; the last value repeats."""
    termination_seconds: float
    """How long a deleted group stays Terminating before it is gone."""
    cache: CacheUse | None
    active_deadline_seconds: float | None = None
    restart_backoff_reset_seconds: float | None = None
    """A run at least this long starts the back-off sequence afresh (kubelet: 10 min)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "created_at": to_plan(self.created_at),
            "scheduled_at": to_plan(self.scheduled_at),
            "schedule_failure": None
            if self.schedule_failure is None
            else self.schedule_failure.to_json(),
            "images": [image.to_json() for image in self.images],
            "prepared_at": None if self.prepared_at is None else to_plan(self.prepared_at),
            "init_containers": [c.to_json() for c in self.init_containers],
            "containers": [c.to_json() for c in self.containers],
            "restart_policy": self.restart_policy,
            "restart_backoff_seconds": list(self.restart_backoff_seconds),
            "pull_backoff_seconds": list(self.pull_backoff_seconds),
            "termination_seconds": self.termination_seconds,
            "cache": None if self.cache is None else self.cache.to_json(),
            "active_deadline_seconds": self.active_deadline_seconds,
            "restart_backoff_reset_seconds": self.restart_backoff_reset_seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GroupPlan:
        prepared = data.get("prepared_at")
        return cls(
            created_at=from_plan(data["created_at"]),
            scheduled_at=from_plan(data["scheduled_at"]),
            schedule_failure=Failure.from_json(data.get("schedule_failure")),
            images=tuple(ImagePreparation.from_json(i) for i in data["images"]),
            prepared_at=None if prepared is None else from_plan(prepared),
            init_containers=tuple(ContainerPlan.from_json(c) for c in data["init_containers"]),
            containers=tuple(ContainerPlan.from_json(c) for c in data["containers"]),
            restart_policy=data["restart_policy"],
            restart_backoff_seconds=tuple(float(s) for s in data["restart_backoff_seconds"]),
            pull_backoff_seconds=tuple(float(s) for s in data["pull_backoff_seconds"]),
            termination_seconds=float(data["termination_seconds"]),
            cache=CacheUse.from_json(data.get("cache")),
            active_deadline_seconds=data.get("active_deadline_seconds"),
            restart_backoff_reset_seconds=data.get("restart_backoff_reset_seconds"),
        )


@functools.lru_cache(maxsize=4096)
def plan_from_text(text: str) -> GroupPlan:
    """A stored plan's JSON text, parsed, cached by the text itself.

    Describe answers and status polls read the same groups again and again, and parsing
    a plan (JSON, then its instants) cost more than the rest of showing it. A plan is a
    frozen value, and a row whose plan changes stores a new text, so equal texts are the
    same plan.
    """
    return GroupPlan.from_json(json.loads(text))
