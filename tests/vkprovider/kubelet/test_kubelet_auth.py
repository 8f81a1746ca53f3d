"""The kubelet API is secure by default: who may read logs, pods, stats and metrics.

As on a kubeadm kubelet: a client certificate signed by the client CA, or a bearer token the
API server's TokenReview accepts, then a SubjectAccessReview on `nodes/<subresource>` of this
node (`/stats` -> stats, `/metrics` -> metrics, anything else -> proxy). The embedded API
server allows every review, so the decisions here come from a stand-in for the API server's
two review endpoints that answers as kube-apiserver does (201, the review plus its status),
over real HTTP; `kubectl logs` through the embedded API server with certificates is the
end-to-end check.
"""

from __future__ import annotations

import argparse
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import structlog
from aiohttp import web
from kubernetes_asyncio import client

from localkube.server import LocalKube, LocalKubeSettings
from tests.fixtures.eci import EciTarget
from tests.fixtures.kube import KubeTarget
from tests.vkprovider.conftest import AgentHandle, make_agent_settings, start_agent
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod
from vkeci.commands import agent as agent_command
from vkeci.stack.kubeletpki import make_kubelet_client_pki
from vkprovider.kubelet.server import KubeletServer
from vkprovider.settings import KubeletSettings

USERS = {"alice-token": "alice", "bob-token": "bob"}
ALLOWED = {"alice", "kube-apiserver-kubelet-client"}


