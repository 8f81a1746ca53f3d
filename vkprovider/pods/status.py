"""ECI container group -> Pod status (pure: no I/O, no clock of its own).

Input is a container group as DescribeContainerGroups returns it (ECI's
PascalCase JSON, `model.to_map()`), the Pod as the API server has it and the
real wall-clock `now`. Times written into Kubernetes are real: a condition's
`lastTransitionTime` or a container's `startedAt` is kept from the current
Pod status while the state is unchanged, and set to `now` when it changes.
ECI's own (possibly simulated) timestamps only feed `phase_seconds`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from vkprovider.clocks import kube_time
from vkprovider.types import RawGroup, RawObject

CACHE_ID = re.compile(r"\bimc-[a-z0-9]+\b")


class GroupStatus(StrEnum):
    """ECI container group states."""

    PENDING = "Pending"
    SCHEDULING = "Scheduling"
    SCHEDULE_FAILED = "ScheduleFailed"
    RUNNING = "Running"
    RESTARTING = "Restarting"
    UPDATING = "Updating"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    TERMINATING = "Terminating"
    EXPIRED = "Expired"


class PodPhase(StrEnum):
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    UNKNOWN = "Unknown"


PHASE_OF_GROUP = {
    GroupStatus.PENDING: PodPhase.PENDING,
    GroupStatus.SCHEDULING: PodPhase.PENDING,
    GroupStatus.SCHEDULE_FAILED: PodPhase.FAILED,
    GroupStatus.RUNNING: PodPhase.RUNNING,
    GroupStatus.RESTARTING: PodPhase.RUNNING,
    GroupStatus.UPDATING: PodPhase.RUNNING,
    GroupStatus.SUCCEEDED: PodPhase.SUCCEEDED,
    GroupStatus.FAILED: PodPhase.FAILED,
    GroupStatus.TERMINATING: PodPhase.RUNNING,
    GroupStatus.EXPIRED: PodPhase.FAILED,
}
TERMINAL_PHASES = frozenset({PodPhase.SUCCEEDED, PodPhase.FAILED})


def parse_eci_time(value: Any) -> datetime | None:
    """ECI timestamps: `2026-11-27T15:10:19Z` (sometimes with fractions or offsets)."""
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def group_phase(group: RawGroup) -> PodPhase:
    try:
        return PHASE_OF_GROUP[GroupStatus(group.get("Status", ""))]
    except ValueError:
        return PodPhase.UNKNOWN if group.get("Status") else PodPhase.PENDING


def _condition(
    kind: str, ok: bool, old: Mapping[str, Mapping[str, Any]], now: str, reason: str = ""
) -> dict[str, Any]:
    status = "True" if ok else "False"
    previous = old.get(kind) or {}
    changed = previous.get("status") != status
    condition: dict[str, Any] = {
        "type": kind,
        "status": status,
        "lastProbeTime": None,
        "lastTransitionTime": now if changed else previous.get("lastTransitionTime", now),
    }
    if reason and not ok:
        condition["reason"] = reason
    return condition


def _container_status(
    container: Mapping[str, Any],
    *,
    group_id: str,
    spec_image: str,
    old: Mapping[str, Any] | None,
    now: str,
) -> dict[str, Any]:
    name = container.get("Name", "")
    current = container.get("CurrentState") or {}
    previous = container.get("PreviousState") or {}
    restart_count = int(container.get("RestartCount") or 0)
    container_id = f"eci://{group_id}/{name}"
    old_state = (old or {}).get("state") or {}
    same_run = old is not None and int(old.get("restartCount", 0)) == restart_count
    state = _state(
        current, container_id=container_id, old_state=old_state if same_run else {}, now=now
    )
    status: dict[str, Any] = {
        "name": name,
        "image": container.get("Image") or spec_image,
        "imageID": container.get("ImageId") or container.get("Image") or spec_image,
        "containerID": container_id,
        "ready": bool(container.get("Ready")) and "running" in state,
        "restartCount": restart_count,
        "started": "running" in state,
        "state": state,
        "lastState": {},
    }
    if previous.get("State"):
        old_last = (old or {}).get("lastState") or {}
        status["lastState"] = _state(
            previous, container_id=container_id, old_state=old_last, now=now
        )
    return status


def _state(
    eci_state: Mapping[str, Any], *, container_id: str, old_state: Mapping[str, Any], now: str
) -> dict[str, Any]:
    kind = str(eci_state.get("State") or "Waiting").lower()
    reason = eci_state.get("Reason") or eci_state.get("DetailStatus") or ""
    message = eci_state.get("Message") or ""
    if kind == "running":
        started = (old_state.get("running") or {}).get("startedAt") or now
        return {"running": {"startedAt": started}}
    if kind == "terminated":
        exit_code = int(eci_state.get("ExitCode") or 0)
        old_term = old_state.get("terminated") or {}
        started = (
            old_term.get("startedAt") or (old_state.get("running") or {}).get("startedAt") or now
        )
        terminated: dict[str, Any] = {
            "exitCode": exit_code,
            "reason": reason or ("Completed" if exit_code == 0 else "Error"),
            "startedAt": started,
            "finishedAt": old_term.get("finishedAt") or now,
            "containerID": container_id,
        }
        if message:
            terminated["message"] = message
        if eci_state.get("Signal"):
            terminated["signal"] = int(eci_state["Signal"])
        return {"terminated": terminated}
    waiting: dict[str, Any] = {"reason": reason or "ContainerCreating"}
    if message:
        waiting["message"] = message
    return {"waiting": waiting}


def pod_status(group: RawGroup, pod: RawObject, *, now: datetime) -> dict[str, Any]:
    """The `status` to merge into the Pod for this container group."""
    now_text = kube_time(now)
    current = pod.get("status") or {}
    spec = pod.get("spec") or {}
    group_id = str(group.get("ContainerGroupId", ""))
    phase = group_phase(group)
    statuses = _container_statuses(
        spec.get("containers") or [],
        eci_containers=group.get("Containers") or [],
        old_statuses=current.get("containerStatuses") or [],
        group_id=group_id,
        now=now_text,
    )
    init_statuses = _container_statuses(
        spec.get("initContainers") or [],
        eci_containers=group.get("InitContainers") or [],
        old_statuses=current.get("initContainerStatuses") or [],
        group_id=group_id,
        now=now_text,
    )
    status: dict[str, Any] = {
        "phase": str(phase),
        "conditions": _pod_conditions(
            group,
            phase=phase,
            statuses=statuses,
            init_statuses=init_statuses,
            old_conditions=current.get("conditions") or [],
            now=now_text,
        ),
        "containerStatuses": statuses,
        "startTime": current.get("startTime") or now_text,
        "qosClass": current.get("qosClass") or _qos_class(pod),
    }
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    status.update(_addresses(group))
    if phase == PodPhase.FAILED:
        status.update(_failure(group, group_id=group_id, statuses=statuses))
    return status


def _container_statuses(
    spec_containers: Sequence[Mapping[str, Any]],
    *,
    eci_containers: Sequence[Mapping[str, Any]],
    old_statuses: Sequence[Mapping[str, Any]],
    group_id: str,
    now: str,
) -> list[dict[str, Any]]:
    """One status per container of the spec (in spec order), from ECI's view of it."""
    images = {c["name"]: c.get("image", "") for c in spec_containers}
    old = {c.get("name"): c for c in old_statuses}
    by_name = {c.get("Name"): c for c in eci_containers}
    return [
        _container_status(
            by_name.get(name) or {"Name": name, "Image": image},
            group_id=group_id,
            spec_image=image,
            old=old.get(name),
            now=now,
        )
        for name, image in images.items()
    ]


