"""Identifier types and raw JSON shapes shared by the agent's modules."""

from __future__ import annotations

from typing import Any, NewType

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

RawGroup = dict[str, Any]
"""A container group as DescribeContainerGroups returns it (ECI's PascalCase keys)."""


def pod_key(pod: RawObject) -> PodKey:
    meta = pod.get("metadata") or {}
    return PodKey(f"{meta.get('namespace', '')}/{meta.get('name', '')}")
