"""`kubectl exec` on the virtual node, through the embedded API server to ECI.

Driven by real clients: kubernetes_asyncio's `WsApiClient` (v4.channel.k8s.io,
proxied to the kubelet's WebSocket), a v5.channel.k8s.io WebSocket (which the
embedded server, like kube-apiserver v1.30+, translates into SPDY/3.1 towards
the kubelet) and the real kubectl over both (its WebSocket, and SPDY with
`KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`, proxied as bytes), with and
without a terminal. The kubelet relays each to the simulator's
ExecContainerCommand session. The kubelet's SPDY end on its own is in
`test_spdy_exec.py`.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import shutil
import struct
import termios
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


async def kubectl_on_a_terminal(
    kube: KubeTarget, cache: Path, *args: str, typed: bytes, websockets: str
) -> tuple[int, bytes]:
    """kubectl with a pseudo-terminal for stdin and output (`-t` needs one), 24x80."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        process = await asyncio.create_subprocess_exec(
            "kubectl",
            f"--kubeconfig={kube.kubeconfig}",
            f"--cache-dir={cache}",
            *args,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**os.environ, "KUBECTL_REMOTE_COMMAND_WEBSOCKETS": websockets},
        )
    finally:
        os.close(slave)
    os.write(master, typed)
    loop = asyncio.get_running_loop()
    output = b""
    try:
        async with asyncio.timeout(30):
            while True:
                try:
                    chunk = await loop.run_in_executor(None, os.read, master, 4096)
                except OSError:  # EIO: every writer of the terminal has gone
                    break
                if not chunk:
                    break
                output += chunk
            code = await process.wait()
    finally:
        os.close(master)
    return code, output


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
@pytest.mark.parametrize("websockets", ["true", "false"], ids=["websocket", "spdy"])
async def test_kubectl_exec_it_sh(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    kube: KubeTarget,
    needs_embedded: LocalKube,
    tmp_path: Path,
    websockets: str,
) -> None:
    """`kubectl exec -it -- sh` on a terminal: the prompt, the command's output, `exit`'s code
    (the terminal's size goes along on the resize stream)."""
    await running_pod(agent, kube_api, "sh1")
    code, output = await kubectl_on_a_terminal(
        kube,
        tmp_path / "kubectl-cache",
        "exec",
        "-it",
        "-n",
        agent.namespace,
        "sh1",
        "--",
        "sh",
        typed=b"echo $GREETING\rexit 3\r",
        websockets=websockets,
    )
    assert code == 3, output
    assert b"# " in output
    assert b"hello\r\n" in output


async def v5_exec(
    kube_api: client.ApiClient, path: str, *, typed: bytes | None = None
) -> tuple[str | None, dict[int, bytes], dict[str, Any]]:
    """A v5.channel.k8s.io WebSocket exec, as kubectl v1.30+ opens it; stdin is closed with
    v5's close signal once `typed` is sent."""
    url = str(kube_api.configuration.host).replace("http", "ws", 1) + path
    frames: dict[int, bytes] = {1: b"", 2: b""}
    status: dict[str, Any] = {}
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, protocols=["v5.channel.k8s.io"]) as socket,
    ):
        if typed is not None:
            await socket.send_bytes(b"\x00" + typed)
            await socket.send_bytes(b"\xff\x00")
        async for message in socket:
            if message.type is not aiohttp.WSMsgType.BINARY:
                break
            channel, data = message.data[0], message.data[1:]
            if channel == 3:
                status = json.loads(data)
            else:
                frames[channel] += data
        return socket.protocol, frames, status


async def test_a_v5_websocket_exec_is_translated_to_spdy_as_kube_apiserver_does(
    agent: AgentHandle, kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    """kube-apiserver v1.30+ answers kubectl's v5 WebSocket itself and runs the command on the
    kubelet over SPDY; the Status it writes is its own, made from the kubelet's."""
    await running_pod(agent, kube_api, "shell")
    pod = f"/api/v1/namespaces/{agent.namespace}/pods/shell"
    script = "command=sh&command=-c&command=echo+%24GREETING%3B+cat+%2Fmissing%3B+exit+3"
    protocol, frames, status = await v5_exec(
        kube_api, f"{pod}/exec?{script}&stdout=true&stderr=true"
    )
    assert protocol == "v5.channel.k8s.io"
    assert frames[1] == b"hello\n"
    assert frames[2] == b"cat: /missing: No such file or directory\n"
    assert status == {
        "metadata": {},
        "status": "Failure",
        "message": (
            "command terminated with non-zero exit code: command terminated with exit code 3"
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]},
    }
    _, frames, status = await v5_exec(
        kube_api, f"{pod}/exec?command=cat&stdin=true&stdout=true&stderr=true", typed=b"typed in\n"
    )
    assert frames[1] == b"typed in\n"
    assert status == {"metadata": {}, "status": "Success"}
    _, _, status = await v5_exec(kube_api, f"{pod}/attach?stdout=true&stderr=true")
    assert status["reason"] == "InternalError"
    assert status["code"] == 500
    assert str(status["message"]).startswith(
        "Internal error occurred: attach is not supported by ECI"
    )
