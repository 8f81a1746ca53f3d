"""Bodies of the Pods and ImageCaches the demo and the benchmarks create.

Plain dicts, as `kubectl apply` would send them. Pods name the virtual node directly
(`spec.nodeName`) and tolerate its taint, so they run on ECI in any cluster, with or without a
scheduler. The cache annotations are the product document's: an explicit cache id
(`k8s.aliyun.com/eci-image-snapshot-id`) or automatic matching
(`k8s.aliyun.com/eci-image-cache: "true"`); an uncached Pod says `"false"`, since automatic
matching is ECI's default and a Pod without the annotation would match (or, on a miss, make)
a cache. The demo's Deployment is the exception: it
reaches the virtual node as the examples do (nodeSelector and toleration), through the
cluster's scheduler, so that `kubectl scale` shows new Pods being placed there.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, Final

EXPLICIT_CACHE_ANNOTATION: Final = "k8s.aliyun.com/eci-image-snapshot-id"
AUTO_CACHE_ANNOTATION: Final = "k8s.aliyun.com/eci-image-cache"
APP_LABEL: Final = "vk-eci.io/app"
"""Label on everything the demo or a benchmark creates, to find and clean it up."""

IMAGECACHE_GROUP: Final = "eci.alibabacloud.com"
IMAGECACHE_VERSION: Final = "v1"
IMAGECACHE_PLURAL: Final = "imagecaches"
VIRTUAL_NODE_TAINT: Final = "virtual-kubelet.io/provider"


class CacheUse(enum.StrEnum):
    """How a Pod asks for an image cache."""

    NONE = "uncached"
    EXPLICIT = "explicit"
    AUTOMATIC = "automatic"


def pod_body(
    *,
    name: str,
    images: Sequence[str],
    node_name: str,
    app: str,
    cache_use: CacheUse = CacheUse.NONE,
    cache_id: str | None = None,
) -> dict[str, Any]:
    """A Pod with one container per image, bound to the virtual node."""
    annotations: dict[str, str] = {}
    if cache_use is CacheUse.EXPLICIT:
        if not cache_id:
            raise ValueError(f"pod {name}: an explicit cache needs a cache id")
        annotations[EXPLICIT_CACHE_ANNOTATION] = cache_id
    elif cache_use is CacheUse.AUTOMATIC:
        annotations[AUTO_CACHE_ANNOTATION] = "true"
    else:
        annotations[AUTO_CACHE_ANNOTATION] = "false"
    containers = [
        {
            "name": f"c{index}" if len(images) > 1 else "main",
            "image": image,
            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}},
        }
        for index, image in enumerate(images)
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {APP_LABEL: app}, "annotations": annotations},
        "spec": {
            "nodeName": node_name,
            "restartPolicy": "Always",
            "containers": containers,
            "tolerations": [
                {"key": VIRTUAL_NODE_TAINT, "operator": "Exists", "effect": "NoSchedule"}
            ],
        },
    }


def imagecache_body(*, name: str, images: Sequence[str], app: str) -> dict[str, Any]:
    """A cluster-scoped ImageCache holding `images` (default size, kept until deleted)."""
    return {
        "apiVersion": f"{IMAGECACHE_GROUP}/{IMAGECACHE_VERSION}",
        "kind": "ImageCache",
        "metadata": {"name": name, "labels": {APP_LABEL: app}},
        "spec": {"images": list(images), "imageCacheSize": 20},
    }


def deployment_body(*, name: str, image: str, app: str, replicas: int = 1) -> dict[str, Any]:
    """A Deployment scheduled onto the virtual node by its label and taint (no nodeName)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {APP_LABEL: app, "app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "nodeSelector": {"type": "virtual-kubelet"},
                    "tolerations": [
                        {"key": VIRTUAL_NODE_TAINT, "operator": "Exists", "effect": "NoSchedule"}
                    ],
                    "containers": [
                        {"name": "main", "image": image, "imagePullPolicy": "IfNotPresent"}
                    ],
                },
            },
        },
    }
