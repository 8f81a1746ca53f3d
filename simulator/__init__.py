"""ECI in a box: a local server speaking the ECI OpenAPI 2018-08-08 wire protocol.

It knows nothing of Kubernetes.
"""
