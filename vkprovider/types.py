"""Identifier types and raw JSON shapes shared by the agent's modules."""

from __future__ import annotations

from typing import Any, NewType, TypedDict

PodUid = NewType("PodUid", str)
"""metadata.uid of a Pod; also the ClientToken of its container group."""

PodKey = NewType("PodKey", str)
"""`namespace/name` of a Pod: the work-queue key."""

ContainerGroupId = NewType("ContainerGroupId", str)
"""ECI container group id, e.g. `eci-2ze...`."""

ImageCacheId = NewType("ImageCacheId", str)
"""ECI image cache id, e.g. `imc-2ze...`."""

RawObject = dict[str, Any]
"""A Kubernetes object as the API server sent it (JSON, camelCase keys)."""


class EciContainerState(TypedDict, total=False):
    """CurrentState / PreviousState of a container in DescribeContainerGroups."""

    State: str
    DetailStatus: str
    Reason: str
    Message: str
    ExitCode: int
    Signal: int
    StartTime: str
    FinishTime: str


class EciContainer(TypedDict, total=False):
    Name: str
    Image: str
    ImageId: str
    Ready: bool
    RestartCount: int
    CurrentState: EciContainerState
    PreviousState: EciContainerState


class EciEvent(TypedDict, total=False):
    Reason: str
    Message: str
    Type: str
    Count: int
    FirstTimestamp: str
    LastTimestamp: str


class EciTag(TypedDict, total=False):
    Key: str
    Value: str


class EciGroup(TypedDict, total=False):
    """A container group as DescribeContainerGroups returns it (the fields the agent reads)."""

    ContainerGroupId: str
    RegionId: str
    ZoneId: str
    Status: str
    IntranetIp: str
    CreationTime: str
    SucceededTime: str
    FailedTime: str
    Tags: list[EciTag]
    Events: list[EciEvent]
    Containers: list[EciContainer]
    InitContainers: list[EciContainer]
    ImageSnapshotId: str
    ImageCacheId: str


RawGroup = EciGroup
"""A container group as DescribeContainerGroups returns it (ECI's PascalCase keys)."""


def pod_key(pod: RawObject) -> PodKey:
    meta = pod.get("metadata") or {}
    return PodKey(f"{meta.get('namespace', '')}/{meta.get('name', '')}")
