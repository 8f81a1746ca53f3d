"""Usage through the kubelet API (`/stats/summary`, `/metrics/resource`) and `kubectl top`.

The simulator's model (25 % of the vCPU, 40 % of the memory once the 30 s
start-up spike is over) comes back through ECI's DescribeMultiContainerGroupMetric,
the kubelet's formats, and the embedded API server's `metrics.k8s.io`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.fixtures.kube import KubeTarget
from tests.localkube.test_kubectl import kubectl
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod
from tests.vkprovider.kubelet.test_kubelet_api import _get

STEADY_NANO_CORES = 250_000_000
"""25 % of the 1 vCPU the Pod asks for."""
STEADY_WORKING_SET = int(2 * 1024**3 * 0.4)
"""40 % of its 2 GiB."""


async def sized_pod(agent: AgentHandle, kube_api: client.ApiClient, name: str) -> None:
    manifest = pod_manifest(name, image="nginx:1.27")
    manifest["spec"]["containers"][0]["resources"] = {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"cpu": "1", "memory": "2Gi"},
    }
    await create_pod(kube_api, agent.namespace, manifest)

    async def running() -> bool:
        pod = await read_pod(kube_api, agent.namespace, name)
        return bool(pod["status"].get("phase") == "Running")

    await eventually(running, deadline_seconds=20, what="pod Running")


async def test_stats_summary_and_resource_metrics_carry_eci_usage(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    await sized_pod(agent, kube_api, "busy")

    async def steady() -> dict[str, Any] | None:
        status, text = await _get(agent, "/stats/summary")
        assert status == 200, text
        pods = [p for p in json.loads(text)["pods"] if p["podRef"]["name"] == "busy"]
        if not pods or pods[0]["containers"][0]["cpu"]["usageNanoCores"] != STEADY_NANO_CORES:
            return None
        return dict(pods[0])

    pod = await eventually(steady, deadline_seconds=20, what="steady usage")
    (main,) = pod["containers"]
    assert main["memory"]["workingSetBytes"] == STEADY_WORKING_SET
    assert main["cpu"]["usageCoreNanoSeconds"] > 0
    assert pod["cpu"]["usageNanoCores"] == STEADY_NANO_CORES
    status, text = await _get(agent, "/metrics/resource")
    assert status == 200
    labels = f'container="main",namespace="{agent.namespace}",pod="busy"'
    assert f"container_memory_working_set_bytes{{{labels}}} {STEADY_WORKING_SET} " in text
    assert f"container_cpu_usage_seconds_total{{{labels}}} " in text
    assert f"container_start_time_seconds{{{labels}}} " in text
    assert "resource_scrape_error 0" in text


def _top_cpu_millicores(out: str, name: str) -> tuple[int, str]:
    row = next(line.split() for line in out.splitlines() if line.startswith(name + " "))
    return int(row[1].rstrip("m")), row[2]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
async def test_kubectl_top_pod_and_node_through_the_embedded_api_server(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    kube: KubeTarget,
    needs_embedded: LocalKube,
    tmp_path: Path,
) -> None:
    ns = agent.namespace
    await sized_pod(agent, kube_api, "topped")
    cache = tmp_path / "kubectl-cache"

    async def settled() -> str | None:
        code, out, err = await kubectl(kube.kubeconfig, cache, "top", "pod", "-n", ns)
        assert code == 0, err
        cpu, memory = _top_cpu_millicores(out, "topped")
        # CPU is the rate between two scrapes: the usage ECI reported at the first, to within
        # the milliseconds between the agent's clock and the sample's timestamp.
        return out if memory == "819Mi" and 240 <= cpu <= 260 else None

    out = await eventually(settled, deadline_seconds=30, what="kubectl top pod")
    assert out.split()[:3] == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    code, out, err = await kubectl(kube.kubeconfig, cache, "top", "node", agent.node_name)
    assert code == 0, err
    assert out.split()[:5] == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    assert agent.node_name in out
    code, _, err = await kubectl(kube.kubeconfig, cache, "top", "pod", "-n", ns, "nosuch")
    assert code != 0
    assert f'podmetrics.metrics.k8s.io "{ns}/nosuch" not found' in err
