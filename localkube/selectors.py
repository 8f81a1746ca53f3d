"""Label and field selectors, parsed once per request and matched against stored objects.

The grammar is kube's: labels take `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
`k notin (a,b)`; fields take `path=v`, `path==v`, `path!=v` over the field labels each
resource supports. An unsupported field label is a 400, as kube-apiserver answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from localkube.errors import ApiError, bad_request
from localkube.shapes import JsonObject


class Operator(StrEnum):
    EQUALS = "="
    NOT_EQUALS = "!="
    IN = "in"
    NOT_IN = "notin"
    EXISTS = "exists"
    DOES_NOT_EXIST = "!"


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: Operator
    values: frozenset[str] = frozenset()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        match self.operator:
            case Operator.EXISTS:
                return present
            case Operator.DOES_NOT_EXIST:
                return not present
            case Operator.EQUALS | Operator.IN:
                return present and value in self.values
            case Operator.NOT_EQUALS | Operator.NOT_IN:
                return not present or value not in self.values


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, obj: JsonObject) -> bool:
        labels = obj.get("metadata", {}).get("labels") or {}
        return all(r.matches(labels) for r in self.requirements)


_SET_RE = re.compile(r"^\s*([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_KEY_RE = re.compile(r"^([a-z0-9A-Z]([-a-z0-9A-Z_./]*[a-z0-9A-Z])?)$")


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p for p in (part.strip() for part in parts) if p]


def _check_key(key: str, raw: str) -> str:
    if not _KEY_RE.match(key):
        raise bad_request(f"unable to parse requirement: invalid label key {key!r} in {raw!r}")
    return key


_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _check_values(key: str, values: frozenset[str]) -> frozenset[str]:
    """Selector values must be label values, as kube's selector parser checks them."""
    for index, value in enumerate(sorted(values)):
        if len(value) > 63:
            problem = "must be no more than 63 characters"
        elif not _VALUE_RE.match(value):
            problem = (
                "a valid label must be an empty string or consist of alphanumeric characters, "
                "'-', '_' or '.', and must start and end with an alphanumeric character"
            )
        else:
            continue
        raise bad_request(
            f'unable to parse requirement: values[{index}][{key}]: Invalid value: "{value}": '
            f"{problem}"
        )
    return values


def parse_label_selector(raw: str | None) -> LabelSelector:
    if not raw:
        return LabelSelector()
    requirements: list[Requirement] = []
    for part in _split_top_level(raw):
        set_match = _SET_RE.match(part)
        if set_match:
            values = frozenset(v.strip() for v in set_match.group(3).split(",") if v.strip())
            operator = Operator.IN if set_match.group(2) == "in" else Operator.NOT_IN
            requirements.append(Requirement(_check_key(set_match.group(1), raw), operator, values))
        elif "!=" in part:
            key, value = part.split("!=", 1)
            requirements.append(
                Requirement(
                    _check_key(key.strip(), raw), Operator.NOT_EQUALS, frozenset({value.strip()})
                )
            )
        elif "=" in part:
            key, value = part.split("==", 1) if "==" in part else part.split("=", 1)
            requirements.append(
                Requirement(
                    _check_key(key.strip(), raw), Operator.EQUALS, frozenset({value.strip()})
                )
            )
        elif part.startswith("!"):
            requirements.append(
                Requirement(_check_key(part[1:].strip(), raw), Operator.DOES_NOT_EXIST)
            )
        else:
            requirements.append(Requirement(_check_key(part, raw), Operator.EXISTS))
    for requirement in requirements:
        _check_values(requirement.key, requirement.values)
    return LabelSelector(tuple(requirements))


COMMON_FIELDS = ("metadata.name", "metadata.namespace")
FIELD_LABELS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "pods"): (
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.nominatedNodeName",
    ),
    ("", "events"): (
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    ),
    ("", "nodes"): ("spec.unschedulable",),
    ("", "namespaces"): ("status.phase",),
    ("", "secrets"): ("type",),
}

METADATA_ONLY_KINDS: dict[tuple[str, str], str] = {
    ("", "configmaps"): "ConfigMap",
    ("", "serviceaccounts"): "ServiceAccount",
}
"""Kinds kube-apiserver registers the default metadata-only field label conversion for; in
1.32 its refusal lists what is supported (`"data.x" is not a known field selector: only
"metadata.name", "metadata.namespace"`), where the kinds with their own conversion (pods,
nodes, events) say `field label not supported: data.x`."""


def _unsupported_field(storage_key: tuple[str, str], path: str) -> ApiError:
    kind = METADATA_ONLY_KINDS.get(storage_key)
    if kind is not None:
        return bad_request(
            f'"{path}" is not a known field selector: only "metadata.name", "metadata.namespace"'
        )
    return bad_request(f"field label not supported: {path}")


def _field_value(obj: JsonObject, path: str) -> str:
    if path == "source":
        return str((obj.get("source") or {}).get("component", ""))
    current: Any = obj
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    if current is None:
        return ""
    if isinstance(current, bool):
        return "true" if current else "false"
    return str(current)


@dataclass(frozen=True)
class FieldRequirement:
    path: str
    value: str
    negated: bool

    def matches(self, obj: JsonObject) -> bool:
        return (_field_value(obj, self.path) == self.value) != self.negated


@dataclass(frozen=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, obj: JsonObject) -> bool:
        return all(r.matches(obj) for r in self.requirements)

    def pinned_to_name(self, name: str) -> FieldSelector:
        """This selector and `metadata.name=name` (a watch on one object's URL)."""
        return FieldSelector((*self.requirements, FieldRequirement("metadata.name", name, False)))


def parse_field_selector(
    raw: str | None, *, storage_key: tuple[str, str], aliases: dict[str, str] | None = None
) -> FieldSelector:
    """Parse `raw`; `aliases` rewrite path prefixes of a converted view onto stored fields."""
    if not raw:
        return FieldSelector()
    supported = COMMON_FIELDS + FIELD_LABELS.get(storage_key, ())
    requirements: list[FieldRequirement] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        negated = "!=" in part
        if negated:
            path, value = part.split("!=", 1)
        elif "==" in part:
            path, value = part.split("==", 1)
        elif "=" in part:
            path, value = part.split("=", 1)
        else:
            raise bad_request(f"invalid selector: '{raw}'; can't understand '{part}'")
        path = path.strip()
        for alias, stored in (aliases or {}).items():
            if path.startswith(alias):
                path = stored + path[len(alias) :]
        if path not in supported:
            raise _unsupported_field(storage_key, path)
        requirements.append(FieldRequirement(path, value.strip(), negated))
    return FieldSelector(tuple(requirements))
