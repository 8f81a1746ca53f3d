"""The ECI API edge: wire protocol, request signing, error bodies, faults, metrics, admin.

It turns HTTP requests shaped exactly as the official SDK sends them into
`service.call(action, params)` and the answers back into ECI's JSON; `admin`
serves the simulator's own `/_sim` endpoints (clock, faults, catalog, metrics).
It holds no simulated state and never imports Kubernetes code.
"""
