"""CustomResourceDefinitions: what creating one does to the set of served resources.

A CRD is stored like any object; in addition its served versions become `ResourceType`s in
the registry (discovery, routes, tables) and its status gets what kube's controllers write
within milliseconds: `acceptedNames`, `storedVersions` and the `NamesAccepted` and
`Established` conditions. The server establishes synchronously, so a client that waits for
`Established` (as it must against a real cluster) finds it at once.
"""

from __future__ import annotations

import copy
from typing import Any

from localkube.errors import Cause, invalid
from localkube.objects import now_rfc3339
from localkube.resources import ResourceType, Scope
from localkube.shapes import JsonObject

CRD_GROUP = "apiextensions.k8s.io"


def apply_defaults(crd: JsonObject) -> JsonObject:
    result = copy.deepcopy(crd)
    spec: JsonObject = result.setdefault("spec", {})
    names: JsonObject = spec.setdefault("names", {})
    kind = names.get("kind", "")
    names.setdefault("singular", kind.lower())
    names.setdefault("listKind", f"{kind}List")
    spec.setdefault("conversion", {"strategy": "None"})
    return result


def check(crd: JsonObject) -> None:
    """422 for the mistakes kube's CRD validation catches that matter to us."""
    spec: JsonObject = crd.get("spec") or {}
    names: JsonObject = spec.get("names") or {}
    name = crd["metadata"]["name"]
    causes: list[Cause] = []
    for field, value in (
        ("spec.group", spec.get("group")),
        ("spec.names.plural", names.get("plural")),
        ("spec.names.kind", names.get("kind")),
        ("spec.scope", spec.get("scope")),
    ):
        if not value:
            causes.append(Cause("FieldValueRequired", "Required value", field))
    if spec.get("scope") and spec["scope"] not in ("Cluster", "Namespaced"):
        causes.append(
            Cause(
                "FieldValueNotSupported",
                f'Unsupported value: "{spec["scope"]}": supported values: "Cluster", "Namespaced"',
                "spec.scope",
            )
        )
    expected = f"{names.get('plural')}.{spec.get('group')}"
    if names.get("plural") and spec.get("group") and name != expected:
        causes.append(
            Cause(
                "FieldValueInvalid",
                f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group',
                "metadata.name",
            )
        )
    versions = spec.get("versions") or []
    if not versions:
        causes.append(
            Cause(
                "FieldValueInvalid",
                "Invalid value: null: must have exactly one version marked as storage version",
                "spec.versions",
            )
        )
    elif sum(1 for v in versions if v.get("storage")) != 1:
        causes.append(
            Cause(
                "FieldValueInvalid",
                f"Invalid value: {len(versions)}: must have exactly one version marked as "
                "storage version",
                "spec.versions",
            )
        )
    if causes:
        raise invalid(kind="CustomResourceDefinition", group=CRD_GROUP, name=name, causes=causes)


def established_status(crd: JsonObject, *, previous: JsonObject | None) -> JsonObject:
    spec: JsonObject = crd["spec"]
    now = now_rfc3339()
    old_conditions = {
        c.get("type"): c for c in ((previous or {}).get("status") or {}).get("conditions") or []
    }

    def condition(kind: str, reason: str, message: str) -> JsonObject:
        since = old_conditions.get(kind, {}).get("lastTransitionTime", now)
        return {
            "type": kind,
            "status": "True",
            "lastTransitionTime": since,
            "reason": reason,
            "message": message,
        }

    names = {k: v for k, v in spec["names"].items() if k != "categories" or v}
    stored = [v["name"] for v in spec.get("versions") or [] if v.get("storage")]
    old_stored = ((previous or {}).get("status") or {}).get("storedVersions") or []
    return {
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition(
                "Established", "InitialNamesAccepted", "the initial names have been accepted"
            ),
        ],
        "acceptedNames": names,
        "storedVersions": list(dict.fromkeys([*old_stored, *stored])),
    }


def served_resources(crd: JsonObject) -> list[ResourceType]:
    spec: JsonObject = crd["spec"]
    names: JsonObject = spec["names"]
    resources: list[ResourceType] = []
    for version in spec.get("versions") or []:
        if not version.get("served"):
            continue
        subresources: dict[str, Any] = version.get("subresources") or {}
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        resources.append(
            ResourceType(
                group=spec["group"],
                version=version["name"],
                plural=names["plural"],
                singular=names.get("singular") or names["kind"].lower(),
                kind=names["kind"],
                scope=Scope(spec["scope"]),
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                has_status="status" in subresources,
                tracks_generation=True,
                schema=schema,
                printer_columns=tuple(version.get("additionalPrinterColumns") or ()),
                is_custom=True,
            )
        )
    return resources
