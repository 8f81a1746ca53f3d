"""A Pod bound to the virtual node runs as an ECI container group, end to end."""

from __future__ import annotations

import json
from typing import Any

from kubernetes_asyncio import client

from tests.agent.conftest import AgentHandle
from tests.agent.helpers import (
    condition,
    create_pod,
    eventually,
    pod_events,
    pod_manifest,
    read_pod,
)


async def test_pod_reaches_running_with_status_and_events(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("web"))

    async def running() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "web")
        return (
            pod
            if pod["status"].get("phase") == "Running" and condition(pod, "Ready") == "True"
            else None
        )

    pod = await eventually(running, deadline_seconds=20, what="pod Running and Ready")
    status = pod["status"]
    assert condition(pod, "PodScheduled") == "True"
    assert condition(pod, "Initialized") == "True"
    assert condition(pod, "ContainersReady") == "True"
    assert status["podIP"]
    (main,) = status["containerStatuses"]
    assert main["name"] == "main"
    assert main["ready"] is True
    assert main["started"] is True
    assert main["restartCount"] == 0
    assert "running" in main["state"]
    assert main["containerID"].startswith("eci://eci-")
    assert main["image"]

    async def annotated() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "web")
        value = (pod["metadata"].get("annotations") or {}).get("vk-eci.io/phase-seconds")
        return json.loads(value) if value else None

    phases = await eventually(annotated, what="phase-seconds annotation")
    assert phases["imageCacheId"] is None
    assert phases["imagePreparation"] > 0

    async def all_events() -> list[str] | None:
        reasons = [e["reason"] for e in await pod_events(kube_api, ns, "web")]
        wanted = {"ProviderCreated", "Pulling", "Pulled", "Created", "Started"}
        return reasons if wanted <= set(reasons) else None

    await eventually(all_events, what="pod events")
    events = await pod_events(kube_api, ns, "web")
    created = next(e for e in events if e["reason"] == "ProviderCreated")
    assert "eci-" in created["message"]
    assert created["source"]["component"] == "virtual-kubelet"
