"""Names the agent reads from and writes to Pods and container groups.

Both generations of ECI's image cache annotations are honoured (the seed's
`eci-image-snapshot-id` / `eci-image-cache` and the later `eci-imc-id` /
`eci-auto-imc`); they count only when the container group is created.
"""

from __future__ import annotations

from typing import Final

EXPLICIT_CACHE: Final = ("k8s.aliyun.com/eci-image-snapshot-id", "k8s.aliyun.com/eci-imc-id")
AUTO_CACHE: Final = ("k8s.aliyun.com/eci-image-cache", "k8s.aliyun.com/eci-auto-imc")
PERFECT_MATCH: Final = "k8s.aliyun.com/imc-perfect-match"
MATCH_COUNT_REQUEST: Final = "k8s.aliyun.com/imc-match-count-request"

CONTAINER_GROUP_ID: Final = "vk-eci.io/container-group-id"
"""Written on the Pod (metadata) once ECI accepted it."""

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
