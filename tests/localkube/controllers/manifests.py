"""Manifests and a kubectl runner for the controller tests.

Workloads reach the agent's node the way the examples do: `nodeSelector: type:
virtual-kubelet` and a toleration of its taint, no `nodeName`, so the scheduler places them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from kubernetes_asyncio import client

from tests.localkube.conftest import call

KUBECTL_TIMEOUT = 90.0
NODE_SELECTOR = {"type": "virtual-kubelet"}
TOLERATION = {
    "key": "virtual-kubelet.io/provider",
    "operator": "Equal",
    "value": "alibabacloud",
    "effect": "NoSchedule",
}


async def kubectl(kubeconfig: Path, *args: str) -> tuple[int, str, str]:
    cache = kubeconfig.parent / "kubectl-cache"
    process = await asyncio.create_subprocess_exec(
        "kubectl",
        f"--kubeconfig={kubeconfig}",
        f"--cache-dir={cache}",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), KUBECTL_TIMEOUT)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def write(path: Path, manifest: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(manifest))
    return path


def pod_spec(
    *, image: str, env: dict[str, str] | None = None, restart_policy: str = "Always"
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "main", "image": image, "imagePullPolicy": "IfNotPresent"}
    if env:
        container["env"] = [{"name": k, "value": v} for k, v in env.items()]
    return {
        "restartPolicy": restart_policy,
        "nodeSelector": NODE_SELECTOR,
        "tolerations": [TOLERATION],
        "containers": [container],
    }


def deployment(name: str, namespace: str, *, image: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": pod_spec(image=image),
            },
        },
    }


def job_spec(
    *, env: dict[str, str], completions: int = 1, parallelism: int = 1, backoff_limit: int = 6
) -> dict[str, Any]:
    return {
        "completions": completions,
        "parallelism": parallelism,
        "backoffLimit": backoff_limit,
        "template": {"spec": pod_spec(image="busybox:1.37", env=env, restart_policy="Never")},
    }


def job(name: str, namespace: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace},
        "spec": job_spec(**spec),
    }


async def get(api: client.ApiClient, path: str) -> Any:
    reply = await call(api, "GET", path)
    assert reply.status == 200, reply.body
    return reply.body


def condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for found in (obj.get("status") or {}).get("conditions") or []:
        if found.get("type") == kind:
            return dict(found)
    return None
