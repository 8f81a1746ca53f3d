"""An embedded, in-memory Kubernetes API server over real HTTP.

A test and demo fixture that must answer as kube-apiserver does; never the product.
`localkube.server.LocalKube` is the entry point (see `tests/fixtures/kube.py` for use).

Served: discovery (`/version`, `/api`, `/apis`, per-group lists, a minimal `/openapi/v3` so
kubectl validates server-side); core/v1 namespaces, nodes, pods (+status, +binding), events,
secrets, configmaps, serviceaccounts; apps/v1 deployments and replicasets (+status, +scale);
batch/v1 jobs and cronjobs (+status); coordination.k8s.io/v1 leases; events.k8s.io/v1 events
(a converted view of core/v1 events); apiextensions.k8s.io/v1 CRDs and the kinds they define;
`pods/log` proxied to the node's kubelet; TokenReview/SubjectAccessReview (all allowed).

Unless `LocalKubeSettings.controllers` is off, stand-ins for kube-scheduler and the
controllers the examples need run in the same process (`localkube.controllers`): Pods
without `nodeName` are bound to a node that fits, Deployments roll ReplicaSets, Jobs and
CronJobs run, ownerReferences are garbage-collected (Background, Foreground, Orphan).

Known differences from kube-apiserver, on purpose (a fixture, not a cluster):
* no authentication, authorization, admission webhooks, managedFields, server-side apply
  (415), protobuf, or HTTPS;
* only the controllers above, each a small stand-in (`localkube/controllers/`): nothing
  removes pods of missing nodes or evicts from unreachable ones, no DaemonSets or
  StatefulSets; a deleted namespace or CRD deletes its objects at once (bound pods and
  objects with finalizers still wait for graceful deletion), and a CRD without instances
  goes at once;
* defaults and validation for built-in kinds cover what clients observe (pod defaults and
  Pending phase, names, labels, pod spec immutability), not kube's full rule set; unknown
  fields of built-in kinds are kept, of custom resources pruned (400 with
  `fieldValidation=Strict`);
* a custom resource has one stored shape for all its versions (no conversion webhooks);
* a watch without `timeoutSeconds` ends after `default_watch_timeout_seconds`, bookmarks
  come every `bookmark_interval_seconds`; history is `history_window` changes long.
"""
