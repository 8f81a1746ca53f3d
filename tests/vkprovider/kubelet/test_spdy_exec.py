"""Exec over SPDY/3.1, the way a real kube-apiserver reaches the kubelet, driven by a SPDY client.

The client (`tests.vkprovider.kubelet.spdyclient`) is written apart from the
agent's framing and keeps flow control strictly. Most tests talk to the
agent's kubelet API directly, which is what kube-apiserver does (and works
on a real cluster too); the last goes through the embedded API server, which
proxies SPDY upgrades as bytes as kube-apiserver's upgrade-aware proxy does.
kubectl itself over SPDY is in `test_exec.py` (`KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`).
"""

from __future__ import annotations

import hashlib
import os
import ssl
from urllib.parse import urlencode, urlsplit

from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.kubelet.spdyclient import ExecAnswer, spdy_exec
from tests.vkprovider.kubelet.test_exec import running_pod
from vkprovider.kubelet.spdydictionary import DICTIONARY

ALL_VERSIONS = ["v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io"]


def _tls(agent: AgentHandle) -> ssl.SSLContext:
    assert agent.agent.kubelet is not None
    context = ssl.create_default_context(cafile=agent.agent.kubelet.cert_path)
    context.check_hostname = False
    return context


def _query(command: list[str], **flags: str) -> str:
    return urlencode([("command", word) for word in command] + list(flags.items()))


async def kubelet_exec(
    agent: AgentHandle,
    pod: str,
    command: list[str],
    *,
    verb: str = "exec",
    streams: tuple[str, ...] = ("error", "stdout", "stderr"),
    protocols: tuple[str, ...] = ("v4.channel.k8s.io",),
    stdin: bytes | None = None,
    tty: bool = False,
    resize: dict[str, int] | None = None,
    ping: int | None = None,
    preamble: bytes = b"",
    strict_windows: bool = True,
) -> ExecAnswer:
    """One exec straight to the agent's kubelet API, as kube-apiserver sends it ("1" flags)."""
    assert agent.agent.kubelet is not None
    flags = {"stdout": "1"} | ({"tty": "1"} if tty else {"stderr": "1"})
    if stdin is not None:
        flags["stdin"] = "1"
    return await spdy_exec(
        host="127.0.0.1",
        port=agent.agent.kubelet.port,
        path=f"/{verb}/{agent.namespace}/{pod}/main?{_query(command, **flags)}",
        tls=_tls(agent),
        protocols=protocols,
        streams=streams,
        stdin=stdin,
        resize=resize,
        ping=ping,
        preamble=preamble,
        strict_windows=strict_windows,
    )


def test_the_dictionary_is_spdy3s() -> None:
    """Both ends prime zlib with it; one wrong byte and no header block decompresses."""
    assert len(DICTIONARY) == 1423
    digest = hashlib.sha256(DICTIONARY).hexdigest()
    assert digest == "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02"


