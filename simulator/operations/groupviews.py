"""Response shapes of container groups, as the SDK's models.py names every field.

Pure rendering of a `GroupState` (plus the row's identity fields) into the
JSON bodies of DescribeContainerGroups, DescribeContainerGroupStatus and
DescribeContainerGroupEvents. Timestamps are simulated time, RFC 3339 UTC.
Besides ECI's fields, a group carries `SimulatedPhases` (ignored by the SDK,
read by benchmarks over raw HTTP): the simulated seconds of each phase and
the image cache used. Request fields the Describe model has no place for
(HostName, DnsPolicy, lifecycle hooks, TerminationGracePeriodSeconds, a
config file's Mode, ...) are echoed under their request names too: the SDK
drops them, a raw reader sees what was stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from simulator.engine.groupplan import GroupPlan, ImageSource
from simulator.engine.grouptypes import (
    ContainerPhase,
    ContainerState,
    ContainerStatus,
    GroupEvent,
    GroupState,
    GroupStatus,
)
from simulator.engine.projections import ProjectionCache
from simulator.engine.timestamps import to_wire
from simulator.specs.groups import ContainerSpec, GroupSpec
from simulator.specs.podfields import Mount, Volume

MAX_EVENTS = 50
"""DescribeContainerGroups returns at most 50 events per group."""

DEFAULT_SECURITY_GROUP = "sg-simulated"
DEFAULT_VSWITCH = "vsw-simulated"
"""What a group shows (and filters match) when its request named no security group/vSwitch."""
COMPUTE_CATEGORY = "general"
"""A group's ComputeCategory when its request named none (a named one is echoed)."""


class FloatFreeList(list[Any]):
    """Answer items that hold no float anywhere (only dicts, lists, strings, ints, bools
    and None): the JSON encoder may write them with orjson, whose floats are not always
    written as `repr` writes them (`api.jsonwire`)."""


_NAMESPACE_TAGS = ("vk-eci.io/namespace", "k8s-namespace", "namespace")
_UID_TAGS = ("vk-eci.io/pod-uid", "k8s-uid", "uid")
"""Tags a virtual node sets that ECI reports as a group's Namespace and uuid."""


def _tag(spec: GroupSpec, keys: tuple[str, ...]) -> str:
    for key in keys:
        if key in spec.tags:
            return spec.tags[key]
    return ""


def _time(when: datetime | None) -> str:
    return "" if when is None else to_wire(when)


def _state(state: ContainerState | None) -> dict[str, Any]:
    if state is None:
        return {}
    body: dict[str, Any] = {"State": state.phase.value, "DetailStatus": state.reason or ""}
    if state.reason:
        body["Reason"] = state.reason
    if state.message:
        body["Message"] = state.message
    if state.exit_code is not None:
        body["ExitCode"] = state.exit_code
    if state.started_at is not None:
        body["StartTime"] = to_wire(state.started_at)
    if state.finished_at is not None:
        body["FinishTime"] = to_wire(state.finished_at)
    return body


def _mount(mount: Mount, *, init: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Name": mount.name,
        "MountPath": mount.mount_path,
        "ReadOnly": bool(mount.read_only),
        "MountPropagation": mount.propagation or "None",
    }
    if not init:
        body["SubPath"] = mount.sub_path or ""
    return body


def _volume(volume: Volume) -> dict[str, Any]:
    body: dict[str, Any] = {"Name": volume.name, "Type": volume.type, **dict(volume.fields)}
    if volume.type == "NFSVolume":
        body["NFSVolumeReadOnly"] = body.get("NFSVolumeReadOnly") == "true"
    if volume.type == "ConfigFileVolume":
        body["ConfigFileVolumeConfigFileToPaths"] = [
            {"Path": f.path, "Content": f.content, "Mode": f.mode} for f in volume.files
        ]
        body["ConfigFileVolumeDefaultMode"] = volume.default_mode
    return body


def _env(spec: ContainerSpec) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = [{"Key": k, "Value": v} for k, v in spec.env]
    values += [
        {"Key": k, "Value": "", "ValueFrom": {"FieldRef": {"FieldPath": path}}}
        for k, path in spec.env_field_refs
    ]
    return values


