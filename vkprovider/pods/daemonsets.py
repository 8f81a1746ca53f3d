"""DaemonSet Pods on the virtual node: refused with a clear status, never run.

A DaemonSet runs one Pod per node for per-host agents (log shippers, node
exporters); ECI has no host for them. Failing the Pod would make the
DaemonSet controller delete and recreate it in a loop, so the Pod stays
Pending with reason `DaemonSetNotSupported` (what `kubectl get pods` shows as
its status), a Ready=False condition saying why, and a Warning event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vkprovider.clocks import kube_time
from vkprovider.types import RawObject

DAEMONSET_REASON = "DaemonSetNotSupported"
DAEMONSET_MESSAGE = (
    "DaemonSet Pods are not run on the ECI virtual node (there is no host to run a "
    "per-node agent on); add a nodeAffinity excluding type=virtual-kubelet"
)


def is_daemonset_pod(pod: RawObject) -> bool:
    owners = (pod.get("metadata") or {}).get("ownerReferences") or []
    return any(o.get("kind") == "DaemonSet" for o in owners)


def daemonset_status(*, now: datetime) -> dict[str, Any]:
    stamp = kube_time(now)
    return {
        "phase": "Pending",
        "reason": DAEMONSET_REASON,
        "message": DAEMONSET_MESSAGE,
        "conditions": [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": stamp},
            {
                "type": "Ready",
                "status": "False",
                "reason": DAEMONSET_REASON,
                "message": DAEMONSET_MESSAGE,
                "lastTransitionTime": stamp,
            },
        ],
    }
