"""`Table` responses (meta.k8s.io/v1) for `kubectl get`: printer columns, server-side.

kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` and prints whatever columns
the server chose. Custom resources get `Name` plus their additionalPrinterColumns (dates
rendered as ages, as apiextensions-apiserver does); Pods, Nodes and Namespaces get kubectl's
familiar columns; everything else gets Name and Age.
"""

from __future__ import annotations

from typing import Any

from localkube.printers import (
    AGE_DESCRIPTION,
    BUILTIN_TABLES,
    NAME_DESCRIPTION,
    Builder,
    age,
    column,
)
from localkube.printers_config import CONFIG_TABLES
from localkube.resources import ResourceType
from localkube.shapes import JsonObject
from localkube.workloadprinters import WORKLOAD_TABLES


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


def _builder(resource: ResourceType) -> Builder:
    if resource.is_custom:
        extra = list(resource.printer_columns)
        if not extra:
            extra = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
        columns = [column("Name", "string", NAME_DESCRIPTION, fmt="name")] + [
            column(
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
    found = (
        BUILTIN_TABLES.get(resource.key)
        or WORKLOAD_TABLES.get(resource.key)
        or CONFIG_TABLES.get(resource.key)
    )
    if found is not None:
        return found
    return (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Age", "string", AGE_DESCRIPTION),
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
