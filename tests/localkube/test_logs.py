"""`pods/log` is proxied to the kubelet of the pod's node over HTTPS, as kube-apiserver does.

A stand-in kubelet (a real HTTPS server with a throwaway self-signed certificate) answers
`/containerLogs`; the test checks what reaches it and what `kubectl logs` prints. Embedded
only: a real apiserver cannot reach a kubelet on this machine's loopback.
"""

from __future__ import annotations

import datetime
import shutil
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.fixtures.kube import KubeTarget
from tests.localkube.conftest import call, pod_body
from tests.localkube.test_kubectl import kubectl

NODE = "lk-log-node"
KUBELET_REFUSALS = {
    "gone": (404, "container group eci-1 of pod ns/gone no longer exists"),
    "locked": (401, "Unauthorized"),
    "broken": (500, "ECI is down"),
    "odd": (400, "tailLines: not a number"),
}
"""Plain-text error answers of the stand-in kubelet, by pod name (a kubelet's shape)."""


def _self_signed(directory: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubelet")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "kubelet.crt"
    key_file = directory / "kubelet.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture
async def kubelet(tmp_path: Path) -> AsyncIterator[tuple[int, list[web.Request]]]:
    seen: list[web.Request] = []

    async def logs(request: web.Request) -> web.Response:
        seen.append(request)
        refusal = KUBELET_REFUSALS.get(request.match_info["pod"])
        if refusal is not None:
            return web.Response(status=refusal[0], text=refusal[1])
        lines = ["line 1", "line 2", "line 3"]
        tail = int(request.query.get("tailLines", len(lines)))
        return web.Response(text="".join(f"{line}\n" for line in lines[-tail:]))

    app = web.Application()
    app.router.add_get("/containerLogs/{namespace}/{pod}/{container}", logs)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=_self_signed(tmp_path))
    await site.start()
    try:
        yield int(runner.addresses[0][1]), seen
    finally:
        await runner.cleanup()


async def test_pod_log_is_proxied_to_the_kubelet(
    kube: KubeTarget,
    kube_api: client.ApiClient,
    needs_embedded: LocalKube,
    kubelet: tuple[int, list[web.Request]],
    namespace: str,
    tmp_path: Path,
) -> None:
    port, seen = kubelet
    node = {
        "metadata": {"name": NODE},
        "status": {
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": port}},
        },
    }
    assert (await call(kube_api, "POST", "/api/v1/nodes", body=node)).status == 201
    pod = {
        "metadata": {"name": "talker"},
        "spec": {"nodeName": NODE, "containers": [{"name": "main", "image": "busybox"}]},
    }
    path = f"/api/v1/namespaces/{namespace}/pods"
    assert (await call(kube_api, "POST", path, body=pod)).status == 201

    reply = await call(kube_api, "GET", f"{path}/talker/log", query={"tailLines": "2"})
    assert reply.status == 200
    assert reply.body == "line 2\nline 3\n"
    assert seen[-1].path == f"/containerLogs/{namespace}/talker/main"
    assert seen[-1].query["tailLines"] == "2"

    wrong = await call(kube_api, "GET", f"{path}/talker/log", query={"container": "nope"})
    assert wrong.status == 400
    assert wrong.body["message"] == "container nope is not valid for pod talker"

    if shutil.which("kubectl"):
        code, out, err = await kubectl(
            kube.kubeconfig, tmp_path / "cache", "logs", "talker", "-n", namespace
        )
        assert code == 0, err
        assert out == "line 1\nline 2\nline 3\n"
    await call(kube_api, "DELETE", f"{path}/talker", body={"gracePeriodSeconds": 0})
    await call(kube_api, "DELETE", f"/api/v1/nodes/{NODE}")


async def test_unbound_pod_has_no_logs(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    await call(kube_api, "POST", path, body=pod_body("nowhere"))
    reply = await call(kube_api, "GET", f"{path}/nowhere/log")
    # kube-apiserver has no kubelet to ask and answers an empty 204 (kubectl prints nothing).
    assert reply.status == 204
    assert reply.body is None


async def test_kubelet_errors_become_the_status_kube_apiserver_answers(
    kube_api: client.ApiClient,
    needs_embedded: LocalKube,
    kubelet: tuple[int, list[web.Request]],
    namespace: str,
) -> None:
    port, _ = kubelet
    node = {
        "metadata": {"name": NODE},
        "status": {
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": port}},
        },
    }
    assert (await call(kube_api, "POST", "/api/v1/nodes", body=node)).status == 201
    path = f"/api/v1/namespaces/{namespace}/pods"
    expected = {
        "gone": (
            404,
            "NotFound",
            "the server could not find the requested resource ( pods/log gone)",
        ),
        "locked": (
            401,
            "Unauthorized",
            "the server has asked for the client to provide credentials ( pods/log locked)",
        ),
        "broken": (500, "InternalError", "Internal error occurred: ECI is down"),
        "odd": (400, "BadRequest", "tailLines: not a number"),
    }
    try:
        for name, (code, reason, message) in expected.items():
            pod = {
                "metadata": {"name": name},
                "spec": {"nodeName": NODE, "containers": [{"name": "main", "image": "busybox"}]},
            }
            assert (await call(kube_api, "POST", path, body=pod)).status == 201
            reply = await call(kube_api, "GET", f"{path}/{name}/log")
            assert reply.status == code, name
            assert reply.body["kind"] == "Status"
            assert (reply.body["reason"], reply.body["message"]) == (reason, message), name
        details = (await call(kube_api, "GET", f"{path}/gone/log")).body["details"]
        assert details == {"name": "gone", "kind": "pods/log"}
    finally:
        for name in expected:
            await call(kube_api, "DELETE", f"{path}/{name}", body={"gracePeriodSeconds": 0})
        await call(kube_api, "DELETE", f"/api/v1/nodes/{NODE}")
