"""Small helpers for agent tests: poll a condition with a deadline, make Pods."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from kubernetes_asyncio import client

from tests.fixtures.kube import real_cluster_kubeconfig

T = TypeVar("T")

TEST_NODE = f"vk-test-{secrets.token_hex(3)}" if real_cluster_kubeconfig() else "virtual-kubelet"
"""The agent's node name in tests: `virtual-kubelet` on the embedded server; on a real cluster
(`KUBECONFIG`) a name of this test run's own, so it never adopts a real agent's Node."""


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    *,
    deadline_seconds: float = 15.0,
    interval: float = 0.05,
    what: str = "condition",
) -> T:
    """Poll `probe` until it returns something truthy; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_seconds
    last: Any = None
    while True:
        try:
            last = await probe()
        except AssertionError as exc:
            last = exc
        except client.ApiException as exc:
            if exc.status not in (429, 500, 503):
                raise
            last = exc  # an injected API server fault hit the test's own read
        else:
            if last:
                return last  # type: ignore[no-any-return]
        if loop.time() >= deadline:
            raise AssertionError(
                f"timed out after {deadline_seconds}s waiting for {what}; last: {last!r}"
            )
        await asyncio.sleep(interval)


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
