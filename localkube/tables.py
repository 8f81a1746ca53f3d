"""`Table` responses (meta.k8s.io/v1) for `kubectl get`: printer columns, server-side.

kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` and prints whatever columns
the server chose. Custom resources get `Name` plus their additionalPrinterColumns (dates
rendered as ages, as apiextensions-apiserver does); Pods, Nodes and Namespaces get kubectl's
familiar columns; everything else gets Name and Age.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from localkube.objects import parse_rfc3339
from localkube.resources import ResourceType
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


def _column(
    name: str, kind: str, description: str, *, priority: int = 0, fmt: str = ""
) -> JsonObject:
    return {
        "name": name,
        "type": kind,
        "format": fmt,
        "description": description,
        "priority": priority,
    }


def json_path(obj: Any, path: str) -> Any:
    """The simple `.a.b[0].c` JSONPath subset printer columns use."""
    current = obj
    for part in path.strip().lstrip("{").rstrip("}").lstrip(".").replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("[") and part.endswith("]"):
            index = part[1:-1]
            if isinstance(current, list) and index.lstrip("-").isdigit():
                position = int(index)
                current = current[position] if -len(current) <= position < len(current) else None
            else:
                return None
        elif isinstance(current, dict):
            current = current.get(part)
        else:
            return None
        if current is None:
            return None
    return current


def _custom_cell(column: JsonObject, obj: JsonObject) -> Any:
    value = json_path(obj, str(column.get("jsonPath", "")))
    if value is None:
        return None
    kind = column.get("type")
    if kind == "date":
        return age(value)
    if kind == "integer" and isinstance(value, int | float):
        return int(value)
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, separators=(",", ":"))
    return value


def _pod_cells(pod: JsonObject) -> list[Any]:
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(int(s.get("restartCount", 0)) for s in statuses)
    reason = status.get("reason") or status.get("phase") or "Unknown"
    for container in statuses:
        state = container.get("state") or {}
        waiting = (state.get("waiting") or {}).get("reason")
        terminated = state.get("terminated") or {}
        if waiting:
            reason = waiting
        elif terminated.get("reason"):
            reason = terminated["reason"]
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    return [
        pod["metadata"]["name"],
        f"{ready}/{len(spec.get('containers') or [])}",
        reason,
        restarts,
        age(pod["metadata"].get("creationTimestamp")),
        status.get("podIP") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        "<none>",
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
    ]


Builder = tuple[list[JsonObject], Callable[[JsonObject], list[Any]]]

BUILTIN_TABLES: dict[tuple[str, str], Builder] = {
    ("", "pods"): (
        [
            _column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            _column(
                "Ready",
                "string",
                "The aggregate readiness state of this pod for accepting traffic.",
            ),
            _column("Status", "string", "The aggregate status of the containers in this pod."),
            _column(
                "Restarts",
                "string",
                "The number of times the containers in this pod have been restarted and when "
                "the last container in this pod has restarted.",
            ),
            _column("Age", "string", AGE_DESCRIPTION),
            _column(
                "IP",
                "string",
                "IP address allocated to the pod. Routable at least within the cluster. "
                "Empty if not yet allocated.",
                priority=1,
            ),
            _column(
                "Node",
                "string",
                "NodeName is a request to schedule this pod onto a specific node.",
                priority=1,
            ),
            _column(
                "Nominated Node",
                "string",
                "nominatedNodeName is set only when this pod preempts other pods on the node.",
                priority=1,
            ),
            _column(
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
            _column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            _column("Status", "string", "The status of the node"),
            _column("Roles", "string", "The roles of the node"),
            _column("Age", "string", AGE_DESCRIPTION),
            _column("Version", "string", "Kubelet Version reported by the node."),
        ],
        _node_cells,
    ),
    ("", "namespaces"): (
        [
            _column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            _column("Status", "string", "The status of the namespace"),
            _column("Age", "string", AGE_DESCRIPTION),
        ],
        lambda ns: [
            ns["metadata"]["name"],
            (ns.get("status") or {}).get("phase", ""),
            age(ns["metadata"].get("creationTimestamp")),
        ],
    ),
}


def _builder(resource: ResourceType) -> Builder:
    if resource.is_custom:
        extra = list(resource.printer_columns)
        if not extra:
            extra = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
        columns = [_column("Name", "string", NAME_DESCRIPTION, fmt="name")] + [
            _column(
                str(c["name"]),
                str(c.get("type", "string")),
                str(c.get("description", "")),
                priority=int(c.get("priority", 0)),
                fmt=str(c.get("format", "")),
            )
            for c in extra
        ]
        return columns, lambda obj: [
            obj["metadata"]["name"],
            *(_custom_cell(c, obj) for c in extra),
        ]
    found = BUILTIN_TABLES.get(resource.key)
    if found is not None:
        return found
    return (
        [
            _column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            _column("Age", "string", AGE_DESCRIPTION),
        ],
        lambda obj: [obj["metadata"]["name"], age(obj["metadata"].get("creationTimestamp"))],
    )


def _row_object(resource: ResourceType, obj: JsonObject, include: str) -> JsonObject | None:
    if include == "None":
        return None
    if include == "Object":
        return {**obj, "apiVersion": resource.api_version, "kind": resource.kind}
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj["metadata"],
    }


def to_table(
    resource: ResourceType, items: list[JsonObject], *, list_metadata: JsonObject, include: str
) -> JsonObject:
    columns, cells = _builder(resource)
    rows = []
    for obj in items:
        row: JsonObject = {"cells": cells(obj)}
        row_object = _row_object(resource, obj, include)
        if row_object is not None:
            row["object"] = row_object
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_metadata,
        "columnDefinitions": columns,
        "rows": rows,
    }
