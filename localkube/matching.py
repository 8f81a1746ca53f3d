"""Label selectors as controllers hold them (`matchLabels`/`matchExpressions` JSON) and
ownerReferences: who selects a Pod, who owns an object.

The request path parses selectors from query strings (`localkube.selectors`); controllers
get them as objects in a spec, so they are matched here directly.
"""

from __future__ import annotations

from typing import Any

from localkube.shapes import JsonObject


def _requirement_matches(requirement: JsonObject, labels: dict[str, str]) -> bool:
    key = str(requirement.get("key", ""))
    operator = requirement.get("operator")
    values = [str(v) for v in requirement.get("values") or []]
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False


def selects(selector: Any, labels: dict[str, str]) -> bool:
    """True when a LabelSelector selects these labels; an empty or missing one selects none
    (as kube's controllers treat it)."""
    if not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    return all(_requirement_matches(e, labels) for e in expressions)


def selector_string(selector: Any) -> str:
    """The selector as `kubectl get -l` would take it (kube's metav1 LabelSelector String)."""
    if not isinstance(selector, dict):
        return ""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key", ""), expression.get("operator")
        values = ",".join(sorted(str(v) for v in expression.get("values") or []))
        if operator == "In":
            parts.append(f"{key} in ({values})")
        elif operator == "NotIn":
            parts.append(f"{key} notin ({values})")
        elif operator == "Exists":
            parts.append(str(key))
        elif operator == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(sorted(parts))


def labels_of(obj: JsonObject) -> dict[str, str]:
    return dict(obj["metadata"].get("labels") or {})


def controller_ref(obj: JsonObject) -> JsonObject | None:
    """The ownerReference with `controller: true`, if any."""
    for reference in obj["metadata"].get("ownerReferences") or []:
        if reference.get("controller"):
            return dict(reference)
    return None


def controlled_by(obj: JsonObject, owner: JsonObject) -> bool:
    reference = controller_ref(obj)
    return reference is not None and reference.get("uid") == owner["metadata"].get("uid")


def owner_reference(owner: JsonObject, *, api_version: str, kind: str) -> JsonObject:
    """What a controller puts in `metadata.ownerReferences` of what it creates."""
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def is_active_pod(pod: JsonObject) -> bool:
    """kube's FilterActivePods: not Succeeded, not Failed, not being deleted."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def condition(obj: JsonObject, kind: str) -> JsonObject | None:
    for found in (obj.get("status") or {}).get("conditions") or []:
        if found.get("type") == kind:
            return dict(found)
    return None


def is_ready_pod(pod: JsonObject) -> bool:
    ready = condition(pod, "Ready")
    return ready is not None and ready.get("status") == "True"
