"""The arithmetic of a Deployment rollout, apart from the writes that carry it out.

Pod-template hashes, maxSurge and maxUnavailable resolved against the replica count (surge
rounds up, unavailability down, never both zero), ReplicaSet revisions and counts, and the
Deployment status kube's controller reports for a set of ReplicaSets: the counts and the
Available and Progressing conditions, whose times only move when they change. Pure
functions, so `deployments.py` keeps only the decisions that write.
"""

from __future__ import annotations

import json
import math
from typing import Any

from localkube import objects
from localkube.matching import condition
from localkube.shapes import JsonObject

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
AVAILABLE_MESSAGE = "Deployment has minimum availability."
UNAVAILABLE_MESSAGE = "Deployment does not have minimum availability."
PAUSED = "Deployment is paused"


def template_hash(template: JsonObject, collisions: int = 0) -> str:
    """A short, stable name suffix for a pod template (kube: FNV-32a, safe-encoded)."""
    value = 0x811C9DC5
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collisions:
        data += str(collisions).encode()
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "".join(SAFE_ALPHABET[ord(c) % len(SAFE_ALPHABET)] for c in str(value))


def _semantic(value: Any) -> Any:
    """`value` without null, empty-string and empty-collection fields: what Go's typed
    decoding cannot tell from absent (kubectl sends `creationTimestamp: null`, `resources:
    {}` back in a template it rolls back to)."""
    if isinstance(value, dict):
        kept = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", {}, [])}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def without_hash(template: Any) -> Any:
    """A ReplicaSet's template as its Deployment's would read: no hash label, and compared
    semantically (kube's EqualIgnoreHash)."""
    if not isinstance(template, dict):
        return _semantic(template)
    metadata = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (metadata.get("labels") or {}).items() if k != HASH_LABEL}
    metadata["labels"] = labels
    return _semantic({**template, "metadata": metadata})


def _intstr(value: Any, total: int, *, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        scaled = int(value[:-1]) * total / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return int(value or 0)


def surge_and_unavailable(deployment: JsonObject) -> tuple[int, int]:
    """maxSurge (rounded up) and maxUnavailable (rounded down); never both zero."""
    spec = deployment.get("spec") or {}
    replicas = int(spec.get("replicas", 1))
    rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
    surge = _intstr(rolling.get("maxSurge", "25%"), replicas, round_up=True)
    unavailable = _intstr(rolling.get("maxUnavailable", "25%"), replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, min(unavailable, replicas)


def revision_of(rs: JsonObject) -> int:
    value = (rs["metadata"].get("annotations") or {}).get(REVISION, "0")
    return int(value) if str(value).isdigit() else 0


def spec_replicas(rs: JsonObject) -> int:
    return int((rs.get("spec") or {}).get("replicas", 0))


def status_count(rs: JsonObject, field: str) -> int:
    return int((rs.get("status") or {}).get(field, 0))


def _condition(
    previous: JsonObject | None, kind: str, status: str, reason: str, message: str
) -> JsonObject:
    now = objects.now_rfc3339()
    same_status = previous is not None and previous.get("status") == status
    same_reason = same_status and previous is not None and previous.get("reason") == reason
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": (previous or {}).get("lastUpdateTime", now) if same_reason else now,
        "lastTransitionTime": (previous or {}).get("lastTransitionTime", now)
        if same_status
        else now,
        "reason": reason,
        "message": message,
    }


def _kept(previous: JsonObject | None, fresh: JsonObject) -> JsonObject:
    """The previous condition when status and reason are unchanged (its times stay)."""
    if (
        previous is not None
        and previous.get("status") == fresh["status"]
        and previous.get("reason") == fresh["reason"]
        and previous.get("message") == fresh["message"]
    ):
        return previous
    return fresh


def deployment_status(
    deployment: JsonObject, new: JsonObject | None, old: list[JsonObject], *, created: bool
) -> JsonObject:
    """What the Deployment's status says given its ReplicaSets (kube's syncRolloutStatus);
    `new` is None only while a paused Deployment's template has no ReplicaSet yet."""
    everything = [*([new] if new is not None else []), *old]
    replicas = int(deployment["spec"].get("replicas", 1))
    _, unavailable = surge_and_unavailable(deployment)
    available = sum(status_count(rs, "availableReplicas") for rs in everything)
    status: JsonObject = {
        "observedGeneration": deployment["metadata"].get("generation", 1),
        "replicas": sum(status_count(rs, "replicas") for rs in everything),
        "updatedReplicas": status_count(new, "replicas") if new is not None else 0,
        "readyReplicas": sum(status_count(rs, "readyReplicas") for rs in everything),
        "availableReplicas": available,
        "unavailableReplicas": max(0, sum(spec_replicas(rs) for rs in everything) - available),
    }
    status = {k: v for k, v in status.items() if v or k == "observedGeneration"}
    if available >= replicas - unavailable:
        state, reason, message = "True", "MinimumReplicasAvailable", AVAILABLE_MESSAGE
    else:
        state, reason, message = "False", "MinimumReplicasUnavailable", UNAVAILABLE_MESSAGE
    previous_available = condition(deployment, "Available")
    available_condition = _kept(
        previous_available, _condition(previous_available, "Available", state, reason, message)
    )
    progressing = condition(deployment, "Progressing")
    if deployment["spec"].get("paused"):
        paused = _condition(progressing, "Progressing", "Unknown", "DeploymentPaused", PAUSED)
        status["conditions"] = [available_condition, _kept(progressing, paused)]
        return status
    assert new is not None
    rs_name = new["metadata"]["name"]
    complete = (
        status.get("updatedReplicas", 0) == replicas
        and status.get("replicas", 0) == replicas
        and available == replicas
    )
    if created:
        reason, message = "NewReplicaSetCreated", f'Created new replica set "{rs_name}"'
    elif complete:
        reason = "NewReplicaSetAvailable"
        message = f'ReplicaSet "{rs_name}" has successfully progressed.'
    elif progressing is None:
        reason, message = "FoundNewReplicaSet", f'Found new replica set "{rs_name}"'
    else:
        reason, message = "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.'
    progressing_condition = _kept(
        progressing, _condition(progressing, "Progressing", "True", reason, message)
    )
    status["conditions"] = [available_condition, progressing_condition]
    return status
