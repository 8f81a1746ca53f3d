"""The values `PodCloudState` keeps between work items (in memory only).

Nothing here is needed for correctness after a restart: the informer relists
Pods and the full reconcile relists container groups by tag. Per Pod a small
record (ids, fingerprint of the last status written, ECI events already
forwarded) keeps the per-Pod overhead low.

`EciClockEstimate` answers "how many ECI seconds went by since the last
poll?" for `SinceSecond`. ECI (or the simulator, on a scaled clock) keeps its
own time, which the agent must not confuse with its own: every ECI timestamp
seen is a lower bound of ECI's clock at the moment it was read, and a
creation time is (almost) ECI's clock at the moment of the call. From those
the agent estimates how fast ECI time runs relative to its own, and widens
the window accordingly. The periodic full reconcile catches anything missed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from vkprovider.types import ContainerGroupId, PodKey, PodUid

MEASURED_AFTER_SECONDS = 1.0
"""Agent seconds between ECI clock readings before their rate counts as measured."""


@dataclass(slots=True)
class PodRecord:
    uid: PodUid
    key: PodKey
    group_id: ContainerGroupId | None = None
    group_gone: bool = False
    last_status_fingerprint: str = ""
    forwarded: dict[int, int] = field(default_factory=dict)
    """hash((reason, message)) of ECI events -> how many occurrences were forwarded."""
    events_seeded: bool = False
    metadata_written: bool = False
    failed: bool = False
    refused_update: str | None = None
    """`failing.update_fingerprint` of the Pod when the provider refused it: not tried
    again until the Pod's spec or annotations change."""
    requested_images: dict[str, str] = field(default_factory=dict)
    """Container -> image last asked of UpdateContainerGroup (asked once per change)."""
    created_here: bool = False
    echo_version: str | None = None
    """resourceVersion our last write produced: its watch event is our own echo."""


class EciClockEstimate:
    """ECI seconds per agent second, from ECI's own timestamps (see module doc)."""

    def __init__(self, *, max_rate: float = 100_000.0) -> None:
        self._anchor: tuple[float, datetime] | None = None
        self._rate = 1.0
        self._max_rate = max_rate
        self.measured = False
        """Whether ECI's clock has been read twice far enough apart to know its rate."""

    @property
    def rate(self) -> float:
        return self._rate

    def anchor(self, *, real: float, eci_time: datetime) -> None:
        """A creation: ECI's clock read `eci_time` at agent time `real` (first one wins)."""
        if self._anchor is None:
            self._anchor = (real, eci_time)

    def observe(self, *, real: float, eci_time: datetime) -> None:
        """ECI's clock read at least `eci_time` at agent time `real`."""
        if self._anchor is None:
            return
        real0, eci0 = self._anchor
        span = real - real0
        if span <= 0.05:
            return
        rate = (eci_time - eci0).total_seconds() / span
        self.measured = self.measured or span >= MEASURED_AFTER_SECONDS
        if rate > self._rate:
            self._rate = min(rate, self._max_rate)

    def window_seconds(self, *, real_elapsed: float, overlap: int, margin: float = 1.5) -> int:
        """ECI seconds covering `real_elapsed` agent seconds at the estimated rate (a lower
        bound of ECI's: times `margin`) plus `overlap`."""
        return math.ceil(self._rate * max(real_elapsed, 0.0) * margin) + overlap