def _container(spec: ContainerSpec, status: ContainerStatus, *, init: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Name": spec.name,
        "Image": spec.image,
        "Cpu": spec.cpu,
        "Memory": spec.memory,
        "Args": list(spec.args),
        "EnvironmentVars": _env(spec),
        "Ports": [{"Port": p, "Protocol": q} for p, q in spec.ports],
        "ImagePullPolicy": spec.image_pull_policy,
        "Ready": status.ready,
        "RestartCount": status.restart_count,
        "CurrentState": _state(status.current),
        "PreviousState": _state(status.previous),
        "VolumeMounts": [_mount(m, init=init) for m in spec.volume_mounts],
        "WorkingDir": spec.working_dir or "",
        **spec.echo,
    }
    if spec.liveness is not None:
        body["LivenessProbe"] = spec.liveness.to_wire()
    if spec.readiness is not None:
        body["ReadinessProbe"] = spec.readiness.to_wire()
    body["Command" if init else "Commands"] = list(spec.command)
    return body


def _event(event: GroupEvent, *, name: str) -> dict[str, Any]:
    return {
        "Count": event.count,
        "Type": event.type,
        "Reason": event.reason,
        "Message": event.message,
        "Name": name if event.container is None else f"{name}.{event.container}",
        "FirstTimestamp": to_wire(event.first_at),
        "LastTimestamp": to_wire(event.last_at),
    }


def phases(plan: GroupPlan, state: GroupState) -> dict[str, Any]:
    """Simulated seconds of each phase, and how the images were prepared."""
    prepared_at = plan.prepared_at
    scheduling = (plan.scheduled_at - plan.created_at).total_seconds()
    preparation = None if prepared_at is None else (prepared_at - plan.scheduled_at).total_seconds()
    start = None
    if state.running_at is not None and prepared_at is not None:
        start = (state.running_at - prepared_at).total_seconds()
    sources = {image.source for image in plan.images if image.failure is None}
    if not sources:
        how = ""
    elif sources == {ImageSource.CACHE}:
        how = ImageSource.CACHE.value
    elif ImageSource.CACHE in sources or ImageSource.PARTIAL_CACHE in sources:
        how = ImageSource.PARTIAL_CACHE.value
    else:
        how = ImageSource.REGISTRY.value
    return {
        "SchedulingSeconds": scheduling,
        "ImagePreparationSeconds": preparation,
        "ContainerStartSeconds": start,
        "ImagePreparation": how,
        "ImageCacheId": "" if plan.cache is None else plan.cache.cache_id,
        "ImageCacheMatch": "" if plan.cache is None else plan.cache.mode,
        "ScheduledTime": to_wire(plan.scheduled_at),
        "ImagesPreparedTime": _time(prepared_at),
        "RunningTime": _time(state.running_at),
    }


