"""Settings of the ImageCache controller: every knob with its unit, default and why.

Passed in by the node agent (`ImageCacheSettings()` gives the defaults); nothing here reads the
environment, so tests can shorten the intervals without patching anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from vkprovider.settings import RetrySettings


@dataclass(frozen=True, kw_only=True)
class ImageCacheSettings:
    """How the controller watches, polls, retries and names things."""

    workers: int = 4
    """Resources reconciled in parallel. One resource is never worked on twice at once."""

    build_poll_seconds: float = 2.0
    """Seconds (real) between DescribeImageCaches while a cache builds or updates. ECI builds
    take tens of seconds to minutes; 2 s keeps `progress` lively without flooding the API."""

    resync_seconds: float = 60.0
    """Seconds between re-reads of settled caches, to notice expiry or a cache deleted in ECI
    behind our back."""

    watch_timeout_seconds: int = 300
    """Server-side timeout of one watch request; the watch is re-opened after it."""

    request_timeout_seconds: float = 30.0
    """Client-side timeout of one Kubernetes request (not a watch)."""

    watch_inactivity_seconds: float = 330.0
    """Client-side timeout of a watch that sends nothing (not even a BOOKMARK); a little more
    than `watch_timeout_seconds` so a healthy server always ends the watch first."""

    label_selector: str = ""
    """Only ImageCaches matching this label selector are reconciled (empty, the default: all).
    Lets controllers that must not touch each other's caches share one cluster, e.g. a test
    run beside an installed agent."""

    crd_missing_retry_seconds: float = 10.0
    """Seconds between attempts to list ImageCaches while the CRD is not installed, so an agent
    started before `kubectl apply -f crd/imagecache.yaml` picks it up soon after."""

    retry: RetrySettings = field(
        default_factory=lambda: RetrySettings(
            backoff_seconds=(0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
        )
    )
    """Waits between passes over a resource whose reconcile hit a retryable error (ECI
    throttling or 5xx, an API server hiccup; the last value repeats), and between retries of
    the ImageCache list call."""

    failed_retention: timedelta = field(default_factory=lambda: timedelta(hours=24))
    """How long a Failed cache is kept before it expires (ECI keeps failed caches one day)."""

    finalizer: str = "eci.alibabacloud.com/imagecache-cleanup"
    """Finalizer that makes deleting an ImageCache delete its ECI cache first."""

    uid_tag: str = "k8s.aliyun.com/imagecache-uid"
    """ECI tag carrying the resource's UID, to find its cache after a restart."""

    name_tag: str = "k8s.aliyun.com/imagecache-name"
    """ECI tag carrying the resource's name, for people reading the ECI console."""
