"""Small helpers for agent tests: make and read Pods (polling lives in `tests.polling`)."""

from __future__ import annotations

import secrets
from typing import Any

from kubernetes_asyncio import client

from tests.fixtures.kube import real_cluster_kubeconfig
from tests.polling import eventually as eventually  # re-exported for the agent tests

TEST_NODE = f"vk-test-{secrets.token_hex(3)}" if real_cluster_kubeconfig() else "virtual-kubelet"
"""The agent's node name in tests: `virtual-kubelet` on the embedded server; on a real cluster
(`KUBECONFIG`) a name of this test run's own, so it never adopts a real agent's Node."""


def pod_manifest(
    name: str,
    *,
    node: str = TEST_NODE,
    image: str = "nginx:1.7.9",
    annotations: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
    restart_policy: str = "Always",
    containers: list[dict[str, Any]] | None = None,
    owner: dict[str, Any] | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "main",
        "image": image,
        "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}},
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
    }
    if env:
        container["env"] = [{"name": k, "value": v} for k, v in env.items()]
    if command:
        container["command"] = command
    metadata: dict[str, Any] = {"name": name, "annotations": annotations or {}}
    if owner:
        metadata["ownerReferences"] = [owner]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "nodeName": node,
            "restartPolicy": restart_policy,
            "containers": containers or [container],
            "tolerations": [
                {"key": "virtual-kubelet.io/provider", "operator": "Exists", "effect": "NoSchedule"}
            ],
        },
    }


async def read_pod(api: client.ApiClient, namespace: str, name: str) -> dict[str, Any]:
    core: Any = client.CoreV1Api(api)
    pod = await core.read_namespaced_pod(name, namespace)
    return dict(api.sanitize_for_serialization(pod))


async def create_pod(
    api: client.ApiClient, namespace: str, manifest: dict[str, Any]
) -> dict[str, Any]:
    core: Any = client.CoreV1Api(api)
    pod = await core.create_namespaced_pod(namespace, manifest)
    return dict(api.sanitize_for_serialization(pod))


async def pod_events(api: client.ApiClient, namespace: str, name: str) -> list[dict[str, Any]]:
    core: Any = client.CoreV1Api(api)
    events = await core.list_namespaced_event(
        namespace, field_selector=f"involvedObject.name={name}"
    )
    return [dict(api.sanitize_for_serialization(e)) for e in events.items]


def condition(pod: dict[str, Any], kind: str) -> str | None:
    for item in (pod.get("status") or {}).get("conditions") or []:
        if item.get("type") == kind:
            return str(item.get("status"))
    return None
