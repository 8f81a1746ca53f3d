"""Prometheus metrics of the agent, served on the kubelet API's `/metrics`.

Defined once at import in the default registry, so every part (pod
controller, ECI client, lease, ImageCache controller) observes into the same
series. Durations labelled `simulated` come from ECI's own timestamps (the
simulator's clock); the others are real seconds measured by the agent.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_STARTUP_BUCKETS = (0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600)

PODS_BY_PHASE = Gauge(
    "vk_eci_pods",
    "Pods bound to this virtual node, by phase.",
    ["phase"],
)
POD_STARTUP_SECONDS = Histogram(
    "vk_eci_pod_startup_seconds",
    "Creation to Running of a container group, in ECI (simulated) seconds, split by cache use.",
    ["cache"],
    buckets=_STARTUP_BUCKETS,
)
IMAGE_PREPARATION_SECONDS = Histogram(
    "vk_eci_image_preparation_seconds",
    "Image preparation of a container group, in ECI (simulated) seconds, split by cache use.",
    ["cache"],
    buckets=_STARTUP_BUCKETS,
)
ECI_CALL_SECONDS = Histogram(
    "vk_eci_api_call_seconds",
    "Latency of one ECI OpenAPI call (one attempt), real seconds.",
    ["action"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ECI_CALL_ERRORS = Counter(
    "vk_eci_api_call_errors",
    "Failed ECI OpenAPI call attempts, by action and ECI error code.",
    ["action", "code"],
)
KUBE_CALL_ERRORS = Counter(
    "vk_eci_kube_api_errors",
    "Failed Kubernetes API calls, by operation and HTTP status.",
    ["operation", "status"],
)
QUEUE_DEPTH = Gauge(
    "vk_eci_workqueue_depth",
    "Pod keys waiting in the work queue (not counting those being processed).",
)
LEASE_RENEWALS = Counter(
    "vk_eci_lease_renewals",
    "Successful renewals of the node Lease.",
)
LEASE_RENEW_DELAY_SECONDS = Histogram(
    "vk_eci_lease_renew_delay_seconds",
    "How late a Lease renewal ran compared with its schedule, real seconds.",
    buckets=(0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10),
)
IMAGECACHE_BUILD_SECONDS = Histogram(
    "vk_eci_imagecache_build_seconds",
    "ImageCache build duration (creation to Ready/Failed), in ECI (simulated) seconds.",
    ["result"],
    buckets=(5, 10, 20, 30, 60, 90, 120, 180, 300, 600, 1200, 1800),
)
EVENTS_WRITTEN = Counter(
    "vk_eci_events_written",
    "Events written to the API server, by how (create, or patch of an earlier one's count).",
    ["how"],
)
EVENTS_DROPPED = Counter(
    "vk_eci_events_dropped",
    "Events not written, by why: queue_full (the write queue was full), spam (the object's"
    " spam filter), failed (the API server refused them after the retries).",
    ["why"],
)
EVENTS_AGGREGATED = Counter(
    "vk_eci_events_aggregated",
    "Events folded into an earlier Event (its count patched) instead of a new one.",
)
EVENTS_PENDING = Gauge(
    "vk_eci_events_pending",
    "Events queued or being written.",
)
STATUS_POLL_GROUPS = Counter(
    "vk_eci_status_poll_groups",
    "Groups DescribeContainerGroupStatus showed to the status poller, by the poll's kind"
    " (poll: since the previous poll; sweep: since the previous sweep plus the overlap).",
    ["kind"],
)
IMAGECACHE_MATCHES = Counter(
    "vk_eci_imagecache_matches",
    "Container groups started from an image cache, by cache id and how it was chosen "
    "(explicit, auto; unknown when ECI's events do not say).",
    ["cache", "mode"],
)
