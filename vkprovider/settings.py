"""Settings of the node agent, one frozen dataclass per concern.

Every field documents its unit and default. Tests shorten the intervals; the
defaults are what a production virtual node runs with. Nothing here reads the
environment or files: `vkeci.commands.agent` builds these from flags, the
environment and the optional config file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class RetrySettings:
    """How failed calls (ECI or Kubernetes) are retried."""

    backoff_seconds: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
    """Delays before retry 1, 2, ...; its length is the number of retries (8: 9 attempts)."""

    max_retry_after_seconds: float = 60.0
    """Upper bound on a server's Retry-After / x-acs-retry-after hint, in seconds."""


@dataclass(frozen=True)
class EciSettings:
    """Where and as whom the agent calls the ECI OpenAPI (2018-08-08)."""

    endpoint: str = "eci.cn-hangzhou.aliyuncs.com"
    """Host[:port] of the ECI API; the simulator prints its own (e.g. 127.0.0.1:8080)."""

    region_id: str = "cn-hangzhou"
    """Region in which container groups are created and listed."""

    zone_id: str = ""
    """Zone for new container groups; empty lets ECI choose."""

    access_key_id: str = field(default="", repr=False)
    """AccessKey id (from ECI_ACCESS_KEY_ID or a file); never logged."""

    access_key_secret: str = field(default="", repr=False)
    """AccessKey secret (from ECI_ACCESS_KEY_SECRET or a file); never logged."""

    protocol: str = ""
    """"http" or "https"; empty means http for loopback endpoints, https otherwise."""

    connect_timeout_ms: int = 5_000
    """TCP connect timeout of one SDK call, in milliseconds."""

    read_timeout_ms: int = 30_000
    """Response read timeout of one SDK call, in milliseconds."""

    connections: int = 16
    """ECI calls in flight at once, each on a kept-alive connection of the SDK's pool."""

    retry: RetrySettings = field(default_factory=RetrySettings)
    """Retries of retryable ECI errors (throttling, 5xx, network)."""

    def effective_protocol(self) -> str:
        if self.protocol:
            return self.protocol
        host = self.endpoint.rsplit(":", 1)[0] if ":" in self.endpoint else self.endpoint
        return "http" if host in {"127.0.0.1", "localhost", "::1", "[::1]"} else "https"


@dataclass(frozen=True)
class NodeSettings:
    """The virtual Node object the agent registers."""

    name: str = "virtual-kubelet"
    """Node name; Pods bind to it with spec.nodeName."""

    cpu: str = "2000"
    """Node CPU capacity and allocatable (Kubernetes quantity, cores)."""

    memory: str = "4Ti"
    """Node memory capacity and allocatable (Kubernetes quantity)."""

    pods: str = "20000"
    """How many Pods the node accepts."""

    ephemeral_storage: str = "20Ti"
    """Ephemeral-storage capacity and allocatable (Kubernetes quantity)."""

    internal_ip: str = "127.0.0.1"
    """Address published as InternalIP (where the kubelet API listens)."""

    zone: str = ""
    """topology.kubernetes.io/zone label; empty means the ECI zone (`--zone-id`), else
    `<region>-a`."""

    kubelet_version: str = "v1.31.0-vk-eci"
    """nodeInfo.kubeletVersion shown by `kubectl get nodes`."""

    status_interval_seconds: float = 60.0
    """Node status refresh period, in seconds (also refreshed on change)."""

    mark_not_ready_on_exit: bool = False
    """On graceful shutdown, set the Ready condition to False (the Node itself stays)."""


@dataclass(frozen=True)
class LeaseSettings:
    """The node heartbeat Lease in kube-node-lease."""

    namespace: str = "kube-node-lease"
    """Namespace of node leases (Kubernetes convention)."""

    duration_seconds: int = 40
    """spec.leaseDurationSeconds; the node lifecycle controller's grace."""

    renew_interval_seconds: float = 10.0
    """How often the lease is renewed, in seconds (a quarter of the duration)."""