def _pod_conditions(
    group: RawGroup,
    *,
    phase: PodPhase,
    statuses: Sequence[Mapping[str, Any]],
    init_statuses: Sequence[Mapping[str, Any]],
    old_conditions: Sequence[Mapping[str, Any]],
    now: str,
) -> list[dict[str, Any]]:
    """PodScheduled, Initialized, ContainersReady and Ready, as the kubelet sets them."""
    old = {c.get("type", ""): c for c in old_conditions}
    scheduled = group.get("Status") != GroupStatus.SCHEDULE_FAILED
    # As the kubelet: True once every init container has completed (at once without any).
    initialized = all(
        (s["state"].get("terminated") or {}).get("exitCode") == 0 for s in init_statuses
    ) and (bool(init_statuses) or scheduled)
    if phase == PodPhase.SUCCEEDED:
        initialized = True
    all_ready = bool(statuses) and all(s["ready"] for s in statuses)
    not_ready_reason = "PodCompleted" if phase in TERMINAL_PHASES else "ContainersNotReady"
    return [
        _condition("PodScheduled", scheduled, old, now, "Unschedulable"),
        _condition("Initialized", initialized, old, now, "ContainersNotInitialized"),
        _condition("ContainersReady", all_ready, old, now, not_ready_reason),
        _condition("Ready", all_ready, old, now, not_ready_reason),
    ]


def _addresses(group: RawGroup) -> dict[str, Any]:
    """podIP(s) and hostIP(s): the group's intranet IP (a group is its own host), if any."""
    ip = group.get("IntranetIp") or ""
    if not ip:
        return {}
    return {"podIP": ip, "podIPs": [{"ip": ip}], "hostIP": ip, "hostIPs": [{"ip": ip}]}


