"""`kubectl exec` on the virtual node: WebSocket through the embedded API server to ECI.

Driven by real clients: kubernetes_asyncio's `WsApiClient` (v4.channel.k8s.io)
and the real kubectl (v5.channel.k8s.io first), both through the embedded API
server, which proxies the upgrade to the agent's kubelet API, which relays it
to the simulator's ExecContainerCommand session. Needs the embedded server: a
real kube-apiserver (v1.30+) translates WebSocket exec into SPDY towards the
kubelet, which this kubelet does not speak.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from kubernetes_asyncio import client
from kubernetes_asyncio.stream import WsApiClient

from localkube.server import LocalKube
from tests.fixtures.kube import KubeTarget
from tests.localkube.test_kubectl import kubectl as run_kubectl
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod


async def running_pod(agent: AgentHandle, kube_api: client.ApiClient, name: str) -> None:
    manifest = pod_manifest(
        name, image="busybox:1.37", command=["sleep", "3600"], env={"GREETING": "hello"}
    )
    await create_pod(kube_api, agent.namespace, manifest)

    async def running() -> bool:
        pod = await read_pod(kube_api, agent.namespace, name)
        return bool(pod["status"].get("phase") == "Running")

    await eventually(running, deadline_seconds=20, what="pod Running")


async def ws_exec(kube_api: client.ApiClient, ns: str, name: str, command: list[str]) -> Any:
    """Channel frames and the Status of one exec, read with kubernetes_asyncio's WsApiClient."""
    ws_api = WsApiClient(configuration=kube_api.configuration)
    try:
        core: Any = client.CoreV1Api(api_client=ws_api)
        frames: dict[int, bytes] = {1: b"", 2: b""}
        status: dict[str, Any] = {}
        async with await core.connect_get_namespaced_pod_exec(
            name,
            ns,
            command=command,
            stdout=True,
            stderr=True,
            stdin=False,
            tty=False,
            _preload_content=False,
        ) as socket:
            async for message in socket:
                if message.type is not aiohttp.WSMsgType.BINARY:
                    break
                channel, data = message.data[0], message.data[1:]
                if channel == 3:
                    status = json.loads(data)
                else:
                    frames[channel] += data
        return frames, status
    finally:
        await ws_api.close()


async def test_exec_through_the_api_server_with_kubernetes_asyncio(
    agent: AgentHandle, kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    ns = agent.namespace
    await running_pod(agent, kube_api, "shell")
    frames, status = await ws_exec(
        kube_api, ns, "shell", ["sh", "-c", "echo $GREETING; cat /missing; exit 3"]
    )
    assert frames[1] == b"hello\n"
    assert frames[2] == b"cat: /missing: No such file or directory\n"
    assert WsApiClient.parse_error_data(json.dumps(status)) == 3
    frames, status = await ws_exec(kube_api, ns, "shell", ["true"])
    assert status["status"] == "Success"
    frames, status = await ws_exec(kube_api, ns, "shell", ["nginx", "-T"])
    assert frames[2] == b"sh: nginx: command not found (simulated container)\n"
    assert WsApiClient.parse_error_data(json.dumps(status)) == 127


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
@pytest.mark.parametrize("websockets", ["true", "false"], ids=["websocket", "spdy"])
async def test_kubectl_exec_and_port_forward(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    kube: KubeTarget,
    needs_embedded: LocalKube,
    tmp_path: Path,
    websockets: str,
) -> None:
    """kubectl's WebSocket (its default) and its SPDY/3.1 (what a real kube-apiserver speaks
    to kubelets, and kubectl's fallback), through the embedded server to the agent."""
    ns = agent.namespace
    await running_pod(agent, kube_api, "sh1")
    cache = tmp_path / "kubectl-cache"
    transport = {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": websockets}

    async def kubectl(kubeconfig: Path, cache: Path, *args: str, stdin: str | None = None) -> Any:
        return await run_kubectl(kubeconfig, cache, *args, stdin=stdin, env=transport)

    code, out, err = await kubectl(
        kube.kubeconfig, cache, "exec", "-n", ns, "sh1", "--", "echo", "hi"
    )
    assert (code, out) == (0, "hi\n"), err
    code, out, err = await kubectl(
        kube.kubeconfig, cache, "exec", "-n", ns, "sh1", "--", "sh", "-c", "echo $GREETING; exit 4"
    )
    assert (code, out) == (4, "hello\n"), err
    assert "command terminated with exit code 4" in err
    code, out, err = await kubectl(
        kube.kubeconfig, cache, "exec", "-i", "-n", ns, "sh1", "--", "cat", stdin="typed in\nmore\n"
    )
    assert (code, out) == (0, "typed in\nmore\n"), err
    code, out, err = await kubectl(
        kube.kubeconfig,
        cache,
        "exec",
        "-i",
        "-n",
        ns,
        "sh1",
        "--",
        "sh",
        stdin="echo one\necho $GREETING\nexit 5\necho never\n",
    )
    assert (code, out) == (5, "one\nhello\n"), err
    code, out, err = await kubectl(kube.kubeconfig, cache, "exec", "-n", ns, "sh1", "--", "vi")
    assert code == 127
    assert "vi: command not found (simulated container)" in err
    code, out, err = await kubectl(
        kube.kubeconfig, cache, "port-forward", "-n", ns, "pod/sh1", "18080:80"
    )
    assert code != 0
    assert "portForward is not supported on virtual node" in err
    assert "ECI (elastic container instance) does not offer it" in err
