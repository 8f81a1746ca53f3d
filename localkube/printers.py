"""kubectl's columns for built-in kinds, computed server-side as kube-apiserver's printers do.

`kubectl get` prints whatever Table the server returns, so Pods, Nodes, Namespaces and Events
get the columns people know (READY, STATUS, RESTARTS, AGE; LAST SEEN, TYPE, REASON, ...).
Status words follow kube's pod printer: a waiting or terminated container's reason wins
over the phase, init containers show `Init:x/y`, a deleting pod is `Terminating`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from localkube.objects import parse_rfc3339
from localkube.shapes import JsonObject

NAME_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
AGE_DESCRIPTION = (
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC."
)


def human_duration(seconds: float) -> str:
    """kube's `duration.HumanDuration`: 45s, 5m10s, 3h, 2d4h, 1y30d."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    total = int(seconds)
    if total < 120:
        return f"{total}s"
    minutes = total // 60
    if minutes < 10:
        rest = total % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = total // 3600
    if hours < 8:
        rest_minutes = (total % 3600) // 60
        return f"{hours}h{rest_minutes}m" if rest_minutes else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest_hours = hours % 24
        return f"{hours // 24}d{rest_hours}h" if rest_hours else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y{days}d" if days else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def age(timestamp: Any) -> str:
    if not isinstance(timestamp, str):
        return "<unknown>"
    try:
        created = parse_rfc3339(timestamp)
    except ValueError:
        return "<unknown>"
    return human_duration((datetime.now(UTC) - created).total_seconds())


def column(
    name: str, kind: str, description: str, *, priority: int = 0, fmt: str = ""
) -> JsonObject:
    return {
        "name": name,
        "type": kind,
        "format": fmt,
        "description": description,
        "priority": priority,
    }


def _terminated_word(terminated: JsonObject, *, prefix: str = "") -> str:
    if terminated.get("reason"):
        return prefix + str(terminated["reason"])
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def _init_status(pod: JsonObject) -> str | None:
    """`Init:...` while init containers have not all succeeded, else None."""
    spec = pod.get("spec") or {}
    statuses = (pod.get("status") or {}).get("initContainerStatuses") or []
    for index, container in enumerate(statuses):
        state = container.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting") or {}
        if terminated is not None and int(terminated.get("exitCode", 0)) == 0:
            continue
        if terminated is not None:
            return _terminated_word(terminated, prefix="Init:")
        if waiting.get("reason") and waiting["reason"] != "PodInitializing":
            return f"Init:{waiting['reason']}"
        return f"Init:{index}/{len(spec.get('initContainers') or [])}"
    return None


def _restarts(statuses: list[JsonObject]) -> str:
    count = sum(int(s.get("restartCount", 0)) for s in statuses)
    finished = [
        ((s.get("lastState") or {}).get("terminated") or {}).get("finishedAt") for s in statuses
    ]
    latest = max((f for f in finished if isinstance(f, str)), default=None)
    if count and latest:
        return f"{count} ({age(latest)} ago)"
    return str(count)


def pod_status_word(pod: JsonObject) -> str:
    """The STATUS column of `kubectl get pods`, by kube's pod printer rules."""
    status = pod.get("status") or {}
    reason = str(status.get("reason") or status.get("phase") or "")
    init = _init_status(pod)
    if init is not None:
        reason = init
    else:
        running = False
        for container in reversed(status.get("containerStatuses") or []):
            state = container.get("state") or {}
            waiting = state.get("waiting") or {}
            terminated = state.get("terminated")
            if waiting.get("reason"):
                reason = str(waiting["reason"])
            elif terminated is not None:
                reason = _terminated_word(terminated)
            elif container.get("ready") and state.get("running") is not None:
                running = True
        if reason == "Completed" and running:
            conditions = status.get("conditions") or []
            ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
            reason = "Running" if ready else "NotReady"
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return reason


def _pod_cells(pod: JsonObject) -> list[Any]:
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    ready = sum(
        1 for s in statuses if s.get("ready") and (s.get("state") or {}).get("running") is not None
    )
    return [
        pod["metadata"]["name"],
        f"{ready}/{len(spec.get('containers') or [])}",
        pod_status_word(pod),
        _restarts([*statuses, *(status.get("initContainerStatuses") or [])]),
        age(pod["metadata"].get("creationTimestamp")),
        status.get("podIP") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        "<none>",
    ]


