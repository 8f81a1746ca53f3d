"""`kubectl set image` on a bare Pod: UpdateContainerGroup, a restart, the new image in status."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client

from tests.fixtures.kube import KubeTarget
from tests.localkube.test_kubectl import kubectl
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod


async def _running(kube_api: client.ApiClient, ns: str, name: str) -> None:
    async def running() -> bool:
        pod = await read_pod(kube_api, ns, name)
        return bool(pod["status"].get("phase") == "Running")

    await eventually(running, deadline_seconds=20, what="pod Running")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
async def test_set_image_restarts_the_container_from_the_new_image(
    agent: AgentHandle, kube_api: client.ApiClient, kube: KubeTarget, tmp_path: Path
) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("web", image="nginx:1.27"))
    await _running(kube_api, ns, "web")
    code, _, err = await kubectl(
        kube.kubeconfig, tmp_path / "cache", "set", "image", "-n", ns, "pod/web", "main=nginx:1.28"
    )
    assert code == 0, err

    async def restarted() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "web")
        statuses = pod["status"].get("containerStatuses") or []
        if not statuses or statuses[0].get("restartCount") != 1:
            return None
        return dict(statuses[0]) if "running" in statuses[0]["state"] else None

    status = await eventually(restarted, deadline_seconds=30, what="container restarted")
    assert status["image"] == "nginx:1.28"
    assert status["imageID"] != ""
    assert "nginx:1.28" in status["imageID"]
    assert status["lastState"]["terminated"]["exitCode"] == 0
    pod = await read_pod(kube_api, ns, "web")
    assert pod["status"]["phase"] == "Running"
