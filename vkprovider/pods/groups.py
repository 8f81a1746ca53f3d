"""Facts about a container group as ECI describes it (raw PascalCase JSON)."""

from __future__ import annotations

from datetime import datetime

from vkprovider.pods.status import GroupStatus, parse_eci_time
from vkprovider.types import RawGroup

STEADY_GROUP_STATES = frozenset(
    {GroupStatus.SUCCEEDED, GroupStatus.FAILED, GroupStatus.SCHEDULE_FAILED, GroupStatus.EXPIRED}
)


def group_is_steady(group: RawGroup) -> bool:
    """No need to poll it by id: terminal, or Running with every container up and ready."""
    status = group.get("Status")
    if status in STEADY_GROUP_STATES:
        return True
    if status != GroupStatus.RUNNING:
        return False
    containers = group.get("Containers") or []
    return all(
        (c.get("CurrentState") or {}).get("State") == "Running" and c.get("Ready")
        for c in containers
    )


def latest_time(group: RawGroup) -> datetime | None:
    times = [parse_eci_time(group.get("CreationTime"))]
    for event in group.get("Events") or []:
        times.append(parse_eci_time(event.get("LastTimestamp")))
    for container in [*(group.get("Containers") or []), *(group.get("InitContainers") or [])]:
        for state in (container.get("CurrentState"), container.get("PreviousState")):
            if state:
                times.append(parse_eci_time(state.get("StartTime")))
                times.append(parse_eci_time(state.get("FinishTime")))
    known = [t for t in times if t is not None]
    return max(known) if known else None