def group_body(
    *,
    group_id: str,
    spec: GroupSpec,
    zone_id: str,
    intranet_ip: str,
    created_at: datetime,
    plan: GroupPlan,
    state: GroupState,
    with_events: bool = True,
    charges: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One `ContainerGroups` item of DescribeContainerGroups (`charges`: its SimulatedCost)."""
    events = [_event(e, name=spec.name) for e in state.events][-MAX_EVENTS:]
    return {
        "ContainerGroupId": group_id,
        "ContainerGroupName": spec.name,
        "RegionId": spec.region_id,
        "ZoneId": zone_id,
        "Status": state.status.value,
        "Cpu": spec.cpu,
        "Memory": spec.memory,
        "InstanceType": spec.instance_type or "",
        "ComputeCategory": COMPUTE_CATEGORY,
        "ResourceGroupId": "",
        "CreationTime": to_wire(created_at),
        "SucceededTime": _time(state.succeeded_at),
        "FailedTime": _time(state.failed_at),
        "ExpiredTime": "",
        "IntranetIp": intranet_ip,
        "InternetIp": "",
        "RestartPolicy": spec.restart_policy,
        "SecurityGroupId": spec.security_group_id or DEFAULT_SECURITY_GROUP,
        "VSwitchId": spec.vswitch_id or DEFAULT_VSWITCH,
        "VpcId": "vpc-simulated",
        "EniInstanceId": f"eni-{group_id.removeprefix('eci-')}",
        "Tags": [{"Key": k, "Value": v} for k, v in spec.tags.items()],
        "Events": events if with_events else [],
        "Containers": [
            _container(c, s, init=False)
            for c, s in zip(spec.containers, state.containers, strict=True)
        ],
        "InitContainers": [
            _container(c, s, init=True)
            for c, s in zip(spec.init_containers, state.init_containers, strict=True)
        ],
        "Volumes": [_volume(v) for v in spec.volumes],
        "ActiveDeadlineSeconds": spec.active_deadline_seconds,
        "TerminationGracePeriodSeconds": spec.termination_grace_period_seconds,
        **spec.echo,
        "SimulatedPhases": phases(plan, state),
        **({} if charges is None else {"SimulatedCost": charges}),
    }


_POD_PHASE = {
    GroupStatus.SCHEDULING: "Pending",
    GroupStatus.PENDING: "Pending",
    GroupStatus.RUNNING: "Running",
    GroupStatus.RESTARTING: "Running",
    GroupStatus.SUCCEEDED: "Succeeded",
    GroupStatus.FAILED: "Failed",
    GroupStatus.SCHEDULE_FAILED: "Failed",
    GroupStatus.EXPIRED: "Failed",
    GroupStatus.TERMINATING: "Running",
}


def _pod_state(state: ContainerState | None, *, resolved: str) -> dict[str, Any]:
    if state is None:
        return {}
    if state.phase is ContainerPhase.WAITING:
        return {"Waiting": {"Reason": state.reason or "", "Message": state.message or ""}}
    if state.phase is ContainerPhase.RUNNING:
        return {"Running": {"StartedAtstartedAt": _time(state.started_at)}}
    return {
        "Terminated": {
            "ExitCode": state.exit_code if state.exit_code is not None else 0,
            "Reason": state.reason or "",
            "Message": state.message or "",
            "StartedAt": _time(state.started_at),
            "FinishedAt": _time(state.finished_at),
            "ContainerID": f"containerd://{resolved}",
        }
    }


def _condition(kind: str, when: datetime | None, *, reason: str = "") -> dict[str, Any]:
    return {
        "type": kind,
        "status": "True" if when is not None else "False",
        "lastTransitionTime": _time(when),
        "Reason": reason,
        "Message": "",
    }


def status_body(
    *,
    group_id: str,
    spec: GroupSpec,
    intranet_ip: str,
    plan: GroupPlan,
    state: GroupState,
    at: datetime,
) -> dict[str, Any]:
    """One `Data` item of DescribeContainerGroupStatus: no float in it (`FloatFreeList`)."""
    statuses = []
    resolved = {image.reference: image.image_id or image.resolved for image in plan.images}
    for c, s in zip(spec.containers, state.containers, strict=True):
        image_id = resolved.get(c.image, c.image)
        statuses.append(
            {
                "Name": c.name,
                "Image": c.image,
                "ImageID": image_id,
                "Ready": s.ready,
                "RestartCount": s.restart_count,
                "Started": s.current.phase is ContainerPhase.RUNNING,
                "State": _pod_state(s.current, resolved=f"{group_id}-{c.name}"),
                "LastState": _pod_state(s.previous, resolved=f"{group_id}-{c.name}"),
            }
        )
    scheduled = (
        plan.scheduled_at if plan.scheduled_at <= at and plan.schedule_failure is None else None
    )
    ready_times = [s.run.ready_at for s in state.containers if s.ready and s.run is not None]
    all_ready = (
        max(t for t in ready_times if t is not None)
        if ready_times and len(ready_times) == len(state.containers)
        else None
    )
    conditions = [
        _condition("PodScheduled", scheduled),
        _condition("ContainerInstanceCreated", scheduled),
        _condition("Initialized", state.initialized_at),
        _condition("ContainersReady", all_ready),
        _condition("Ready", all_ready),
    ]
    return {
        "ContainerGroupId": group_id,
        "Name": spec.name,
        "Namespace": _tag(spec, _NAMESPACE_TAGS),
        "uuid": _tag(spec, _UID_TAGS),
        "Annotations": "",
        "Status": state.status.value,
        "PodStatus": {
            "Phase": _POD_PHASE[state.status],
            "Conditions": conditions,
            "ContainerStatuses": statuses,
            "HostIp": intranet_ip,
            "PodIp": intranet_ip,
            "PodIps": [{"Ip": intranet_ip}],
            "QosClass": "Guaranteed",
            "StartTime": _time(plan.created_at),
        },
    }


def remembered_status_body(
    projections: ProjectionCache,
    *,
    group_id: str,
    spec_text: str,
    intranet_ip: str,
    plan: GroupPlan,
    state: GroupState,
    at: datetime,
) -> dict[str, Any]:
    """`status_body` of a stored group (spec as its stored text), built once per state.

    The body depends on the instant only through `plan.scheduled_at <= at`, and the
    projection looks at `scheduled_at`, so it cannot pass while `projections` returns
    the same state: the body kept with that state is the body at any instant it is
    returned for. Kept bodies are shared between answers, never modified."""
    kept = projections.view(group_id, state, "status")
    if kept is not None and kept[0] == spec_text and kept[1] == intranet_ip:
        return cast(dict[str, Any], kept[2])
    body = status_body(
        group_id=group_id,
        spec=projections.spec(group_id, spec_text),
        intranet_ip=intranet_ip,
        plan=plan,
        state=state,
        at=at,
    )
    projections.keep_view(group_id, state, "status", (spec_text, intranet_ip, body))
    return body


def remembered_group_body(
    projections: ProjectionCache,
    *,
    group_id: str,
    spec_text: str,
    zone_id: str,
    intranet_ip: str,
    created_at: datetime,
    plan: GroupPlan,
    state: GroupState,
    with_events: bool,
) -> tuple[GroupSpec, dict[str, Any]]:
    """The spec and `group_body` (without `SimulatedCost`) of a stored group, built once
    per state: nothing in it depends on the instant, only the charges do (the caller adds
    them last, where `group_body` puts them). Kept bodies are shared, never modified."""
    key = (spec_text, zone_id, intranet_ip, created_at, with_events)
    kept = projections.view(group_id, state, "group")
    if kept is not None and kept[0] == key:
        return cast(tuple[GroupSpec, dict[str, Any]], kept[1])
    spec = projections.spec(group_id, spec_text)
    body = group_body(
        group_id=group_id,
        spec=spec,
        zone_id=zone_id,
        intranet_ip=intranet_ip,
        created_at=created_at,
        plan=plan,
        state=state,
        with_events=with_events,
    )
    projections.keep_view(group_id, state, "group", (key, (spec, body)))
    return spec, body


def events_body(
    *, group_id: str, spec: GroupSpec, state: GroupState, since: datetime | None
) -> dict[str, Any]:
    """One `Data` item of DescribeContainerGroupEvents."""
    namespace = _tag(spec, _NAMESPACE_TAGS)
    events = []
    for event in state.events:
        if since is not None and event.last_at < since:
            continue
        name = spec.name if event.container is None else f"{spec.name}.{event.container}"
        events.append(
            {
                "Count": event.count,
                "Type": event.type,
                "Reason": event.reason,
                "Message": event.message,
                "FirstTimestamp": to_wire(event.first_at),
                "LastTimestamp": to_wire(event.last_at),
                "Metadata": {"Name": name, "Namespace": namespace},
                "Source": {"Component": "eci", "Host": group_id},
                "involvedObject": {
                    "Kind": "ContainerGroup",
                    "Name": spec.name,
                    "Namespace": namespace,
                    "Uid": group_id,
                    "ApiVersion": "v1",
                },
                "ReportingComponent": "eci",
                "ReportingInstance": group_id,
            }
        )
    return {
        "ContainerGroupId": group_id,
        "Name": spec.name,
        "Namespace": namespace,
        "uuid": "",
        "Annotations": "",
        "Events": events,
    }
