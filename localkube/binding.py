"""What kube-apiserver checks in a `pods/binding` request before it binds.

The Binding's name must be the Pod's (400 otherwise), its target must name a node, and the
target's kind, if set, must be `Node` (422, in kube's ValidatePodBinding words).
"""

from __future__ import annotations

from typing import Any

from localkube.errors import Cause, bad_request, invalid


def check(body: Any, *, pod_name: str) -> None:
    if not isinstance(body, dict):
        raise bad_request("the body of the request must be a JSON object")
    metadata = body.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if name and name != pod_name:
        raise bad_request("name in URL does not match name in Binding object")
    target: dict[str, Any] = body["target"] if isinstance(body.get("target"), dict) else {}
    causes = []
    kind = target.get("kind") or ""
    if kind not in ("", "Node"):
        causes.append(
            Cause(
                "FieldValueNotSupported",
                f'Unsupported value: "{kind}": supported values: "Node", "<empty>"',
                "target.kind",
            )
        )
    if not target.get("name"):
        causes.append(Cause("FieldValueRequired", "Required value", "target.name"))
    if causes:
        raise invalid(kind="Binding", group="", name=str(name or pod_name), causes=causes)
