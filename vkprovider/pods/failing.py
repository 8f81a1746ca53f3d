"""What a Pod the provider cannot run looks like, and when it is tried again.

virtual-kubelet's rule: a Pod refused by the provider (a field ECI cannot
run, a permanent ECI error) stays `Pending` with reason `ProviderFailed`, a
message naming the cause and `Ready=False`; only a Pod with `restartPolicy:
Never` becomes `Failed`. The reason is the cluster, not the Pod: a real
controller-manager replaces a `Failed` Pod of a ReplicaSet (or Job) at once,
and the replacement is refused the same way, so marking it Failed floods the
cluster with dead Pods (issue 11 counted 308 in 25 s).

A refusal is tried again only when the Pod itself changes (its spec or its
annotations: `update_fingerprint`), never on a timer or a resync, so a
permanent error costs one ECI call per Pod update. A restarted agent tries
once more; when the answer is the one the Pod's status already shows,
`already_reported` keeps it from writing the status or the Warning again.
This module decides; it never calls an API.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from vkprovider.pods import annotations as ann
from vkprovider.pods.status import PodPhase
from vkprovider.types import RawObject

PROVIDER_FAILED = "ProviderFailed"
"""The reason of every refusal, as virtual-kubelet writes it."""

_OWN_ANNOTATIONS = frozenset({ann.CONTAINER_GROUP_ID, ann.PHASE_SECONDS})
"""Annotations the agent writes itself: a change to them is not a user's update."""


def refusal_phase(pod: RawObject) -> PodPhase:
    """Pending, unless the Pod says it must never be restarted (then Failed)."""
    policy = (pod.get("spec") or {}).get("restartPolicy") or "Always"
    return PodPhase.FAILED if policy == "Never" else PodPhase.PENDING


def update_fingerprint(pod: RawObject) -> str:
    """A digest of what a user changes to fix a refused Pod: spec and annotations."""
    annotations = {
        k: v
        for k, v in ((pod.get("metadata") or {}).get("annotations") or {}).items()
        if k not in _OWN_ANNOTATIONS
    }
    text = json.dumps([pod.get("spec") or {}, annotations], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def already_reported(pod: RawObject, *, reason: str, message: str) -> bool:
    """True when the Pod's status already shows exactly this refusal."""
    status = pod.get("status") or {}
    return (
        status.get("reason") == reason
        and status.get("message") == message
        and status.get("phase") == refusal_phase(pod)
    )


def clear_refusal(status: dict[str, Any], current: RawObject) -> None:
    """Drop an earlier refusal's reason/message from `status` (a merge patch: None deletes)."""
    if current.get("reason") == PROVIDER_FAILED and "reason" not in status:
        status["reason"] = None
        status["message"] = None
