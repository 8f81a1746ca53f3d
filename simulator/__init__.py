"""ECI in a box: a local server speaking the ECI OpenAPI 2018-08-08 wire protocol.

It knows nothing of Kubernetes. Layers, top to bottom (each imports only from
below; `pyproject.toml`'s import-linter contracts check it): `server` (the
process) > `api` (HTTP edge, admin endpoints) > `service` (one `EciService`) >
`operations` (the ECI actions) > `engine` (lifecycles in simulated time) >
`timemodel` | `storage` | `specs` > `registry` | `store` > `settings` | `errors`.
"""
