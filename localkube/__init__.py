"""An embedded, in-memory Kubernetes API server over real HTTP.

A test and demo fixture that must answer as kube-apiserver does; never the product.
`localkube.server.LocalKube` is the entry point (see `tests/fixtures/kube.py` for use).

Served: discovery (`/version`, `/api`, `/apis`, per-group lists, a minimal `/openapi/v3` so
kubectl validates server-side); core/v1 namespaces, nodes, pods (+status, +binding), events,
secrets, configmaps, serviceaccounts, services; apps/v1 deployments and replicasets
(+status, +scale); batch/v1 jobs and cronjobs (+status); coordination.k8s.io/v1 leases;
events.k8s.io/v1 events (a converted view of core/v1 events); apiextensions.k8s.io/v1 CRDs
and the kinds they define; `pods/log` proxied to the node's kubelet (with a client
certificate when given), and `pods/exec`, `pods/attach`, `pods/portforward` upgrades
proxied the same way (`streaming`: SPDY/3.1 as bytes, v4 WebSocket message by message, a
v5 WebSocket exec/attach translated to SPDY as kube-apiserver v1.30+ does);
`metrics.k8s.io/v1beta1` PodMetrics and NodeMetrics scraped from the kubelets'
`/metrics/resource` as metrics-server does (`resourcemetrics`);
TokenReview/SubjectAccessReview (all allowed).

Request bodies are JSON, YAML or (built-in kinds kubectl's typed clients send: Namespace,
Secret, ConfigMap, ServiceAccount, Service, Pod, Event, Deployment, Job, CronJob) protobuf
(`localkube.wire`); other media types are 415, bodies over 3 MiB 413. Built-in kinds are
decoded as kube's typed decoder does (`typecheck`: wrong types and bad quantities are 400s,
unknown fields dropped and reported per `fieldValidation`, quantities stored canonical).
Server-side apply is supported at the depth `kubectl apply --server-side` needs (`applying`).
Responses are always JSON.

Unless `LocalKubeSettings.controllers` is off, stand-ins for kube-scheduler and the
controllers the examples need run in the same process (`localkube.controllers`): Pods
without `nodeName` are bound to a node that fits, Deployments roll ReplicaSets, Jobs and
CronJobs run, ownerReferences are garbage-collected (Background, Foreground, Orphan).

Known differences from kube-apiserver, on purpose (a fixture, not a cluster):
* no authentication, authorization, admission webhooks, or HTTPS; `managedFields` are kept
  for server-side apply only (ordinary writes record no `Update` managers, see `applying`);
* protobuf is read for the kinds above only (others: 415) and never written; a protobuf
  field number the wire tables lack is refused (400) where kube would drop it;
* bodies nested deeper than 100 levels are refused (kube's JSON decoder allows 10,000);
* only the controllers above, each a small stand-in (`localkube/controllers/`): nothing
  removes pods of missing nodes or evicts from unreachable ones, no DaemonSets or
  StatefulSets; a deleted namespace or CRD deletes its objects at once (bound pods and
  objects with finalizers still wait for graceful deletion), and a CRD without instances
  goes at once;
* defaults and validation for built-in kinds cover what clients observe (pod and service
  defaults, Pending phase, names, labels, pod spec immutability), not kube's full rule set;
  the field tables of a few large types are partial (`partial` in `localkube.wire`), and
  unknown fields inside those are kept rather than dropped;
* a custom resource has one stored shape for all its versions (no conversion webhooks);
* a watch without `timeoutSeconds` ends after `default_watch_timeout_seconds`, bookmarks
  come every `bookmark_interval_seconds`; history is `history_window` changes long.
"""
