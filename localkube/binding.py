"""What kube-apiserver checks in a `pods/binding` request before it binds.

The Binding's name must be the Pod's (400 otherwise), its target must name a node, and the
target's kind, if set, must be `Node`. kube's binding storage returns those field errors as
a plain aggregate, not an Invalid status, so they reach the client as a 500 without a reason
and with the field errors as the message: the same here.
"""

from __future__ import annotations

from typing import Any

from localkube.errors import ApiError, Cause, Reason, bad_request


def check(body: Any, *, pod_name: str) -> None:
    if not isinstance(body, dict):
        raise bad_request("the body of the request must be a JSON object")
    metadata = body.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if name != pod_name:
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
        rendered = [f"{cause.field}: {cause.message}" for cause in causes]
        message = rendered[0] if len(rendered) == 1 else "[" + ", ".join(rendered) + "]"
        raise ApiError(code=500, reason=Reason.UNKNOWN, message=message)