async def test_spdy_exec_answers_output_and_exit_code_as_a_kubelet_does(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    await running_pod(agent, kube_api, "shell")
    answer = await kubelet_exec(
        agent, "shell", ["sh", "-c", "echo $GREETING; cat /missing; exit 3"], ping=1
    )
    assert answer.status == 101
    assert answer.header("Upgrade") == ["SPDY/3.1"]
    assert answer.header("X-Stream-Protocol-Version") == ["v4.channel.k8s.io"]
    assert answer.replied == {"error", "stdout", "stderr"}
    assert answer.received["stdout"] == b"hello\n"
    assert answer.received["stderr"] == b"cat: /missing: No such file or directory\n"
    status = answer.status_json()
    assert status["status"] == "Failure"
    assert status["reason"] == "NonZeroExitCode"
    assert status["details"] == {"causes": [{"reason": "ExitCode", "message": "3"}]}
    assert answer.finished == {"error", "stdout", "stderr"}
    assert answer.pings == [1]
    assert answer.goaway == 0
    answer = await kubelet_exec(agent, "shell", ["true"], protocols=tuple(ALL_VERSIONS))
    assert answer.header("X-Stream-Protocol-Version") == ["v5.channel.k8s.io"]
    assert answer.status_json() == {"metadata": {}, "status": "Success"}
    # v3 and v2 clients read the error stream as text: a failure's message, nothing on success.
    answer = await kubelet_exec(
        agent, "shell", ["sh", "-c", "exit 3"], protocols=("v3.channel.k8s.io", "v5.channel.k8s.io")
    )
    assert answer.header("X-Stream-Protocol-Version") == ["v3.channel.k8s.io"]
    assert answer.received["error"].startswith(b"command terminated with non-zero exit code")
    answer = await kubelet_exec(agent, "shell", ["true"], protocols=("v2.channel.k8s.io",))
    assert answer.received.get("error", b"") == b""
    assert "error" in answer.finished


async def test_spdy_exec_refuses_protocols_it_does_not_speak(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    await running_pod(agent, kube_api, "shell")
    answer = await kubelet_exec(agent, "shell", ["true"], protocols=("channel.k8s.io",))
    assert answer.status == 403
    assert answer.header("X-Accepted-Stream-Protocol-Versions") == ALL_VERSIONS
    assert answer.body.decode() == (
        "unable to upgrade: unable to negotiate protocol: client supports [channel.k8s.io], "
        "server accepts [" + " ".join(ALL_VERSIONS) + "]"
    )


async def test_spdy_frames_of_another_version_end_the_session_with_a_protocol_error(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    await running_pod(agent, kube_api, "shell")
    spdy2_ping = bytes([0x80, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1])
    answer = await kubelet_exec(agent, "shell", ["true"], preamble=spdy2_ping)
    assert answer.goaway == 1  # GOAWAY PROTOCOL_ERROR
    assert answer.pings == []
    assert answer.received == {}


async def test_spdy_stdin_and_stdout_past_a_window_keep_flowing(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    """Three windows of stdin reach `cat` only if the kubelet opens them again (this client
    waits, as SPDY/3.1 says); the same bytes come back to a client that never opens any."""
    await running_pod(agent, kube_api, "shell")
    typed = os.urandom(3 * 65536 + 100)
    answer = await kubelet_exec(
        agent, "shell", ["cat"], stdin=typed, streams=("error", "stdin", "stdout", "stderr")
    )
    assert answer.received["stdout"] == typed
    assert answer.window_updates >= 3
    assert answer.status_json()["status"] == "Success"
    # client-go's spdystream ignores windows; nothing it sends may be lost for that.
    typed = os.urandom(6 * 65536)
    answer = await kubelet_exec(
        agent,
        "shell",
        ["cat"],
        stdin=typed,
        streams=("error", "stdin", "stdout", "stderr"),
        strict_windows=False,
    )
    assert answer.resets == {}
    assert answer.received["stdout"] == typed


async def test_spdy_terminal_exec_has_no_stderr_stream_and_takes_resizes(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    await running_pod(agent, kube_api, "shell")
    answer = await kubelet_exec(
        agent,
        "shell",
        ["sh"],
        stdin=b"echo $GREETING\rexit 2\r",
        tty=True,
        resize={"Width": 120, "Height": 40},
        streams=("error", "stdin", "stdout", "resize"),
    )
    assert answer.replied == {"error", "stdin", "stdout", "resize"}
    assert answer.resets == {}
    # Both lines arrive in one DATA frame, so the terminal echoes them before the first runs.
    assert answer.received["stdout"] == b"# echo $GREETING\r\nexit 2\r\nhello\r\n# "
    assert answer.status_json()["details"] == {"causes": [{"reason": "ExitCode", "message": "2"}]}


async def test_spdy_attach_and_unknown_pods_are_refused_on_the_error_stream(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    await running_pod(agent, kube_api, "shell")
    answer = await kubelet_exec(agent, "shell", ["unused"], verb="attach")
    assert answer.status == 101
    status = answer.status_json()
    assert status["status"] == "Failure"
    assert "attach is not supported by ECI" in str(status["message"])
    answer = await kubelet_exec(agent, "ghost", ["true"])
    assert answer.status_json()["reason"] == "NotFound"
    assert answer.status_json()["message"] == (
        f'pods "ghost" not found in namespace "{agent.namespace}"'
    )


async def test_spdy_exec_through_the_embedded_api_server(
    agent: AgentHandle, kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    """What `kubectl exec` does with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false, without kubectl."""
    await running_pod(agent, kube_api, "shell")
    server = urlsplit(str(kube_api.configuration.host))
    assert server.hostname is not None
    assert server.port is not None
    path = f"/api/v1/namespaces/{agent.namespace}/pods/shell/exec"
    answer = await spdy_exec(
        host=server.hostname,
        port=server.port,
        path=f"{path}?{_query(['sh', '-c', 'echo $GREETING; exit 4'], stdout='true')}",
        tls=None,
        streams=("error", "stdout"),
    )
    assert answer.header("X-Stream-Protocol-Version") == ["v4.channel.k8s.io"]
    assert answer.received["stdout"] == b"hello\n"
    assert answer.status_json()["details"] == {"causes": [{"reason": "ExitCode", "message": "4"}]}
    # The kubelet's refusal comes back as the kubelet gave it.
    answer = await spdy_exec(
        host=server.hostname,
        port=server.port,
        path=f"{path}?{_query(['true'], stdout='true')}",
        tls=None,
        protocols=("channel.k8s.io",),
    )
    assert answer.status == 403
    assert answer.header("X-Accepted-Stream-Protocol-Versions") == ALL_VERSIONS
    assert b"unable to negotiate protocol" in answer.body
