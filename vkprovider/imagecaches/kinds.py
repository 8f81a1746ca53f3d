"""Names, ids and raw JSON shapes of the ImageCache resource, shared by every module here.

Only declarations live here (no I/O, no logic), so that the edges (`cloud`, `watching`) and
the core (`specs`, `status`, `reconciling`) can agree on shapes without importing each other.
"""

from __future__ import annotations

import enum
from typing import NewType, TypedDict

GROUP = "eci.alibabacloud.com"
VERSION = "v1"
PLURAL = "imagecaches"
KIND = "ImageCache"

AUTO_MATCH_ANNOTATIONS = (
    "k8s.aliyun.com/auto-match-imagecache",
    "k8s.aliyun.com/imc-enable-reuse",
)
"""Annotations on an ImageCache asking ECI to reuse layers of existing caches (old, new name)."""

PAUSE_IMAGE = "registry-vpc.cn-beijing.aliyuncs.com/acs/pause-amd64:3.0"
"""The sandbox image ECI pulls into every cache besides the listed images."""

ImageCacheId = NewType("ImageCacheId", str)
"""ECI's id of a cloud image cache, `imc-...`."""

ResourceName = NewType("ResourceName", str)
"""`metadata.name` of an ImageCache (cluster scoped, so the name is the key)."""

ResourceUid = NewType("ResourceUid", str)
"""`metadata.uid` of an ImageCache; the ClientToken of its CreateImageCache call."""


class Phase(enum.StrEnum):
    """`status.phase`: ECI's image cache states plus two of the controller's own."""

    PENDING = "Pending"
    """Accepted by the controller, not yet created in ECI."""
    PREPARING = "Preparing"
    CREATING = "Creating"
    READY = "Ready"
    FAILED = "Failed"
    UPDATING = "Updating"
    UPDATE_FAILED = "UpdateFailed"
    EXPIRED = "Expired"
    """Past `expireDateTime`: ECI has removed (or will remove) the cloud cache."""

    @property
    def building(self) -> bool:
        """True while ECI is still working on the cache (poll it)."""
        return self in (Phase.PENDING, Phase.PREPARING, Phase.CREATING, Phase.UPDATING)


class EventSource(TypedDict):
    component: str
    host: str


class EventMeta(TypedDict):
    creationTimestamp: None
    name: str


class StatusEvent(TypedDict, total=False):
    """One entry of `status.events`, in the shape of a core/v1 Event as the seed shows it."""

    count: int
    eventTime: None
    firstTimestamp: str | None
    involvedObject: dict[str, str]
    lastTimestamp: str | None
    message: str
    metadata: EventMeta
    reason: str
    reportingComponent: str
    reportingInstance: str
    source: EventSource
    type: str


class ImageCacheStatusBody(TypedDict, total=False):
    """`status` of an ImageCache as written to the API server."""

    phase: str
    progress: str
    imageCacheId: str | None
    startTime: str | None
    lastUpdatedTime: str
    expireDateTime: str | None
    lastMatchedTime: str | None
    message: str | None
    observedGeneration: int
    events: list[StatusEvent]


class CloudEvent(TypedDict, total=False):
    """An event of DescribeImageCaches (`ImageCaches[].Events[]`)."""

    Count: int
    FirstTimestamp: str
    LastTimestamp: str
    Message: str
    Name: str
    Reason: str
    Type: str


class CloudImageCache(TypedDict, total=False):
    """One item of DescribeImageCaches (`ImageCaches[]`), as the SDK's `to_map()` gives it."""

    ImageCacheId: str
    ImageCacheName: str
    Status: str
    Progress: str
    Images: list[str]
    ImageCacheSize: int
    CreationTime: str
    ExpireDateTime: str
    LastMatchedTime: str
    Events: list[CloudEvent]
    Tags: list[dict[str, str]]
