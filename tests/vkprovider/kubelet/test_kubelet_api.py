"""The kubelet HTTPS API: logs, pods, health and metrics, as kubectl would reach them."""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

import aiohttp
from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.fixtures.kube import KubeTarget
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod


def _ssl(handle: AgentHandle) -> ssl.SSLContext:
    assert handle.agent.kubelet is not None
    context = ssl.create_default_context(cafile=handle.agent.kubelet.cert_path)
    context.check_hostname = False
    return context


async def _get(handle: AgentHandle, path: str, *, token: str = "") -> tuple[int, str]:
    assert handle.agent.kubelet is not None
    url = f"https://127.0.0.1:{handle.agent.kubelet.port}{path}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, ssl=_ssl(handle), headers=headers) as response,
    ):
        return response.status, await response.text()


async def test_container_logs_through_the_kubelet_api(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    manifest = pod_manifest(
        "chatty", image="busybox:1.37", command=["sh", "-c", "echo hello from eci; sleep 3600"]
    )
    await create_pod(kube_api, ns, manifest)

    async def running() -> bool:
        pod = await read_pod(kube_api, ns, "chatty")
        return bool(pod["status"].get("phase") == "Running")

    await eventually(running, deadline_seconds=20, what="pod Running")

    async def logs() -> str | None:
        status, text = await _get(agent, f"/containerLogs/{ns}/chatty/main")
        assert status == 200, text
        return text if "hello from eci" in text else None

    text = await eventually(logs, what="log line")
    assert "hello from eci" in text
    status, tailed = await _get(agent, f"/containerLogs/{ns}/chatty/main?tailLines=1")
    assert status == 200
    assert len(tailed.strip().splitlines()) == 1
    status, limited = await _get(agent, f"/containerLogs/{ns}/chatty/main?limitBytes=5")
    assert status == 200
    assert len(limited.encode()) <= 5
    query = "sinceSeconds=600&timestamps=true"
    status, recent = await _get(agent, f"/containerLogs/{ns}/chatty/main?{query}")
    assert status == 200
    assert "hello from eci" in recent
    status, _ = await _get(agent, f"/containerLogs/{ns}/nosuchpod/main")
    assert status == 404
    status, message = await _get(agent, f"/containerLogs/{ns}/chatty/main?tailLines=abc")
    assert status == 400
    assert "tailLines" in message


async def test_health_pods_and_metrics(agent: AgentHandle, kube_api: client.ApiClient) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("counted"))

    async def running() -> bool:
        pod = await read_pod(kube_api, ns, "counted")
        return bool(pod["status"].get("phase") == "Running")

    await eventually(running, deadline_seconds=20, what="pod Running")
    assert await _get(agent, "/healthz") == (200, "ok")
    status, body = await _get(agent, "/pods")
    assert status == 200
    assert '"counted"' in body
    status, metrics = await _get(agent, "/metrics")
    assert status == 200
    assert 'vk_eci_pods{phase="Running"}' in metrics
    assert "vk_eci_api_call_seconds_bucket" in metrics
    assert "vk_eci_lease_renewals_total" in metrics
    status, summary = await _get(agent, "/stats/summary")
    assert status == 200
    assert '"counted"' in summary
    status, resource = await _get(agent, "/metrics/resource")
    assert status == 200
    assert "node_cpu_usage_seconds_total" in resource


async def test_authentication_refuses_anonymous_requests(
    agent_factory: Any, agent_settings: Any, kube: KubeTarget
) -> None:
    from dataclasses import replace

    handle = await agent_factory(kubelet=replace(agent_settings.kubelet, authentication=True))
    try:
        status, _ = await _get(handle, "/pods")
        assert status == 401
        assert await _get(handle, "/healthz") == (200, "ok")
        # A token the API server's TokenReview accepts, for a user its SubjectAccessReview
        # allows (the embedded server allows everyone; a real cluster needs a real token).
        token = os.environ.get("VK_ECI_TEST_KUBELET_TOKEN", "any-token")
        if kube.embedded is not None or "VK_ECI_TEST_KUBELET_TOKEN" in os.environ:
            status, body = await _get(handle, "/pods", token=token)
            assert status == 200, body
    finally:
        await handle.stop()


