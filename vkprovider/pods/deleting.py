"""Pod deletion: DeleteContainerGroup, then remove the Pod object.

A Pod with `deletionTimestamp` is waiting for its kubelet, which is us. The
instance is deleted first (idempotent: any `*.NotFound` answer, to the delete
or to the describe that follows, is success: after an agent restart the group
may be long gone, and the Pod must not sit in Terminating for it); once ECI
shows no running container in it (or it is gone), the Pod is deleted with grace 0
and a UID precondition. Until then the key is requeued, so the Pod never
disappears while its instance still runs, and never lingers after. It gets
what it uses (cloud, state, writer, a requeue callback), not the controller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vkprovider.eci.errors import EciNotFound
from vkprovider.pods.cloud import PodCloud
from vkprovider.pods.cloudstate import PodCloudState
from vkprovider.pods.tracking import PodRecord
from vkprovider.pods.writing import PodWriter
from vkprovider.types import PodKey, RawGroup, RawObject


def _still_running(group: RawGroup) -> bool:
    return any(
        (c.get("CurrentState") or {}).get("State") == "Running"
        for c in [*(group.get("Containers") or []), *(group.get("InitContainers") or [])]
    )


async def delete_pod(
    *,
    pod: RawObject,
    record: PodRecord,
    cloud: PodCloud,
    state: PodCloudState,
    writer: PodWriter,
    requeue: Callable[[PodKey, float], None],
    recheck_seconds: float,
    logger: Any,
) -> None:
    group_id = record.group_id
    if group_id is not None and not record.group_gone:
        try:
            await cloud.delete(group_id)
        except EciNotFound:
            record.group_gone = True
        if not record.group_gone:
            try:
                found = await cloud.describe([group_id])
            except EciNotFound:
                found = {}
            group = found.get(group_id)
            if group is None:
                record.group_gone = True
            else:
                state.remember_group(group)
                if _still_running(group):
                    logger.debug("waiting for containers to stop", group=group_id)
                    requeue(record.key, recheck_seconds)
                    return
        state.forget_group(group_id)
        logger.info("container group deleted", group=group_id)
    await writer.delete_pod(pod)
    logger.info("pod removed")
