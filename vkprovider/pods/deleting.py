"""Pod deletion: DeleteContainerGroup, then remove the Pod object.

A Pod with `deletionTimestamp` is waiting for its kubelet, which is us. The
instance is deleted first (idempotent: NotFound is success); once ECI shows
no running container in it (or it is gone), the Pod is deleted with grace 0
and a UID precondition. Until then the key is requeued, so the Pod never
disappears while its instance still runs, and never lingers after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vkprovider.eci.errors import EciNotFound
from vkprovider.types import RawGroup, RawObject

if TYPE_CHECKING:
    from vkprovider.pods.controller import PodController
    from vkprovider.pods.tracking import PodRecord


def _still_running(group: RawGroup) -> bool:
    return any(
        (c.get("CurrentState") or {}).get("State") == "Running"
        for c in [*(group.get("Containers") or []), *(group.get("InitContainers") or [])]
    )


async def delete_pod(
    controller: PodController, *, pod: RawObject, record: PodRecord, logger: Any
) -> None:
    group_id = record.group_id
    if group_id is not None and not record.group_gone:
        try:
            await controller.cloud.delete(group_id)
        except EciNotFound:
            record.group_gone = True
        if not record.group_gone:
            found = await controller.cloud.describe([group_id])
            group = found.get(group_id)
            if group is None:
                record.group_gone = True
            else:
                controller.remember_group(group)
                if _still_running(group):
                    logger.debug("waiting for containers to stop", group=group_id)
                    controller.queue.add_after(
                        record.key, controller.settings.pods.status_poll_interval_seconds
                    )
                    return
        controller.groups.pop(group_id, None)
        controller.in_flight.discard(group_id)
        logger.info("container group deleted", group=group_id)
    await controller.writer.delete_pod(pod)
    logger.info("pod removed")
