"""Status polling: which container groups changed, described in batches.

Every `status_poll_interval_seconds` (agent time):
* DescribeContainerGroupStatus with `SinceSecond` = the ECI time elapsed since
  the previous poll (estimated from ECI's own timestamps, never from the
  agent's clock: a simulator running 100x faster would otherwise be missed)
  plus one ECI second, filtered by this node's tag. Every
  `status_poll_sweep_seconds` the poll is a sweep instead: its window reaches
  back over everything since the previous sweep plus the overlap
  (`status_poll_overlap_seconds`), which catches a change ECI showed later
  than its timestamp or a poll that waited for a connection; the polls between
  already covered that time with the rate's 1.5x margin, so a sweep adds only
  the overlap. With the overlap on every 0.5 s poll, a 2,000-Pod bench showed
  6.0 groups per Pod; now 4.5 (`vk_eci_status_poll_groups_total`). A poll that
  fails leaves its time to the next one. Until ECI's clock rate is measured
  every window is at least `status_poll_min_window_seconds`;
* plus the groups still on their way (being created, pulling, crash-looping),
  which are described by id anyway;
then DescribeContainerGroups for all of those, 20 ids per call, and the Pods
whose group changed are queued. Steady groups cost nothing per poll.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from vkprovider.eci.errors import EciError
from vkprovider.metrics import STATUS_POLL_GROUPS
from vkprovider.types import ContainerGroupId

if TYPE_CHECKING:
    from vkprovider.pods.cloudstate import PodCloudState
    from vkprovider.pods.controller import PodController


NARROW_SLACK_SECONDS = 1
"""ECI seconds added to the window of a poll between sweeps (SinceSecond's granularity)."""


class StatusPoller:
    def __init__(self, *, controller: PodController, state: PodCloudState, logger: Any) -> None:
        self._controller = controller
        self._state = state
        self._logger = logger
        self._fingerprints: dict[str, int] = {}
        self._since_poll = 0.0
        """Agent seconds not yet covered by a poll that answered."""
        self._since_sweep: float | None = None
        """Agent seconds not yet covered by a sweep that answered (None: none yet)."""
        self.polls = 0
        self.sweeps = 0
        self.groups_reported = 0
        """Groups DescribeContainerGroupStatus has shown, over all polls."""

    def _window(self, real_elapsed: float) -> tuple[int, bool]:
        """(SinceSecond, whether this poll is a sweep) for a poll `real_elapsed` after the
        previous one; the uncovered time of failed polls is carried in."""
        pods = self._controller.settings.pods
        self._since_poll += real_elapsed
        if self._since_sweep is not None:
            self._since_sweep += real_elapsed
        sweep = self._since_sweep is None or self._since_sweep >= pods.status_poll_sweep_seconds
        if sweep and self._since_sweep is not None:
            # The polls since the last sweep covered this time with the rate margin; the
            # sweep is there for the overlap (late shown changes), so it adds no margin.
            window = max(
                self._state.poll_window_seconds(
                    real_elapsed=self._since_sweep,
                    overlap=pods.status_poll_overlap_seconds,
                    margin=1.0,
                ),
                self._state.poll_window_seconds(
                    real_elapsed=self._since_poll, overlap=pods.status_poll_overlap_seconds
                ),
            )
        else:
            overlap = pods.status_poll_overlap_seconds if sweep else NARROW_SLACK_SECONDS
            window = self._state.poll_window_seconds(real_elapsed=self._since_poll, overlap=overlap)
        if not self._state.eci_rate_measured:
            window = max(window, pods.status_poll_min_window_seconds)
        return window, sweep

    async def poll_once(self, *, real_elapsed: float) -> int:
        controller = self._controller
        window, sweep = self._window(real_elapsed)
        changed: list[str] = []
        try:
            reported = await controller.cloud.changed_since(window)
        except EciError as exc:
            self._logger.warning("status poll failed", error=str(exc))
            reported = {}
        else:
            self._since_poll = 0.0
            if sweep:
                self._since_sweep = 0.0
                self.sweeps += 1
            self.groups_reported += len(reported)
            STATUS_POLL_GROUPS.labels("sweep" if sweep else "poll").inc(len(reported))
        for group_id, text in reported.items():
            fingerprint = hash(text)
            if self._fingerprints.get(group_id) != fingerprint:
                self._fingerprints[group_id] = fingerprint
                changed.append(group_id)
        if len(self._fingerprints) > 4 * max(self._state.group_count(), 1000):
            self._fingerprints = {k: v for k, v in self._fingerprints.items() if k in reported}
        wanted = list(dict.fromkeys([*changed, *self._state.in_flight()]))
        if not wanted:
            return 0
        try:
            found = await controller.cloud.describe(wanted)
        except BaseException:
            # Not described: a later window (the next sweep at least) must see them as new.
            for group_id in changed:
                self._fingerprints.pop(group_id, None)
            raise
        updated = 0
        for group_id in wanted:
            group = found.get(group_id)
            if group is None:
                if not self._state.recently_created(group_id):
                    self._gone(ContainerGroupId(group_id))
                continue
            if self._state.remember_group(group):
                record = controller.adopt(group)
                if record is not None:
                    controller.queue.add(record.key, urgent=True)
                    updated += 1
        self.polls += 1
        return updated

    def _gone(self, group_id: ContainerGroupId) -> None:
        for key in self._state.group_lost(group_id):
            self._controller.queue.add(key, urgent=True)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        interval = self._controller.settings.pods.status_poll_interval_seconds
        last = loop.time()
        while True:
            await asyncio.sleep(interval)
            now = loop.time()
            try:
                await self.poll_once(real_elapsed=now - last)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._logger.warning("status poll failed", error=str(exc))
            last = now