def _event_cells(event: JsonObject) -> list[Any]:
    """Both shapes: core/v1 fields, or the events.k8s.io/v1 names of the same fields."""
    involved = event.get("involvedObject") or event.get("regarding") or {}
    source = event.get("source") or event.get("deprecatedSource") or {}
    last = event.get("lastTimestamp") or event.get("deprecatedLastTimestamp")
    first = event.get("firstTimestamp") or event.get("deprecatedFirstTimestamp")
    last = last or event.get("eventTime")
    first = first or event.get("eventTime")
    created = event["metadata"].get("creationTimestamp")
    reporter = event.get("reportingComponent") or event.get("reportingController") or ""
    source_text = ", ".join(str(v) for v in (source.get("component"), source.get("host")) if v)
    message = event.get("message") or event.get("note") or ""
    count = event.get("count") or event.get("deprecatedCount") or 1
    return [
        age(last or created),
        event.get("type", ""),
        event.get("reason", ""),
        f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
        involved.get("fieldPath", ""),
        source_text or reporter,
        str(message).strip(),
        age(first or created),
        count,
        event["metadata"]["name"],
    ]


def _node_cells(node: JsonObject) -> list[Any]:
    conditions = (node.get("status") or {}).get("conditions") or []
    ready = next((c for c in conditions if c.get("type") == "Ready"), None)
    status = (
        "Unknown" if ready is None else ("Ready" if ready.get("status") == "True" else "NotReady")
    )
    if (node.get("spec") or {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    labels = node["metadata"].get("labels") or {}
    roles = sorted(
        {k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/")}
        | ({labels["kubernetes.io/role"]} if "kubernetes.io/role" in labels else set())
    )
    info = (node.get("status") or {}).get("nodeInfo") or {}
    return [
        node["metadata"]["name"],
        status,
        ",".join(roles) or "<none>",
        age(node["metadata"].get("creationTimestamp")),
        info.get("kubeletVersion", ""),
        _address(node, "InternalIP"),
        _address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def _address(node: JsonObject, kind: str) -> str:
    addresses = (node.get("status") or {}).get("addresses") or []
    return next((str(a["address"]) for a in addresses if a.get("type") == kind), "<none>")


Builder = tuple[list[JsonObject], Callable[[JsonObject], list[Any]]]

BUILTIN_TABLES: dict[tuple[str, str], Builder] = {
    ("", "pods"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column(
                "Ready",
                "string",
                "The aggregate readiness state of this pod for accepting traffic.",
            ),
            column("Status", "string", "The aggregate status of the containers in this pod."),
            column(
                "Restarts",
                "string",
                "The number of times the containers in this pod have been restarted and when "
                "the last container in this pod has restarted.",
            ),
            column("Age", "string", AGE_DESCRIPTION),
            column(
                "IP",
                "string",
                "IP address allocated to the pod. Routable at least within the cluster. "
                "Empty if not yet allocated.",
                priority=1,
            ),
            column(
                "Node",
                "string",
                "NodeName is a request to schedule this pod onto a specific node.",
                priority=1,
            ),
            column(
                "Nominated Node",
                "string",
                "nominatedNodeName is set only when this pod preempts other pods on the node.",
                priority=1,
            ),
            column(
                "Readiness Gates",
                "string",
                "If specified, all readiness gates will be evaluated for pod readiness.",
                priority=1,
            ),
        ],
        _pod_cells,
    ),
    ("", "nodes"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Status", "string", "The status of the node"),
            column("Roles", "string", "The roles of the node"),
            column("Age", "string", AGE_DESCRIPTION),
            column("Version", "string", "Kubelet Version reported by the node."),
            column("Internal-IP", "string", "List of internal IPs of the node.", priority=1),
            column("External-IP", "string", "List of external IPs of the node.", priority=1),
            column("OS-Image", "string", "OS image reported by the node.", priority=1),
            column("Kernel-Version", "string", "Kernel version of the node.", priority=1),
            column("Container-Runtime", "string", "Container runtime of the node.", priority=1),
        ],
        _node_cells,
    ),
    ("", "events"): (
        [
            column("Last Seen", "string", "Time since the most recent occurrence of this event"),
            column("Type", "string", "Type of this event (Normal, Warning)"),
            column("Reason", "string", "Why the action was taken, in UpperCamelCase"),
            column("Object", "string", "The object this event is about"),
            column("Subobject", "string", "The part of the object, if any", priority=1),
            column("Source", "string", "The component reporting this event", priority=1),
            column("Message", "string", "A human-readable description of the status"),
            column("First Seen", "string", "Time since the first occurrence", priority=1),
            column("Count", "string", "The number of times this event has occurred", priority=1),
            column("Name", "string", NAME_DESCRIPTION, priority=1, fmt="name"),
        ],
        _event_cells,
    ),
    ("", "namespaces"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Status", "string", "The status of the namespace"),
            column("Age", "string", AGE_DESCRIPTION),
        ],
        lambda ns: [
            ns["metadata"]["name"],
            (ns.get("status") or {}).get("phase", ""),
            age(ns["metadata"].get("creationTimestamp")),
        ],
    ),
}
