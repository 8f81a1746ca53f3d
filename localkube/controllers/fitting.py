"""Does a Pod fit a Node? kube-scheduler's default filters that matter here, in its order.

NodeUnschedulable, TaintToleration, NodeAffinity (nodeSelector and required node affinity)
and NodeResourcesFit (requests against allocatable minus what the Pods already bound there
request, and the Pod count), each failing with kube-scheduler's reason text so the
`FailedScheduling` message reads as on a real cluster. A Node whose Ready condition is not
True counts as carrying the `not-ready`/`unreachable` NoSchedule taint the node lifecycle
controller would put on it. Pure functions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from localkube.matching import condition
from localkube.shapes import JsonObject

UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL = {"n": "1e-9", "u": "1e-6", "m": "1e-3", "": "1", "k": "1e3", "M": "1e6", "G": "1e9"}
DECIMAL |= {"T": "1e12", "P": "1e15", "E": "1e18"}
QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[a-zA-Z]*)$")


def quantity(value: Any) -> Decimal:
    """A resource quantity (`200m`, `100Mi`, `2`, `1e3`) as a number of base units."""
    text = str(value).strip()
    found = QUANTITY.match(text)
    if not found:
        raise ValueError(f"quantities must match the regular expression: {text!r}")
    number, suffix = Decimal(found.group(1)), found.group(2)
    if suffix in BINARY:
        return number * BINARY[suffix]
    if suffix in DECIMAL:
        return number * Decimal(DECIMAL[suffix])
    if suffix[:1] in ("e", "E"):
        return number * (Decimal(10) ** int(suffix[1:]))
    raise ValueError(f"unknown quantity suffix {suffix!r} in {text!r}")


def pod_requests(pod: JsonObject) -> dict[str, Decimal]:
    """Effective requests: the larger of the containers' sum and any init container's, plus
    overhead (kube's resource.PodRequests)."""
    spec = pod.get("spec") or {}
    total: dict[str, Decimal] = {}
    for container in spec.get("containers") or []:
        for name, value in ((container.get("resources") or {}).get("requests") or {}).items():
            total[name] = total.get(name, Decimal(0)) + quantity(value)
    for container in spec.get("initContainers") or []:
        for name, value in ((container.get("resources") or {}).get("requests") or {}).items():
            total[name] = max(total.get(name, Decimal(0)), quantity(value))
    for name, value in (spec.get("overhead") or {}).items():
        total[name] = total.get(name, Decimal(0)) + quantity(value)
    return total


def _effective_taints(node: JsonObject) -> list[JsonObject]:
    taints = [dict(t) for t in (node.get("spec") or {}).get("taints") or []]
    keys = {t.get("key") for t in taints}
    ready = condition(node, "Ready")
    implied = None
    if ready is None or ready.get("status") == "False":
        implied = NOT_READY_TAINT
    elif ready.get("status") != "True":
        implied = UNREACHABLE_TAINT
    if implied and implied not in keys:
        taints.append({"key": implied, "effect": "NoSchedule"})
    return taints


def tolerates(toleration: JsonObject, taint: JsonObject) -> bool:
    """kube's Toleration.ToleratesTaint."""
    effect = toleration.get("effect")
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key")
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    return operator == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def _untolerated(pod: JsonObject, node: JsonObject) -> JsonObject | None:
    tolerations = [t for t in (pod.get("spec") or {}).get("tolerations") or [] if t]
    for taint in _effective_taints(node):
        if taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if not any(tolerates(t, taint) for t in tolerations):
            return taint
    return None


def _expression_matches(expression: JsonObject, values: dict[str, str]) -> bool:
    key = str(expression.get("key", ""))
    operator = expression.get("operator")
    wanted = [str(v) for v in expression.get("values") or []]
    if operator == "In":
        return key in values and values[key] in wanted
    if operator == "NotIn":
        return key not in values or values[key] not in wanted
    if operator == "Exists":
        return key in values
    if operator == "DoesNotExist":
        return key not in values
    if operator in ("Gt", "Lt") and key in values and len(wanted) == 1:
        try:
            have, limit = int(values[key]), int(wanted[0])
        except ValueError:
            return False
        return have > limit if operator == "Gt" else have < limit
    return False


def _term_matches(term: JsonObject, node: JsonObject) -> bool:
    labels = dict(node["metadata"].get("labels") or {})
    fields = {"metadata.name": str(node["metadata"]["name"])}
    expressions = term.get("matchExpressions") or []
    field_expressions = term.get("matchFields") or []
    if not expressions and not field_expressions:
        return False
    return all(_expression_matches(e, labels) for e in expressions) and all(
        _expression_matches(e, fields) for e in field_expressions
    )


def _affinity_matches(pod: JsonObject, node: JsonObject) -> bool:
    spec = pod.get("spec") or {}
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    terms = required.get("nodeSelectorTerms")
    if terms is None:
        return True
    return any(_term_matches(t, node) for t in terms)


@dataclass(frozen=True)
class Verdict:
    """Why a node does not fit (empty: it fits); `resolvable` by preemption or not."""

    reasons: tuple[str, ...] = ()
    resolvable: bool = False

    @property
    def fits(self) -> bool:
        return not self.reasons


def _resources_verdict(pod: JsonObject, node: JsonObject, bound: list[JsonObject]) -> Verdict:
    allocatable = {
        k: quantity(v) for k, v in ((node.get("status") or {}).get("allocatable") or {}).items()
    }
    reasons = []
    if len(bound) + 1 > allocatable.get("pods", Decimal(0)):
        reasons.append("Too many pods")
    used: dict[str, Decimal] = {}
    for other in bound:
        for name, amount in pod_requests(other).items():
            used[name] = used.get(name, Decimal(0)) + amount
    for name, amount in sorted(pod_requests(pod).items()):
        if amount == 0:
            continue
        if amount > allocatable.get(name, Decimal(0)) - used.get(name, Decimal(0)):
            reasons.append(f"Insufficient {name}")
    return Verdict(tuple(reasons), resolvable=True)


def check(pod: JsonObject, node: JsonObject, bound: list[JsonObject]) -> Verdict:
    """The first filter the node fails, as kube-scheduler runs them, or a fit."""
    if (node.get("spec") or {}).get("unschedulable"):
        taint = {"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule"}
        tolerations = (pod.get("spec") or {}).get("tolerations") or []
        if not any(tolerates(t, taint) for t in tolerations):
            return Verdict(("node(s) were unschedulable",))
    untolerated = _untolerated(pod, node)
    if untolerated is not None:
        value = untolerated.get("value") or ""
        return Verdict((f"node(s) had untolerated taint {{{untolerated.get('key')}: {value}}}",))
    if not _affinity_matches(pod, node):
        return Verdict(("node(s) didn't match Pod's node affinity/selector",))
    return _resources_verdict(pod, node, bound)


def failure_message(verdicts: list[Verdict]) -> str:
    """kube-scheduler's FitError text for a Pod no node fits."""
    total = len(verdicts)
    if total == 0:
        return "no nodes available to schedule pods"
    histogram = Counter(reason for v in verdicts for reason in v.reasons)
    reasons = sorted(f"{count} {reason}" for reason, count in histogram.items())
    message = f"0/{total} nodes are available: {', '.join(reasons)}."
    preemption = Counter(
        "No preemption victims found for incoming pod"
        if v.resolvable
        else "Preemption is not helpful for scheduling"
        for v in verdicts
    )
    helpful = sorted(f"{count} {reason}" for reason, count in preemption.items())
    return message + f" preemption: 0/{total} nodes are available: {', '.join(helpful)}."
