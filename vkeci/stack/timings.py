"""Simulated start-up phases of one Pod, as the agent recorded them on the Pod.

The agent writes the annotation `vk-eci.io/phase-seconds` (JSON with scheduling,
imagePreparation, start and total simulated seconds and the image cache used) once the
container group's containers have started; these are ECI's own timestamps, so they are the
same whatever the clock scale. This module only parses that annotation: it never computes a
duration from wall-clock time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final, TypedDict

PHASE_SECONDS_ANNOTATION: Final = "vk-eci.io/phase-seconds"
"""The agent's annotation (see `vkprovider.pods.annotations.PHASE_SECONDS`)."""
INSTANCE_ID_ANNOTATION: Final = "k8s.aliyun.com/eci-instance-id"
"""The Pod's container group id, written as ECI's virtual node does
(`vkprovider.pods.annotations.INSTANCE_ID`)."""


class RawPhaseSeconds(TypedDict, total=False):
    """The annotation's JSON as the agent writes it."""

    scheduling: float
    imagePreparation: float
    start: float
    total: float
    imageCacheId: str | None


class PodRecord(TypedDict):
    """A Pod's phases in benchmark and demo JSON (simulated seconds)."""

    pod: str
    scheduling_seconds: float
    image_preparation_seconds: float
    start_seconds: float
    total_seconds: float
    image_cache_id: str | None
    container_group_id: str


@dataclass(frozen=True, kw_only=True)
class PodTiming:
    """Simulated seconds of each start-up phase of one Pod."""

    pod: str
    scheduling_seconds: float
    image_preparation_seconds: float
    start_seconds: float
    total_seconds: float
    image_cache_id: str | None
    container_group_id: str = ""
    """The Pod's ECI instance ("" if the agent has not said)."""

    def as_json(self) -> PodRecord:
        return {
            "pod": self.pod,
            "scheduling_seconds": self.scheduling_seconds,
            "image_preparation_seconds": self.image_preparation_seconds,
            "start_seconds": self.start_seconds,
            "total_seconds": self.total_seconds,
            "image_cache_id": self.image_cache_id,
            "container_group_id": self.container_group_id,
        }


def timing_of(pod: dict[str, Any]) -> PodTiming | None:
    """The Pod's recorded phases, or None while the agent has not written them yet."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    text = annotations.get(PHASE_SECONDS_ANNOTATION)
    if not text:
        return None
    raw: RawPhaseSeconds = json.loads(text)
    if "total" not in raw:
        return None
    return PodTiming(
        pod=str(pod["metadata"]["name"]),
        scheduling_seconds=float(raw.get("scheduling", 0.0)),
        image_preparation_seconds=float(raw.get("imagePreparation", 0.0)),
        start_seconds=float(raw.get("start", 0.0)),
        total_seconds=float(raw["total"]),
        image_cache_id=raw.get("imageCacheId"),
        container_group_id=str(annotations.get(INSTANCE_ID_ANNOTATION) or ""),
    )
