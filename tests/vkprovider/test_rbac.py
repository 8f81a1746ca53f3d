"""deploy/rbac.yaml grants what the agent calls, and nothing broader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

RBAC = Path(__file__).resolve().parents[2] / "deploy" / "rbac.yaml"


def _rules() -> dict[tuple[str, str, str], set[str]]:
    granted: dict[tuple[str, str, str], set[str]] = {}
    for doc in yaml.safe_load_all(RBAC.read_text()):
        if doc["kind"] not in ("ClusterRole", "Role"):
            continue
        scope = doc["metadata"].get("namespace", "*")
        for rule in doc["rules"]:
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    granted.setdefault((scope, group, resource), set()).update(rule["verbs"])
    return granted


def test_rbac_covers_the_agent_and_the_imagecache_controller() -> None:
    rules = _rules()
    needed: dict[tuple[str, str, str], set[str]] = {
        ("*", "", "nodes"): {"get", "create", "patch"},
        ("*", "", "nodes/status"): {"patch"},
        ("*", "", "pods"): {"get", "list", "watch", "patch", "delete"},
        ("*", "", "pods/status"): {"patch"},
        ("*", "", "events"): {"create", "patch"},
        ("*", "", "secrets"): {"get"},
        ("*", "", "configmaps"): {"get"},  # env valueFrom / envFrom
        ("*", "authentication.k8s.io", "tokenreviews"): {"create"},  # kubelet API authn
        ("*", "authorization.k8s.io", "subjectaccessreviews"): {"create"},  # kubelet API authz
        ("*", "eci.alibabacloud.com", "imagecaches"): {"get", "list", "watch", "update", "patch"},
        ("*", "eci.alibabacloud.com", "imagecaches/status"): {"get", "update", "patch"},
        ("kube-node-lease", "coordination.k8s.io", "leases"): {"get", "create", "patch"},
    }
    for key, verbs in needed.items():
        assert verbs <= rules.get(key, set()), key


def test_rbac_is_least_privilege() -> None:
    rules = _rules()
    everything: list[Any] = [v for verbs in rules.values() for v in verbs]
    assert "*" not in everything
    assert all(resource != "*" for (_, _, resource) in rules)
    assert rules[("*", "", "secrets")] == {"get"}
    assert "delete" not in rules[("*", "", "nodes")]
    assert ("*", "coordination.k8s.io", "leases") not in rules
