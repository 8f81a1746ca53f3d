"""The ImageCache custom resource: turn `imagecaches.eci.alibabacloud.com` objects into ECI
image caches and mirror their state back.

Modules, from the edges inward: `cloud` (the ECI calls), `secrets` (registry credentials out
of Kubernetes Secrets), `watching` / `queueing` (list+watch and a keyed work queue),
`references` / `specs` (what the CRD schema cannot check), `status` (ECI cache → CR status),
`reconciling` (one resource, one pass) and `controller` (wires them together).
"""
