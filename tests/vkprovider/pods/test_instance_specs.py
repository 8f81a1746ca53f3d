"""ECI's vCPU/memory table: what a Pod is rounded up to, and what its annotations say."""

from __future__ import annotations

from typing import Any

import pytest

from vkprovider.pods.instancespecs import (
    SELLABLE,
    NoSellableSpec,
    instance_annotations,
    smallest_spec,
    use_specs,
)
from vkprovider.pods.requests import PodSpecError, build_create_request
from vkprovider.settings import EciSettings

SETTINGS = EciSettings(endpoint="127.0.0.1:1", region_id="cn-beijing")


def _pod(resources: list[dict[str, Any]], annotations: dict[str, str] | None = None) -> Any:
    return {
        "metadata": {"name": "p", "namespace": "d", "uid": "u", "annotations": annotations or {}},
        "spec": {
            "containers": [
                {"name": f"c{i}", "image": "busybox", "resources": r}
                for i, r in enumerate(resources)
            ]
        },
    }


@pytest.mark.parametrize(
    ("cpu", "memory", "label"),
    [
        (0.25, 0.5, "0.25-0.5Gi"),  # the smallest ECI sells
        (0.1, 0.1, "0.25-0.5Gi"),
        (0.25, 0.75, "0.25-1.0Gi"),
        (0.25, 1.5, "0.5-2.0Gi"),  # 0.25 vCPU goes to 1 GiB at most
        (1.0, 1.0, "1.0-2.0Gi"),  # 1 vCPU comes with 2 GiB at least
        (2.0, 3.0, "2.0-4.0Gi"),
        (7.0, 13.0, "8.0-16.0Gi"),  # ECI's own example, all-regions table
        (1.0, 10.0, "2.0-16.0Gi"),  # too much memory for 1 vCPU
        (33.0, 64.0, "52.0-96.0Gi"),  # 52 vCPU starts at 96 GiB
        (64.0, 512.0, "64.0-512.0Gi"),  # the largest
    ],
)
def test_rounds_up_to_the_smallest_sellable_spec(cpu: float, memory: float, label: str) -> None:
    assert smallest_spec(cpu, memory).label == label


def test_every_answer_is_a_row_of_the_table() -> None:
    rows = {(c, m) for c, memories in SELLABLE for m in memories}
    for cpu in (0.1, 0.3, 0.6, 1.5, 3, 5, 9, 13, 20, 30, 40, 60):
        for memory in (0.2, 0.7, 1.5, 3, 6, 10, 20, 50, 100, 300, 500):
            spec = smallest_spec(cpu, memory)
            assert (spec.cpu, spec.memory_gib) in rows
            assert spec.cpu >= cpu
            assert spec.memory_gib >= memory


@pytest.mark.parametrize(("cpu", "memory"), [(65.0, 128.0), (64.0, 513.0)])
def test_beyond_the_largest_spec_is_refused(cpu: float, memory: float) -> None:
    with pytest.raises(NoSellableSpec, match="largest ECI spec"):
        smallest_spec(cpu, memory)


def test_a_pod_beyond_the_largest_spec_names_its_resources() -> None:
    pod = _pod([{"requests": {"cpu": "70", "memory": "8Gi"}}])
    with pytest.raises(PodSpecError, match=r"spec.containers\[\*\].resources: 70 vCPU"):
        build_create_request(pod, settings=SETTINGS, node_name="n")


def test_listed_ecs_types_may_hold_more_than_the_table() -> None:
    pod = _pod(
        [{"requests": {"cpu": "96", "memory": "384Gi"}}],
        {"k8s.aliyun.com/eci-use-specs": "ecs.c7.24xlarge"},
    )
    request = build_create_request(pod, settings=SETTINGS, node_name="n").request
    assert request.instance_type == "ecs.c7.24xlarge"
    assert request.container[0].cpu == 96.0


def test_containers_add_up_before_rounding() -> None:
    pod = _pod(
        [
            {"requests": {"cpu": "1", "memory": "1Gi"}},
            {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"cpu": "1500m"}},
        ]
    )
    request = build_create_request(pod, settings=SETTINGS, node_name="n").request
    assert (request.cpu, request.memory) == (4.0, 2.0)  # 2.5 vCPU / 1.5 GiB: 4 vCPU, 2 GiB
    assert [(c.cpu, c.memory) for c in request.container] == [(1.0, 1.0), (1.5, 0.5)]


def test_use_specs_are_passed_in_order_without_a_vcpu_memory_pair() -> None:
    pod = _pod(
        [{"requests": {"cpu": "1", "memory": "2Gi"}}],
        {"k8s.aliyun.com/eci-use-specs": "2-4Gi, ecs.c6.xlarge,0.5-1Gi"},
    )
    request = build_create_request(pod, settings=SETTINGS, node_name="n").request
    assert request.instance_type == "2-4Gi,ecs.c6.xlarge,0.5-1Gi"
    assert (request.cpu, request.memory) == (None, None)
    assert request.to_map()["InstanceType"] == "2-4Gi,ecs.c6.xlarge,0.5-1Gi"


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("2-3Gi", "'2-3Gi' is not a vCPU/memory spec ECI sells"),
        ("2c4g", "'2c4g' is neither"),
        ("", "is empty"),
        ("2-4Gi,,ecs.c6.xlarge", "'' is neither"),
    ],
)
def test_malformed_use_specs_name_the_entry(value: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        use_specs(value)
    pod = _pod([{}], {"k8s.aliyun.com/eci-use-specs": value})
    with pytest.raises(PodSpecError, match=r"metadata.annotations\[k8s.aliyun.com/eci-use-specs\]"):
        build_create_request(pod, settings=SETTINGS, node_name="n")


def test_annotations_say_the_spec_ecis_describe_reports() -> None:
    group = {"ContainerGroupId": "eci-abc", "Cpu": 2.0, "Memory": 4.0, "InstanceType": ""}
    assert instance_annotations(group) == {
        "k8s.aliyun.com/eci-instance-id": "eci-abc",
        "k8s.aliyun.com/eci-instance-spec": "2.0-4.0Gi",
    }
    quarter = {"ContainerGroupId": "eci-q", "Cpu": 0.25, "Memory": 0.5}
    assert instance_annotations(quarter)["k8s.aliyun.com/eci-instance-spec"] == "0.25-0.5Gi"
    ecs = {"ContainerGroupId": "eci-e", "Cpu": 4.0, "Memory": 8.0, "InstanceType": "ecs.c6.xlarge"}
    assert instance_annotations(ecs)["k8s.aliyun.com/eci-instance-spec"] == "ecs.c6.xlarge"
