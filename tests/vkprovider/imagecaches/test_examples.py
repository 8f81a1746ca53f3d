"""The shipped examples are what the product document says: valid specs, annotations where
they take effect (pod templates), Pods that reach the virtual node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from vkprovider.imagecaches.specs import parse_spec

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EXPLICIT = ("k8s.aliyun.com/eci-image-snapshot-id", "k8s.aliyun.com/eci-imc-id")
AUTO = ("k8s.aliyun.com/eci-image-cache", "k8s.aliyun.com/eci-auto-imc")


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            found.append((path.name, doc))
    return found


def of_kind(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(name, doc) for name, doc in documents() if doc["kind"] == kind]


def test_the_seed_full_parameter_cache_is_shipped() -> None:
    ((_, sample),) = [(n, d) for n, d in of_kind("ImageCache") if n == "imagecache-sample.yaml"]
    spec = parse_spec(sample["spec"], annotations=sample["metadata"]["annotations"])
    assert spec.images == ("centos:latest", "busybox:latest")
    assert (spec.size_gib, spec.retention_days, spec.auto_match) == (25, 7, True)
    assert [str(ref) for ref in spec.pull_secrets] == [
        "default/secret1",
        "default/secret2",
        "kube-system/secret3",
    ]


@pytest.mark.parametrize(("name", "doc"), of_kind("ImageCache"))
def test_every_example_cache_passes_the_controller_checks(name: str, doc: dict[str, Any]) -> None:
    assert doc["apiVersion"] == "eci.alibabacloud.com/v1"
    parse_spec(doc["spec"], annotations=doc["metadata"].get("annotations") or {})


def test_private_example_names_a_docker_config_secret_it_ships() -> None:
    kinds = dict(of_kind("Secret"))
    secret = kinds["imagecache-private-registry.yaml"]
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    ((_, cache),) = [
        (n, d) for n, d in of_kind("ImageCache") if n == "imagecache-private-registry.yaml"
    ]
    meta = secret["metadata"]
    assert cache["spec"]["imagePullSecrets"] == [f"{meta['namespace']}:{meta['name']}"]


def _reaches_virtual_node(pod_spec: dict[str, Any]) -> bool:
    if pod_spec.get("nodeName") == "virtual-kubelet":
        return True
    tolerated = any(
        t.get("key") == "virtual-kubelet.io/provider" and t.get("effect") == "NoSchedule"
        for t in pod_spec.get("tolerations") or []
    )
    return tolerated and pod_spec.get("nodeSelector") == {"type": "virtual-kubelet"}


def test_pods_and_deployments_use_both_annotation_styles_on_the_pod() -> None:
    styles = set()
    templates = [(n, d["metadata"], d["spec"]) for n, d in of_kind("Pod")]
    for name, deployment in of_kind("Deployment"):
        assert not set(deployment["metadata"].get("annotations") or {}) & {*EXPLICIT, *AUTO}, name
        template = deployment["spec"]["template"]
        templates.append((name, template["metadata"], template["spec"]))
    for name, meta, spec in templates:
        annotations = meta.get("annotations") or {}
        if set(annotations) & set(EXPLICIT):
            styles.add(("explicit", name.split("-")[0]))
        if any(annotations.get(key) == "true" for key in AUTO):
            styles.add(("auto", name.split("-")[0]))
        assert _reaches_virtual_node(spec), name
        assert all(c.get("imagePullPolicy") == "IfNotPresent" for c in spec["containers"]), name
    assert styles == {
        ("explicit", "pod"),
        ("auto", "pod"),
        ("explicit", "deployment"),
        ("auto", "deployment"),
    }
