"""Kubernetes' protobuf wire format for request bodies (`application/vnd.kubernetes.protobuf`).

kubectl's typed clients (`kubectl create namespace|secret|configmap|serviceaccount|service|
deployment|job|cronjob`) send their objects as protobuf with no JSON fallback, so the
embedded server must read them. The message shapes are described in `schema_*.py` as plain
tables (field name, Kubernetes' field number, type), built into protobuf descriptors by
`descriptors.py` and parsed by the `protobuf` package; `decoding.py` turns a parsed message
into the JSON object kube's JSON codec would have produced, so the rest of the server never
sees protobuf. Nothing here ever silently drops a field it does not know: such a body is
refused with a Status naming the field number.
"""
