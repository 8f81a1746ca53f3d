"""The ImageCache custom resource: turn `imagecaches.eci.alibabacloud.com` objects into ECI
image caches and mirror their state back.

Modules, from the edges inward: `cloud` (the ECI calls), `secrets` (registry credentials out
of Kubernetes Secrets), `references` / `specs` (what the CRD schema cannot check), `status`
(ECI cache → CR status), `reconciling` (one resource, one pass) and `controller` (the agent's
informer and work queue around the reconciler).
"""
