"""The full reconcile: every container group of this node against every Pod.

Runs once after the Pod informer has synced (before any Pod is created, so
a restarted agent adopts the instances it made before instead of making
new ones) and then every `reconcile_interval_seconds`. It:
* links groups to Pods by their tags and refreshes their status;
* notices Pods whose instance vanished (their work item marks them Failed);
* deletes instances that have no Pod, but only once the informer has synced
  and the group has been orphaned for `orphan_grace_seconds`.

A round lists every group of the node (10,000 groups: 500 DescribeContainerGroups
calls), so as the node fills the rounds get rarer: the next round waits at least
`reconcile_interval_seconds` and at least `1 / RECONCILE_SHARE` times as long as the
last round took, so listing never takes more than a twentieth of the agent's time.
What it is there to catch still comes: the status polls' sweeps see deletions and
changes they showed late, and a restarted agent runs its first round before anything.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from vkprovider.eci.errors import EciNotFound
from vkprovider.pods import annotations as ann
from vkprovider.pods.status import GroupStatus
from vkprovider.types import ContainerGroupId, PodUid, RawGroup, pod_key

if TYPE_CHECKING:
    from vkprovider.pods.cloudstate import PodCloudState
    from vkprovider.pods.controller import PodController


RECONCILE_SHARE = 0.05
"""At most this share of the agent's wall time goes into full reconcile rounds."""


def reconcile_wait_seconds(*, interval: float, last_round_seconds: float) -> float:
    """How long after a round that took `last_round_seconds` the next one starts."""
    return max(interval, last_round_seconds / RECONCILE_SHARE)


class Reconciler:
    def __init__(self, *, controller: PodController, state: PodCloudState, logger: Any) -> None:
        self._controller = controller
        self._state = state
        self._logger = logger
        self._orphaned_since: dict[ContainerGroupId, float] = {}
        self.rounds = 0

    async def reconcile_once(self) -> None:
        controller = self._controller
        groups = await controller.cloud.list_node_groups()
        seen: set[ContainerGroupId] = set()
        uids_with_group: set[PodUid] = set()
        for group in groups:
            group_id = ContainerGroupId(group["ContainerGroupId"])
            seen.add(group_id)
            changed = self._state.remember_group(group)
            record = controller.adopt(group)
            if record is not None:
                uids_with_group.add(record.uid)
                self._orphaned_since.pop(group_id, None)
                if changed:
                    controller.queue.add(record.key, urgent=True)
                continue
            await self._orphan(group_id, group, now=self._state.now())
        for group_id in list(self._orphaned_since):
            if group_id not in seen:
                del self._orphaned_since[group_id]
        missing: dict[ContainerGroupId, Any] = {}
        for pod in controller.pods():
            uid = PodUid(pod["metadata"]["uid"])
            record = self._state.record(uid)
            if uid in uids_with_group:
                continue
            if record is not None and record.group_id is not None and record.group_id not in seen:
                missing[record.group_id] = record
            controller.queue.add(pod_key(pod))
        if missing:
            # The listing is not a snapshot (pages, creations racing it): confirm by id.
            still_there = await controller.cloud.describe(list(missing))
            for group_id, record in missing.items():
                if group_id in still_there:
                    self._state.remember_group(still_there[group_id])
                    continue
                if self._state.recently_created(group_id):
                    continue
                record.group_gone = True
                self._state.forget_group(group_id)
        self.rounds += 1
        controller.reconciled.set()
        controller.update_phase_gauge()

    async def _orphan(self, group_id: ContainerGroupId, group: RawGroup, *, now: float) -> None:
        controller = self._controller
        if group.get("Status") in (GroupStatus.TERMINATING,):
            return
        if controller.informer is None or not controller.informer.synced.is_set():
            return
        since = self._orphaned_since.setdefault(group_id, now)
        if now - since < controller.settings.pods.orphan_grace_seconds:
            return
        tags = {t.get("Key"): t.get("Value") for t in group.get("Tags") or []}
        with contextlib.suppress(EciNotFound):
            await controller.cloud.delete(group_id)
        self._orphaned_since.pop(group_id, None)
        self._state.forget_group(group_id)
        self._logger.info(
            "deleted orphaned container group",
            group=group_id,
            pod=f"{tags.get(ann.TAG_NAMESPACE)}/{tags.get(ann.TAG_NAME)}",
        )

    async def run(self) -> None:
        """Periodic reconcile (the first round is run by the agent before workers start)."""
        loop = asyncio.get_running_loop()
        interval = self._controller.settings.pods.reconcile_interval_seconds
        wait = interval
        while True:
            await asyncio.sleep(wait)
            started = loop.time()
            try:
                await self.reconcile_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._logger.warning("reconcile failed", error=str(exc))
            wait = reconcile_wait_seconds(
                interval=interval, last_round_seconds=loop.time() - started
            )