async def test_follow_streams_until_the_container_ends(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    manifest = pod_manifest(
        "short",
        image="busybox:1.37",
        command=["sh", "-c", "echo first; sleep 150; echo second"],
        restart_policy="Never",
    )
    await create_pod(kube_api, ns, manifest)

    async def started() -> bool:
        pod = await read_pod(kube_api, ns, "short")
        return bool(pod["status"].get("phase") in ("Running", "Succeeded"))

    await eventually(started, deadline_seconds=20, what="pod started")
    assert (await read_pod(kube_api, ns, "short"))["status"]["phase"] == "Running"
    # 150 simulated seconds are 1.5 s here: the request is open while the container runs.
    status, text = await _get(agent, f"/containerLogs/{ns}/short/main?follow=true")
    assert status == 200
    assert "first" in text
    assert "second" in text
    pod = await read_pod(kube_api, ns, "short")
    assert pod["status"]["phase"] == "Succeeded"


async def test_kubectl_logs_path_through_the_api_server(
    agent: AgentHandle, kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    """pods/log on the API server reaches this kubelet via the Node's address and port."""
    ns = agent.namespace
    manifest = pod_manifest(
        "viaapi",
        image="busybox:1.37",
        command=["sh", "-c", "echo through the apiserver; sleep 3600"],
    )
    await create_pod(kube_api, ns, manifest)
    core: Any = client.CoreV1Api(kube_api)

    async def logged() -> str | None:
        pod = await read_pod(kube_api, ns, "viaapi")
        if pod["status"].get("phase") != "Running":
            return None
        text = await core.read_namespaced_pod_log("viaapi", ns, container="main")
        return text if "through the apiserver" in text else None

    await eventually(logged, deadline_seconds=20, what="kubectl logs through the API server")


def _client_certificate(directory: Path) -> tuple[Path, Path, Path]:
    """A CA, and a client certificate it signed for CN=kube-apiserver (like the API server's)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(common: str, org: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            ]
        )

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("test-ca", "test"))
        .issuer_name(name("test-ca", "test"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("kube-apiserver", "system:masters"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "client.pem", directory / "client.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


async def test_client_certificates_of_the_api_server_are_accepted(
    agent_factory: Any, agent_settings: Any, tmp_path: Path
) -> None:
    from dataclasses import replace

    ca, cert, key = _client_certificate(tmp_path)
    handle = await agent_factory(
        kubelet=replace(agent_settings.kubelet, authentication=True, client_ca_file=str(ca))
    )
    try:
        assert handle.agent.kubelet is not None
        url = f"https://127.0.0.1:{handle.agent.kubelet.port}/pods"
        context = _ssl(handle)
        context.load_cert_chain(str(cert), str(key))
        async with aiohttp.ClientSession() as session:
            async with session.get(url, ssl=context) as response:
                assert response.status == 200
            async with session.get(url, ssl=_ssl(handle)) as response:
                assert response.status == 401
    finally:
        await handle.stop()


async def test_port_forward_and_run_say_they_are_not_supported(
    agent: AgentHandle,
) -> None:
    for path in ("/portForward/default/web", "/run/default/web/app"):
        status, body = await _get(agent, path)
        assert status == 501
        assert "is not supported on virtual node" in body
        assert path.split("/")[1] in body


async def test_exec_without_a_websocket_upgrade_and_attach_say_why(
    agent: AgentHandle,
) -> None:
    """exec answers plain (not upgraded) requests with 400 naming the protocols it speaks
    (SPDY/3.1 is served now, so it is named as spoken); attach (kubelet `/attach/...`) is
    refused on the error channel: ECI has no attach."""
    status, body = await _get(agent, "/exec/default/web/app?command=sh")
    assert status == 400
    assert "WebSocket (v5.channel.k8s.io, v4.channel.k8s.io)" in body
    assert "SPDY/3.1 (X-Stream-Protocol-Version v5/v4/v3/v2.channel.k8s.io)" in body
    assert agent.agent.kubelet is not None
    url = f"wss://127.0.0.1:{agent.agent.kubelet.port}/attach/default/web/app"
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, ssl=_ssl(agent), protocols=["v5.channel.k8s.io"]) as socket,
    ):
        message = await socket.receive_bytes()
    assert message[0] == 3
    assert "attach is not supported by ECI" in message[1:].decode()