@dataclass
class Reviewer:
    """The API server's TokenReview and SubjectAccessReview endpoints, and what they were asked."""

    access_reviews: list[dict[str, Any]] = field(default_factory=list)

    async def token_review(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = USERS.get((body.get("spec") or {}).get("token", ""))
        body["status"] = (
            {"authenticated": True, "user": {"username": user, "groups": ["system:authenticated"]}}
            if user
            else {"authenticated": False, "error": "invalid bearer token"}
        )
        return web.json_response(body, status=201)

    async def access_review(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.access_reviews.append(body["spec"])
        allowed = body["spec"].get("user") in ALLOWED
        body["status"] = {"allowed": allowed} if allowed else {"allowed": False, "reason": ""}
        return web.json_response(body, status=201)


@dataclass
class GuardedKubelet:
    server: KubeletServer
    reviewer: Reviewer
    ca_file: Path
    certificate: tuple[Path, Path]

    def tls(self, *, certificate: tuple[Path, Path] | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.server.cert_path)
        context.check_hostname = False
        if certificate is not None:
            context.load_cert_chain(str(certificate[0]), str(certificate[1]))
        return context

    async def get(
        self, path: str, *, token: str = "", certificate: tuple[Path, Path] | None = None
    ) -> tuple[int, str]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"https://127.0.0.1:{self.server.port}{path}"
        async with (
            aiohttp.ClientSession() as session,
            session.get(url, headers=headers, ssl=self.tls(certificate=certificate)) as response,
        ):
            return response.status, await response.text()


@pytest.fixture
async def guarded(agent: AgentHandle, tmp_path: Path) -> AsyncIterator[GuardedKubelet]:
    """A kubelet API with the default (secure) settings over the running agent's Pods."""
    reviewer = Reviewer()
    app = web.Application()
    app.router.add_post("/apis/authentication.k8s.io/v1/tokenreviews", reviewer.token_review)
    app.router.add_post(
        "/apis/authorization.k8s.io/v1/subjectaccessreviews", reviewer.access_review
    )
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    configuration = client.Configuration(host=f"http://127.0.0.1:{runner.addresses[0][1]}")
    review_api = client.ApiClient(configuration)
    pki = make_kubelet_client_pki(tmp_path / "pki")
    server = KubeletServer(
        settings=KubeletSettings(
            port=0, state_dir=str(tmp_path / "kubelet"), client_ca_file=str(pki.ca_file)
        ),
        controller=agent.agent.pods,
        state=agent.agent.cloud_state,
        api=review_api,
        node_name=agent.node_name,
        logger=structlog.get_logger("vkprovider.test"),
    )
    await server.start()
    try:
        yield GuardedKubelet(
            server=server,
            reviewer=reviewer,
            ca_file=pki.ca_file,
            certificate=(pki.certificate_file, pki.key_file),
        )
    finally:
        await server.stop()
        await review_api.close()
        await runner.cleanup()


def test_authentication_is_the_default() -> None:
    assert KubeletSettings().authentication is True
    parser = argparse.ArgumentParser()
    agent_command.add_arguments(parser)
    environ = {"ECI_ACCESS_KEY_ID": "ak", "ECI_ACCESS_KEY_SECRET": "sk"}
    default = agent_command.build_settings(parser.parse_args([]), environ)
    assert default.kubelet.authentication is True
    opted_out = agent_command.build_settings(
        parser.parse_args(["--kubelet-anonymous-auth", "--kubelet-client-ca", "/ca.crt"]), environ
    )
    assert opted_out.kubelet.authentication is False
    assert opted_out.kubelet.client_ca_file == "/ca.crt"


async def test_anonymous_and_bad_tokens_get_401(guarded: GuardedKubelet) -> None:
    for path in ("/pods", "/containerLogs/default/web/main", "/stats/summary", "/metrics"):
        assert (await guarded.get(path))[0] == 401, path
        assert (await guarded.get(path, token="stolen-token"))[0] == 401, path
    assert await guarded.get("/healthz") == (200, "ok")
    assert guarded.reviewer.access_reviews == []  # nobody unauthenticated got as far


async def test_a_token_without_permission_gets_403_naming_the_user(
    guarded: GuardedKubelet,
) -> None:
    status, text = await guarded.get("/stats/summary", token="bob-token")
    assert status == 403
    assert "user=bob" in text
    assert "subresource=stats" in text


async def test_a_permitted_token_is_served_and_reviewed_per_subresource(
    guarded: GuardedKubelet, agent: AgentHandle
) -> None:
    for path in ("/pods", "/stats/summary", "/metrics", "/metrics/resource"):
        status, _ = await guarded.get(path, token="alice-token")
        assert status == 200, path
    attributes = [
        (r["user"], r["resourceAttributes"]["subresource"]) for r in guarded.reviewer.access_reviews
    ]
    assert attributes == [
        ("alice", "proxy"),
        ("alice", "stats"),
        ("alice", "metrics"),
        ("alice", "metrics"),
    ]
    for review in guarded.reviewer.access_reviews:
        resource = review["resourceAttributes"]
        assert (resource["verb"], resource["resource"], resource["name"]) == (
            "get",
            "nodes",
            agent.node_name,
        )


async def test_a_post_is_reviewed_as_create(guarded: GuardedKubelet) -> None:
    url = f"https://127.0.0.1:{guarded.server.port}/exec/default/web/main?command=sh"
    headers = {"Authorization": "Bearer bob-token"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, headers=headers, ssl=guarded.tls()) as response,
    ):
        assert response.status == 403
        assert "verb=create" in await response.text()
    (review,) = guarded.reviewer.access_reviews
    assert review["resourceAttributes"]["verb"] == "create"
    assert review["resourceAttributes"]["subresource"] == "proxy"


async def test_a_client_certificate_signed_by_the_ca_is_served(
    guarded: GuardedKubelet, tmp_path: Path
) -> None:
    status, _ = await guarded.get("/pods", certificate=guarded.certificate)
    assert status == 200
    (review,) = guarded.reviewer.access_reviews
    assert review["user"] == "kube-apiserver-kubelet-client"
    assert "system:masters" in review["groups"]
    stranger = make_kubelet_client_pki(tmp_path / "other-ca")
    with pytest.raises(aiohttp.ClientError):
        await guarded.get("/pods", certificate=(stranger.certificate_file, stranger.key_file))


async def test_kubectl_logs_through_the_embedded_api_server_with_authentication_on(
    eci: EciTarget, tmp_path: Path
) -> None:
    """The embedded API server presents its kubelet client certificate, as kube-apiserver does."""
    pki = make_kubelet_client_pki(tmp_path / "pki")
    settings = LocalKubeSettings(
        kubelet_client_certificate=str(pki.certificate_file), kubelet_client_key=str(pki.key_file)
    )
    async with LocalKube(settings) as server, LocalKube() as uncertified:
        for api_server, name in ((server, "certified"), (uncertified, "uncertified")):
            kubeconfig = api_server.write_kubeconfig(tmp_path / f"{name}.kubeconfig")
            target = KubeTarget(kubeconfig=kubeconfig, embedded=api_server)
            agent_settings = make_agent_settings(
                kube=target, eci=eci, state_dir=tmp_path / f"{name}-state"
            )
            agent_settings = replace(
                agent_settings,
                kubelet=KubeletSettings(
                    port=0,
                    state_dir=str(tmp_path / f"{name}-state"),
                    client_ca_file=str(pki.ca_file),
                ),
            )
            handle = await start_agent(agent_settings)
            try:
                assert handle.agent.settings.kubelet.authentication is True
                await _check_logs(handle, expect_status=200 if name == "certified" else 401)
            finally:
                await handle.stop()


async def _check_logs(handle: AgentHandle, *, expect_status: int) -> None:
    api = handle.api
    manifest = pod_manifest(
        "guarded", image="busybox:1.37", command=["sh", "-c", "echo behind auth; sleep 3600"]
    )
    await create_pod(api, "default", manifest)
    core: Any = client.CoreV1Api(api)

    async def logged() -> str | None:
        pod = await read_pod(api, "default", "guarded")
        if pod["status"].get("phase") != "Running":
            return None
        text = await core.read_namespaced_pod_log("guarded", "default", container="main")
        return text if "behind auth" in text else None

    if expect_status == 200:
        text = await eventually(logged, deadline_seconds=20, what="kubectl logs with auth on")
        assert "behind auth" in text
        return

    async def running() -> bool:
        pod = await read_pod(api, "default", "guarded")
        return bool(pod["status"].get("phase") == "Running")

    await eventually(running, deadline_seconds=20, what="guarded Running")
    with pytest.raises(client.ApiException) as info:
        await core.read_namespaced_pod_log("guarded", "default", container="main")
    assert info.value.status == expect_status
