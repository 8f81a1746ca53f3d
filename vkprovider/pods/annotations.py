"""Names the agent reads from and writes to Pods and container groups.

The ECI annotations that select request fields (specs, spot, storage, network)
are read by `vkprovider.pods.ecioptions`; the ones ECI's virtual node writes
after creation (`eci-instance-id`, `eci-instance-spec`) are written here too.
Both generations of ECI's image cache annotations are honoured (the seed's
`eci-image-snapshot-id` / `eci-image-cache` and the later `eci-imc-id` /
`eci-auto-imc`); they count only when the container group is created.
Automatic matching is on unless a Pod sets `eci-auto-imc` (or `eci-image-cache`) to
`"false"`: `"true"` is ECI's documented default ("Use an ImageCache to accelerate pod
creation").
"""

from __future__ import annotations

from typing import Final

EXPLICIT_CACHE: Final = ("k8s.aliyun.com/eci-image-snapshot-id", "k8s.aliyun.com/eci-imc-id")
AUTO_CACHE: Final = ("k8s.aliyun.com/eci-image-cache", "k8s.aliyun.com/eci-auto-imc")
PERFECT_MATCH: Final = "k8s.aliyun.com/imc-perfect-match"
MATCH_COUNT_REQUEST: Final = "k8s.aliyun.com/imc-match-count-request"

USE_SPECS: Final = "k8s.aliyun.com/eci-use-specs"
"""Comma-separated specs to try in order (`2-4Gi`, `ecs.c6.xlarge`): CreateContainerGroup
InstanceType."""

INSTANCE_ID: Final = "k8s.aliyun.com/eci-instance-id"
"""Written on the Pod, as ECI's virtual node does: the container group id (`eci-...`)."""

INSTANCE_SPEC: Final = "k8s.aliyun.com/eci-instance-spec"
"""Written on the Pod, as ECI's virtual node does: the spec used (`2.0-4.0Gi`, or the ECS
type)."""

CONTAINER_GROUP_ID: Final = "vk-eci.io/container-group-id"
"""Written on the Pod (metadata) once ECI accepted it."""

REGION_ID: Final = "vk-eci.io/region-id"
ZONE_ID: Final = "vk-eci.io/zone-id"
"""Written with the group id: the ECI region (`--region-id`) and the zone the group runs in."""

PHASE_SECONDS: Final = "vk-eci.io/phase-seconds"
"""JSON with simulated scheduling/imagePreparation/start/total seconds and the cache used."""

TAG_NAMESPACE: Final = "vk-eci.io/namespace"
TAG_NAME: Final = "vk-eci.io/pod-name"
TAG_UID: Final = "vk-eci.io/pod-uid"
TAG_NODE: Final = "vk-eci.io/node"

EXTRA_PERFECT_MATCH: Final = "ImageFullMatch"
"""CreateContainerGroup parameter (not in the SDK model) for imc-perfect-match."""

EXTRA_MATCH_COUNT: Final = "ImageMatchCountRequest"
"""CreateContainerGroup parameter (not in the SDK model) for imc-match-count-request."""


def truthy(value: object) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes", "on"}
