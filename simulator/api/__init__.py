"""The ECI API edge: wire protocol, request signing, error bodies, faults and metrics.

It turns HTTP requests shaped exactly as the official SDK sends them into
`service.call(action, params)` and the answers back into ECI's JSON. It holds
no simulated state and never imports Kubernetes code.
"""
