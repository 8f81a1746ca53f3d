"""Status polling: which container groups changed, described in batches.

Every `status_poll_interval_seconds` (agent time):
* DescribeContainerGroupStatus with `SinceSecond` = the ECI time elapsed since
  the previous poll (estimated from ECI's own timestamps, never from the
  agent's clock: a simulator running 100x faster would otherwise be missed)
  plus an overlap, filtered by this node's tag. Until ECI's clock rate is
  measured the window is at least `status_poll_min_window_seconds`; after that
  it is only what elapsed, so a poll at 10,000 Pods re-reads the groups of the
  last few seconds, not of the last minute;
* plus the groups still on their way (being created, pulling, crash-looping),
  which are described by id anyway;
then DescribeContainerGroups for all of those, 20 ids per call, and the Pods
whose group changed are queued. Steady groups cost nothing per poll.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from vkprovider.eci.errors import EciError
from vkprovider.types import ContainerGroupId

if TYPE_CHECKING:
    from vkprovider.pods.cloudstate import PodCloudState
    from vkprovider.pods.controller import PodController


class StatusPoller:
    def __init__(self, *, controller: PodController, state: PodCloudState, logger: Any) -> None:
        self._controller = controller
        self._state = state
        self._logger = logger
        self._fingerprints: dict[str, int] = {}
        self.polls = 0

    async def poll_once(self, *, real_elapsed: float) -> int:
        controller = self._controller
        overlap = controller.settings.pods.status_poll_overlap_seconds
        window = self._state.poll_window_seconds(real_elapsed=real_elapsed, overlap=overlap)
        if not self._state.eci_rate_measured:
            window = max(window, controller.settings.pods.status_poll_min_window_seconds)
        changed: list[str] = []
        try:
            reported = await controller.cloud.changed_since(window)
        except EciError as exc:
            self._logger.warning("status poll failed", error=str(exc))
            reported = {}
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
        found = await controller.cloud.describe(wanted)
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
