"""kube-scheduler's filters and words: which node a Pod fits and why the others do not."""

from __future__ import annotations

from typing import Any

import pytest

from localkube.controllers.fitting import Verdict, check, failure_message, quantity

TAINT = {"key": "virtual-kubelet.io/provider", "value": "alibabacloud", "effect": "NoSchedule"}
TOLERATION = {"key": "virtual-kubelet.io/provider", "operator": "Exists", "effect": "NoSchedule"}


def node(
    *,
    labels: dict[str, str] | None = None,
    taints: list[dict[str, str]] | None = None,
    ready: str | None = "True",
    allocatable: dict[str, str] | None = None,
    unschedulable: bool = False,
) -> dict[str, Any]:
    conditions = [] if ready is None else [{"type": "Ready", "status": ready}]
    return {
        "metadata": {"name": "vk", "labels": labels or {"type": "virtual-kubelet"}},
        "spec": {"taints": taints or [], "unschedulable": unschedulable},
        "status": {
            "conditions": conditions,
            "allocatable": allocatable or {"cpu": "2", "memory": "4Gi", "pods": "110"},
        },
    }


def pod(
    *,
    requests: dict[str, str] | None = None,
    selector: dict[str, str] | None = None,
    tolerations: list[dict[str, str]] | None = None,
    affinity: Any = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [{"name": "c", "resources": {"requests": requests or {}}}],
        "tolerations": tolerations or [],
    }
    if selector:
        spec["nodeSelector"] = selector
    if affinity:
        spec["affinity"] = affinity
    return {"metadata": {"name": "p"}, "spec": spec}


@pytest.mark.parametrize(
    ("text", "value"),
    [("200m", "0.2"), ("100Mi", str(100 * 2**20)), ("2", "2"), ("1e3", "1000"), ("20k", "20000")],
)
def test_quantities(text: str, value: str) -> None:
    assert str(quantity(text).normalize()) == str(quantity(value).normalize())


def test_a_fitting_pod_fits() -> None:
    fits = check(
        pod(selector={"type": "virtual-kubelet"}, tolerations=[TOLERATION]),
        node(taints=[TAINT]),
        [],
    )
    assert fits.fits


def test_each_filter_says_why_in_kube_schedulers_words() -> None:
    tainted = node(taints=[TAINT])
    assert check(pod(), tainted, []).reasons == (
        "node(s) had untolerated taint {virtual-kubelet.io/provider: alibabacloud}",
    )
    assert check(pod(selector={"type": "other"}), node(), []).reasons == (
        "node(s) didn't match Pod's node affinity/selector",
    )
    assert check(pod(), node(unschedulable=True), []).reasons == ("node(s) were unschedulable",)
    assert check(pod(), node(ready="False"), []).reasons == (
        "node(s) had untolerated taint {node.kubernetes.io/not-ready: }",
    )
    assert check(pod(), node(ready="Unknown"), []).reasons == (
        "node(s) had untolerated taint {node.kubernetes.io/unreachable: }",
    )


def test_required_node_affinity_terms_are_ored() -> None:
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
                    {"matchExpressions": [{"key": "type", "operator": "Exists"}]},
                ]
            }
        }
    }
    assert check(pod(affinity=affinity), node(), []).fits
    affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ].pop()
    assert not check(pod(affinity=affinity), node(), []).fits


def test_requests_count_against_allocatable_minus_bound_pods() -> None:
    small = node(allocatable={"cpu": "1", "memory": "1Gi", "pods": "2"})
    bound = [pod(requests={"cpu": "600m", "memory": "512Mi"})]
    assert check(pod(requests={"cpu": "400m"}), small, bound).fits
    assert check(pod(requests={"cpu": "500m", "memory": "600Mi"}), small, bound).reasons == (
        "Insufficient cpu",
        "Insufficient memory",
    )
    assert check(pod(), small, [pod(), pod()]).reasons == ("Too many pods",)


def test_failure_message_is_kube_schedulers_fit_error() -> None:
    taint = Verdict(("node(s) had untolerated taint {virtual-kubelet.io/provider: alibabacloud}",))
    cpu = Verdict(("Insufficient cpu",), resolvable=True)
    assert failure_message([taint]) == (
        "0/1 nodes are available: 1 node(s) had untolerated taint "
        "{virtual-kubelet.io/provider: alibabacloud}. preemption: 0/1 nodes are available: "
        "1 Preemption is not helpful for scheduling."
    )
    assert failure_message([taint, cpu, cpu]) == (
        "0/3 nodes are available: 1 node(s) had untolerated taint "
        "{virtual-kubelet.io/provider: alibabacloud}, 2 Insufficient cpu. preemption: 0/3 nodes "
        "are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims "
        "found for incoming pod."
    )
    assert failure_message([]) == "no nodes available to schedule pods"
