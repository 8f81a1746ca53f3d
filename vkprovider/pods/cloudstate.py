"""What the agent knows of its Pods' cloud side: one owner, in memory only.

The pod controller, the status poller, the full reconcile, deletion and the
kubelet API all read or change the same facts: the latest view of each
container group, which groups are still on their way (polled by id), when
this agent created a group it has not seen described yet, how fast ECI's
clock runs, which image caches were lately found Ready, and each Pod's
record. They do so only through the methods here, so there is one place that
says what "a group is gone" changes. Agent time comes from the injected `now`
(seconds, monotonic); nothing here reads a clock of its own or calls ECI.
"""

from __future__ import annotations

from collections.abc import Callable

from vkprovider.pods import annotations as ann
from vkprovider.pods.groups import group_is_steady, latest_time
from vkprovider.pods.status import parse_eci_time
from vkprovider.pods.tracking import EciClockEstimate, PodRecord, timestamp_unit
from vkprovider.types import ContainerGroupId, ImageCacheId, PodKey, PodUid, RawGroup, RawObject

LOWER_RATE_MARGIN = 1.5
"""Factor on the lower estimate of ECI's clock rate when no upper bound is known yet."""
READY_CACHE_TTL_SECONDS = 5.0
"""A burst of Pods naming one Ready cache checks it once per this many seconds; a cache
deleted meanwhile is still refused by CreateContainerGroup itself."""


class PodCloudState:
    """Container groups, Pod records and ECI's clock rate, behind methods named for their use."""

    def __init__(
        self,
        *,
        now: Callable[[], float],
        visibility_grace_seconds: float,
        ready_cache_ttl_seconds: float = READY_CACHE_TTL_SECONDS,
    ) -> None:
        self._now = now
        self._visibility_grace = visibility_grace_seconds
        self._ready_cache_ttl = ready_cache_ttl_seconds
        self._groups: dict[ContainerGroupId, RawGroup] = {}
        self._in_flight: set[ContainerGroupId] = set()
        self._created_at: dict[ContainerGroupId, float] = {}
        """Agent time of creation for groups not yet seen in a describe (visibility grace)."""
        self._clock = EciClockEstimate()
        self._ready_caches: dict[ImageCacheId, float] = {}
        self._records: dict[PodUid, PodRecord] = {}

    def now(self) -> float:
        """Agent time (the injected clock), e.g. to note when a create call began."""
        return self._now()

    # -- container groups -----------------------------------------------------

    def remember_group(self, group: RawGroup) -> bool:
        """Store the latest view of a group; True when it changed."""
        group_id = ContainerGroupId(group["ContainerGroupId"])
        created_real = self._created_at.pop(group_id, None)
        old = self._groups.get(group_id)
        self._groups[group_id] = group
        created = parse_eci_time(group.get("CreationTime"))
        if created_real is not None and created is not None:
            if old is None:
                self._clock.created(
                    sent=created_real,
                    seen=self._now(),
                    eci_time=created,
                    unit=timestamp_unit(str(group.get("CreationTime"))),
                )
            else:
                # In flight again (an image updated in place): its CreationTime is old.
                self._clock.anchor(real=created_real, eci_time=created)
        latest = latest_time(group)
        if created is not None and latest is not None:
            self._clock.observe(real=self._now(), eci_time=latest)
        if group_is_steady(group):
            self._in_flight.discard(group_id)
        else:
            self._in_flight.add(group_id)
        return old != group

    def group(self, group_id: ContainerGroupId) -> RawGroup | None:
        return self._groups.get(group_id)

    def group_count(self) -> int:
        return len(self._groups)

    def mark_created(self, group_id: ContainerGroupId, *, at: float) -> None:
        """We created it at agent time `at`; poll it by id until it is steady."""
        self._created_at[group_id] = at
        self._in_flight.add(group_id)

    def recently_created(self, group_id: str) -> bool:
        """Created by us moments ago and not yet listed: ECI may not show it yet."""
        created = self._created_at.get(ContainerGroupId(group_id))
        if created is None:
            return False
        return self._now() - created < self._visibility_grace

    def in_flight(self) -> list[ContainerGroupId]:
        """Groups still on their way (being created, pulling, crash-looping), sorted."""
        return sorted(self._in_flight)

    def forget_group(self, group_id: ContainerGroupId) -> None:
        """The group was deleted (or vanished): stop tracking and polling it."""
        self._groups.pop(group_id, None)
        self._in_flight.discard(group_id)

    def group_lost(self, group_id: ContainerGroupId) -> list[PodKey]:
        """ECI no longer has the group: forget it, mark its Pods' records; their keys."""
        self.forget_group(group_id)
        keys = []
        for record in self._records.values():
            if record.group_id == group_id:
                record.group_gone = True
                keys.append(record.key)
        return keys

    # -- ECI's clock ----------------------------------------------------------

    @property
    def eci_rate(self) -> float:
        """ECI seconds per agent second, as estimated so far (1.0 until known)."""
        return self._clock.rate

    @property
    def eci_rate_measured(self) -> bool:
        return self._clock.measured

    def window_rate(self) -> float | None:
        """ECI seconds per agent second to size SinceSecond windows by; None while ECI's
        clock is not measured. The proven upper bound (`EciClockEstimate.upper_rate`), or,
        while that is looser (soon after the first creations) or unknown, the lower estimate
        with a 1.5x margin, as it always was."""
        if not self._clock.measured:
            return None
        margined = self._clock.rate * LOWER_RATE_MARGIN
        upper = self._clock.upper_rate
        return margined if upper is None else min(upper, margined)

    # -- image caches ---------------------------------------------------------

    def cache_known_ready(self, cache_id: ImageCacheId) -> bool:
        """Found Ready less than the TTL ago (a burst of Pods checks a cache once)."""
        return self._ready_caches.get(cache_id, 0.0) > self._now()

    def remember_ready_cache(self, cache_id: ImageCacheId) -> None:
        self._ready_caches[cache_id] = self._now() + self._ready_cache_ttl

    # -- Pod records ----------------------------------------------------------

    def record(self, uid: str) -> PodRecord | None:
        return self._records.get(PodUid(uid))

    def record_for(self, pod: RawObject, *, key: PodKey) -> PodRecord:
        """The Pod's record, made on first sight (group id from its annotation, if any)."""
        meta = pod["metadata"]
        uid = PodUid(meta["uid"])
        record = self._records.get(uid)
        if record is None:
            record = PodRecord(uid=uid, key=key)
            group_id = (meta.get("annotations") or {}).get(ann.CONTAINER_GROUP_ID)
            if group_id:
                record.group_id = ContainerGroupId(group_id)
            self._records[uid] = record
        return record

    def forget_record(self, uid: PodUid) -> None:
        self._records.pop(uid, None)

    def group_of(self, uid: str) -> ContainerGroupId | None:
        record = self._records.get(PodUid(uid))
        return record.group_id if record is not None else None
