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

Two estimates are kept. The lower one (`rate`) is the fastest rate any reading
shows: later timestamps can only be lower bounds of ECI's clock. The upper one
(`upper_rate`) bounds ECI's rate from above, assuming only that it runs at a
constant rate and that its timestamps are within one unit of their last digit of
its clock (either way: a second for `...:19Z`, a millisecond for `...:19.065Z`):
a group's CreationTime is ECI's clock during the create call, so ECI read at most
CreationTime + unit when the call was sent and at least CreationTime - unit when
the group was first described. Between the first group created and the latest,
ECI's clock advanced at most (latest CreationTime + unit) - (first CreationTime -
unit) while the agent's advanced (latest call sent) - (first group seen): a
window computed at that rate cannot be short, so it needs no margin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from vkprovider.types import ContainerGroupId, PodKey, PodUid

MEASURED_AFTER_SECONDS = 1.0
"""Agent seconds between ECI clock readings before their rate counts as measured."""


def timestamp_unit(value: str) -> float:
    """Seconds one unit of an ECI timestamp's last digit stands for: 1.0 for
    `2026-11-27T15:10:19Z`, 0.001 for `2026-11-27T15:10:19.065Z`."""
    _, dot, fraction = value.partition(".")
    if not dot:
        return 1.0
    digits = len(fraction) - len(fraction.lstrip("0123456789"))
    return 10.0**-digits if digits else 1.0


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
        self._first_seen: tuple[float, datetime, float] | None = None
        """(agent time the first group created was seen described, its CreationTime, that
        time's unit in seconds)."""
        self._latest_sent: tuple[float, datetime, float] | None = None
        """(agent time the create call of the latest group created was sent, its
        CreationTime, that time's unit in seconds)."""
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

    def created(self, *, sent: float, seen: float, eci_time: datetime, unit: float = 1.0) -> None:
        """A group created by a call sent at agent time `sent`, first described at `seen`,
        with CreationTime `eci_time` written to `unit` seconds (`timestamp_unit`); also the
        anchor of the lower estimate."""
        self.anchor(real=sent, eci_time=eci_time)
        if self._first_seen is None:
            self._first_seen = (seen, eci_time, unit)
        if self._latest_sent is None or sent > self._latest_sent[0]:
            self._latest_sent = (sent, eci_time, unit)

    @property
    def upper_rate(self) -> float | None:
        """ECI seconds per agent second, at most (see module doc); None until two creations
        at least `MEASURED_AFTER_SECONDS` apart have been seen. Never below `rate`."""
        if self._first_seen is None or self._latest_sent is None:
            return None
        seen, first, first_unit = self._first_seen
        sent, latest, latest_unit = self._latest_sent
        span = sent - seen
        if span < MEASURED_AFTER_SECONDS:
            return None
        upper = ((latest - first).total_seconds() + first_unit + latest_unit) / span
        return max(upper, self._rate)

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
