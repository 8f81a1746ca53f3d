"""The plan of an image cache: its build revisions (create, then each update).

Each revision says when the temporary instance is up, when each image
(including the pause image) is pulled onto the build disk, when the snapshot
is taken, and what the cache then holds (layer digests, image sizes). A
revision that fails says when and why. Values round-trip through JSON exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.engine.groupplan import Failure
from simulator.engine.timestamps import from_plan, to_plan


@dataclass(frozen=True)
class BuildStep:
    """One step of a build: `pull` of an image, or `instance` / `snapshot`."""

    kind: str
    subject: str
    """The image reference for a pull (as requested), else a description."""
    started_at: datetime
    finished_at: datetime
    progress: int
    """Progress (percent) once this step is done."""
    reused: bool = False
    """A pull whose layers all came from other caches (AutoMatchImageCache)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "started_at": to_plan(self.started_at),
            "finished_at": to_plan(self.finished_at),
            "progress": self.progress,
            "reused": self.reused,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BuildStep:
        return cls(
            kind=data["kind"],
            subject=data["subject"],
            started_at=from_plan(data["started_at"]),
            finished_at=from_plan(data["finished_at"]),
            progress=int(data["progress"]),
            reused=bool(data.get("reused", False)),
        )


@dataclass(frozen=True)
class CacheContent:
    """What a Ready cache holds: its images and their layers."""

    images: tuple[str, ...]
    """Normalised references, the pause image excluded."""
    requested: tuple[str, ...]
    """The images as the request named them (DescribeImageCaches `Images`)."""
    image_bytes: dict[str, int]
    """Uncompressed bytes per normalised reference."""
    image_layers: dict[str, tuple[str, ...]]
    """Layer digests per normalised reference."""

    @property
    def layers(self) -> frozenset[str]:
        return frozenset(d for digests in self.image_layers.values() for d in digests)

    def to_json(self) -> dict[str, Any]:
        return {
            "images": list(self.images),
            "requested": list(self.requested),
            "image_bytes": dict(self.image_bytes),
            "image_layers": {k: list(v) for k, v in self.image_layers.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CacheContent:
        return cls(
            images=tuple(data["images"]),
            requested=tuple(data["requested"]),
            image_bytes={k: int(v) for k, v in data["image_bytes"].items()},
            image_layers={k: tuple(v) for k, v in data["image_layers"].items()},
        )


@dataclass(frozen=True)
class Revision:
    """One build: the creation (index 0) or an UpdateImageCache."""

    started_at: datetime
    steps: tuple[BuildStep, ...]
    content: CacheContent
    size_gib: int
    retention_days: int | None
    failure: Failure | None
    failed_at: datetime | None
    reused_from: tuple[str, ...] = ()
    """Caches whose layers this build reused."""

    @property
    def ready_at(self) -> datetime | None:
        """When instances may use the build: its local snapshot (Flash) or its snapshot."""
        if self.failure is not None:
            return None
        for step in self.steps:
            if step.kind == "flash":
                return step.finished_at
        return self.finished_at

    @property
    def finished_at(self) -> datetime:
        """When the last step (the regular snapshot) is done."""
        return self.steps[-1].finished_at if self.steps else self.started_at

    def flash_snapshot_between(self) -> tuple[datetime, datetime] | None:
        """When the temporary local snapshot exists (taken, until the regular one is done)."""
        for step in self.steps:
            if step.kind == "flash":
                return step.finished_at, self.finished_at
        return None

    @property
    def creating_at(self) -> datetime:
        """End of Preparing: the temporary build instance is up."""
        for step in self.steps:
            if step.kind == "instance":
                return step.finished_at
        return self.started_at

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": to_plan(self.started_at),
            "steps": [s.to_json() for s in self.steps],
            "content": self.content.to_json(),
            "size_gib": self.size_gib,
            "retention_days": self.retention_days,
            "failure": None if self.failure is None else self.failure.to_json(),
            "failed_at": None if self.failed_at is None else to_plan(self.failed_at),
            "reused_from": list(self.reused_from),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Revision:
        failed_at = data.get("failed_at")
        return cls(
            started_at=from_plan(data["started_at"]),
            steps=tuple(BuildStep.from_json(s) for s in data["steps"]),
            content=CacheContent.from_json(data["content"]),
            size_gib=int(data["size_gib"]),
            retention_days=data.get("retention_days"),
            failure=Failure.from_json(data.get("failure")),
            failed_at=None if failed_at is None else from_plan(failed_at),
            reused_from=tuple(data.get("reused_from", ())),
        )


@dataclass(frozen=True)
class CachePlan:
    """Every build of the cache, oldest first."""

    revisions: tuple[Revision, ...]
    failed_retention_hours: float = 24.0

    def to_json(self) -> dict[str, Any]:
        return {
            "revisions": [r.to_json() for r in self.revisions],
            "failed_retention_hours": self.failed_retention_hours,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CachePlan:
        return cls(
            revisions=tuple(Revision.from_json(r) for r in data["revisions"]),
            failed_retention_hours=float(data.get("failed_retention_hours", 24.0)),
        )

    def with_revision(self, revision: Revision) -> CachePlan:
        return CachePlan((*self.revisions, revision), self.failed_retention_hours)
