"""Stand-ins for kube-scheduler and kube-controller-manager, for the embedded server only.

A real cluster runs the real ones; the embedded server runs these (`LocalKubeSettings.
controllers`, on by default) so that Deployments, Jobs, CronJobs, ownerReferences and Pods
without `nodeName` behave for a newcomer as they would on kind. Each module does one
controller's job with kube's semantics for what the examples and tests use, and nothing
more: no leader election, no rate limiters, no feature gates. They run in the server's
process and write through `Cluster`, so every write gets the same validation, conflicts and
watch events as a client's. Nothing here may be imported by the request path.
"""