def _failure(
    group: RawGroup, *, group_id: str, statuses: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """`reason` (for scheduling failures and expiry) and `message` of a Failed Pod."""
    fields: dict[str, Any] = {}
    failed = [s for s in statuses if (s["state"].get("terminated") or {}).get("exitCode")]
    if group.get("Status") == GroupStatus.SCHEDULE_FAILED:
        fields["reason"] = "ProviderScheduleFailed"
    elif group.get("Status") == GroupStatus.EXPIRED:
        fields["reason"] = "ProviderExpired"
    fields["message"] = (
        "; ".join(
            f"container {s['name']} exited with code {s['state']['terminated']['exitCode']}"
            for s in failed
        )
        or f"ECI container group {group_id} is {group.get('Status')}"
    )
    return fields


def _qos_class(pod: RawObject) -> str:
    containers = (pod.get("spec") or {}).get("containers") or []
    requests_all = []
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        limits = resources.get("limits") or {}
        requests = resources.get("requests") or {}
        requests_all.append(bool(limits or requests))
        for kind in ("cpu", "memory"):
            if kind not in limits or requests.get(kind, limits[kind]) != limits[kind]:
                guaranteed = False
    if not any(requests_all):
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def failed_status(
    *,
    reason: str,
    message: str,
    now: datetime,
    pod: RawObject,
    phase: PodPhase = PodPhase.FAILED,
) -> dict[str, Any]:
    """A Pod the provider could not run: `phase` (Failed, or Pending for a refusal the
    Pod's controller must not replace, see pods/failing.py) with a reason and message."""
    now_text = kube_time(now)
    current = pod.get("status") or {}
    old_conditions = {c.get("type", ""): c for c in current.get("conditions") or []}
    spec = pod.get("spec") or {}
    statuses = [
        {
            "name": c["name"],
            "image": c.get("image", ""),
            "imageID": "",
            "ready": False,
            "restartCount": 0,
            "started": False,
            "state": {"waiting": {"reason": reason, "message": message}},
            "lastState": {},
        }
        for c in spec.get("containers") or []
    ]
    return {
        "phase": str(phase),
        "reason": reason,
        "message": message,
        "startTime": current.get("startTime") or now_text,
        "conditions": [
            _condition("PodScheduled", True, old_conditions, now_text),
            _condition("Initialized", False, old_conditions, now_text, reason),
            _condition("ContainersReady", False, old_conditions, now_text, reason),
            _condition("Ready", False, old_conditions, now_text, reason),
        ],
        "containerStatuses": statuses,
    }


def phase_seconds(group: RawGroup) -> dict[str, Any] | None:
    """Simulated/ECI durations of the start-up phases, from the group's own timestamps.

    scheduling: creation -> first Pulling; imagePreparation: first Pulling ->
    last Pulled; start: last Pulled -> last container start; total: creation ->
    last container start. None until every container has started.
    """
    created = parse_eci_time(group.get("CreationTime"))
    events = group.get("Events") or []
    pulling = [
        parse_eci_time(e.get("FirstTimestamp")) for e in events if e.get("Reason") == "Pulling"
    ]
    pulled = [parse_eci_time(e.get("LastTimestamp")) for e in events if e.get("Reason") == "Pulled"]
    starts = [
        parse_eci_time((c.get("CurrentState") or {}).get("StartTime"))
        or parse_eci_time((c.get("PreviousState") or {}).get("StartTime"))
        for c in group.get("Containers") or []
    ]
    if not created or not starts or any(s is None for s in starts):
        return None
    first_pull = min((p for p in pulling if p), default=None)
    last_pulled = max((p for p in pulled if p), default=None)
    started = max(s for s in starts if s)
    result: dict[str, Any] = {"total": round((started - created).total_seconds(), 3)}
    if first_pull:
        result["scheduling"] = round((first_pull - created).total_seconds(), 3)
    if first_pull and last_pulled:
        result["imagePreparation"] = round((last_pulled - first_pull).total_seconds(), 3)
    if last_pulled:
        result["start"] = round((started - last_pulled).total_seconds(), 3)
    result["imageCacheId"] = cache_used(group)
    return result


def cache_mode(group: RawGroup) -> str:
    """How the group's cache was chosen, `explicit` or `auto`, from its cache-hit event;
    `unknown` when the event does not say."""
    for event in group.get("Events") or []:
        if event.get("Reason") == "SuccessfulHitImageCache":
            message = str(event.get("Message", ""))
            for mode in ("explicit", "auto"):
                if f"({mode})" in message:
                    return mode
    return "unknown"


def cache_used(group: RawGroup) -> str | None:
    """The image cache the group was created from, as its events name it."""
    for key in ("ImageSnapshotId", "ImageCacheId"):
        if group.get(key):
            return str(group[key])
    for event in group.get("Events") or []:
        if event.get("Reason") in (
            "Pulled",
            "Pulling",
            "ImageCacheUsed",
            "SuccessfulHitImageCache",
        ):
            match = CACHE_ID.search(str(event.get("Message", "")))
            if match:
                return match.group(0)
    return None