@dataclass(frozen=True)
class PodSettings:
    """The pod controller: workers, polling and reconciling."""

    workers: int = 64
    """Concurrent pod work items (different pods run in parallel)."""

    status_poll_interval_seconds: float = 2.0
    """Period of the status poller's ticks, real seconds: groups still on their way (being
    created, pulling, crash-looping) are described by id every tick, 20 per call."""

    status_change_poll_seconds: float = 5.0
    """Period of DescribeContainerGroupStatus (SinceSecond) polls, real seconds (on the
    first tick this long after the previous one; every tick until ECI's clock rate is
    measured). They find changes of steady groups: a Running group whose container
    restarts or exits, or that is deleted behind the agent's back, is noticed within this
    plus one tick plus two polls' latency (about 7.5 s with the defaults), or, if ECI
    shows the change late, by the next sweep. A poll that fails or is slower than its
    window allowed for leaves no gap: the next one reaches back over what it may have
    missed (`vkprovider.pods.pollwindows`)."""

    status_poll_overlap_seconds: int = 5
    """Extra ECI seconds added to the SinceSecond window of a sweep to tolerate skew (a
    change ECI shows up to this much later than its timestamp)."""

    status_poll_sweep_seconds: float = 60.0
    """Every this many real seconds a status poll is a sweep: its window reaches back over
    everything since the previous sweep plus `status_poll_overlap_seconds`. The polls
    between reach back only over what elapsed since the previous poll plus one ECI second,
    so a group changed once is shown about twice, not once per poll of the overlap (0:
    every status poll sweeps). A change ECI shows late is noticed within this plus a tick."""

    status_poll_min_window_seconds: int = 60
    """Smallest SinceSecond window, in ECI seconds, until the agent has measured ECI's clock
    (a simulator on a scaled clock may run faster): until then every tick polls, so this
    covers an ECI clock up to 60/status_poll_interval_seconds times faster than the
    agent's. Groups seen unchanged are not described."""

    reconcile_interval_seconds: float = 60.0
    """Period of the full reconcile (DescribeContainerGroups by tag), real seconds; longer
    when a round takes more than a twentieth of it (`pods.reconciling.RECONCILE_SHARE`)."""

    orphan_grace_seconds: float = 120.0
    """An instance without a Pod is deleted only after being orphaned this long (real s)."""

    watch_timeout_seconds: int = 300
    """Server-side timeout of one watch request, seconds."""

    watch_inactivity_seconds: float = 360.0
    """Client gives up on a silent watch after this many seconds and re-watches."""

    retry: RetrySettings = field(default_factory=RetrySettings)
    """Back-off of failed pod work items and API calls."""

    events_enabled: bool = True
    """Write core/v1 Events on Pods."""


@dataclass(frozen=True)
class EventSettings:
    """How Events reach the API server: queued, correlated, rate-limited, never in the way.

    As client-go's event broadcaster does for a kubelet: a bounded queue written in the
    background, the EventCorrelator's rules (count++ of repeats, combining of similar
    messages, a spam filter per object) and a write rate, so Events cost the API server a
    bounded share of its writes however many Pods start at once.
    """

    queue_size: int = 1000
    """Events waiting to be written; beyond this they are dropped and counted (client-go: 1000)."""

    writes_per_second: float = 50.0
    """Sustained Event writes (creates and count patches) per second (kubelet: 50)."""

    burst: int = 100
    """Event writes allowed at once above the sustained rate (kubelet: 100)."""

    writers: int = 4
    """Event writes in flight at once."""

    similar_window_seconds: float = 600.0
    """Repeats within this many seconds patch the earlier Event's count (client-go: 600)."""

    max_similar: int = 10
    """Distinct messages of one reason on one object within the window before they are
    combined into one Event (client-go: 10)."""

    spam_burst: int = 25
    """Events one object may get at once (client-go: 25)."""

    spam_refill_seconds: float = 300.0
    """Seconds for an object's spam filter to regain one Event (client-go: 300)."""

    remembered: int = 4096
    """Events remembered for aggregation (an LRU; client-go: 4096)."""


@dataclass(frozen=True)
class KubeletSettings:
    """The kubelet HTTPS API (logs, stats, metrics)."""

    enabled: bool = True
    """Serve the kubelet API at all."""

    host: str = "127.0.0.1"
    """Address the kubelet API binds to."""

    port: int = 10250
    """Kubelet port, also published in status.daemonEndpoints; 0 picks a free one."""

    tls_cert_file: str = ""
    """PEM certificate; empty means a self-signed one stored under state_dir."""

    tls_key_file: str = ""
    """PEM private key matching tls_cert_file."""

    state_dir: str = ".vk-eci"
    """Directory for the generated certificate and key."""

    authentication: bool = True
    """Authenticate every caller (a client certificate signed by `client_ca_file`, else a
    bearer token checked by TokenReview) and authorise it by SubjectAccessReview, as a
    kubeadm kubelet does; anonymous requests get 401. False (`--kubelet-anonymous-auth`)
    serves anyone who reaches the port, like `--anonymous-auth=true
    --authorization-mode=AlwaysAllow`; `/healthz` is always open."""

    client_ca_file: str = ""
    """CA bundle of client certificates to accept (`--kubelet-client-ca`; kube-apiserver
    presents its `--kubelet-client-certificate` when it proxies `kubectl logs`); such
    callers are authorised by SubjectAccessReview as their certificate's CN (groups: O).
    Empty: the CA of the agent's kubeconfig, if it names one (kubeadm signs kube-apiserver's
    kubelet client certificate with the cluster CA), else bearer tokens only."""


@dataclass(frozen=True, kw_only=True)
class ImageCacheSettings:
    """How the ImageCache controller watches, polls, retries and names things."""

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


@dataclass(frozen=True)
class AgentSettings:
    """Everything the agent needs, grouped by concern."""

    node: NodeSettings = field(default_factory=NodeSettings)
    lease: LeaseSettings = field(default_factory=LeaseSettings)
    pods: PodSettings = field(default_factory=PodSettings)
    eci: EciSettings = field(default_factory=EciSettings)
    kubelet: KubeletSettings = field(default_factory=KubeletSettings)
    events: EventSettings = field(default_factory=EventSettings)
    imagecaches: ImageCacheSettings = field(default_factory=ImageCacheSettings)
    """The ImageCache controller's (when `imagecache_controller` is on)."""

    kubeconfig: str = ""
    """Path of a kubeconfig; empty means $KUBECONFIG, then in-cluster."""

    imagecache_controller: bool = True
    """Also run the ImageCache controller."""
