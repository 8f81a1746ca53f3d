"""Raw JSON writes (`kube.rawwrites`) carry what the generated client's writes carry.

A recording HTTP server stands in for the API server, reached through a kubeconfig with
a bearer token: the raw write and the generated client's write of the same merge patch
must arrive with the same credentials and agent headers, and the same JSON.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from kubernetes_asyncio import client

from vkprovider.kube import rawwrites
from vkprovider.kube.calls import read_json
from vkprovider.kube.client import make_api_client

MERGE = "application/merge-patch+json"


class Recorder:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.requests.append((request.method, request.path, dict(request.headers), body))
        return web.json_response({"kind": "Pod", "metadata": {"resourceVersion": "7"}})


@pytest.fixture
async def recorder(tmp_path: Path) -> AsyncIterator[tuple[Recorder, Path]]:
    recording = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recording.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
                "users": [{"name": "u", "user": {"token": "secret-token"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    yield recording, kubeconfig
    await runner.cleanup()


async def test_a_raw_patch_arrives_as_the_generated_clients_does(
    recorder: tuple[Recorder, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    recording, kubeconfig = recorder
    api = await make_api_client(kubeconfig=str(kubeconfig))
    patch = {"metadata": {"uid": "u-1"}, "status": {"phase": "Running", "podIP": "10.0.0.7"}}
    try:
        resource = rawwrites.path("api", "v1", "namespaces", "ns", "pods", "web-0", "status")
        answer = await read_json(
            await rawwrites.send(api, "PATCH", resource, patch, content_type=MERGE)
        )
        core: Any = client.CoreV1Api(api)  # the stubs omit _content_type
        await core.patch_namespaced_pod_status(
            "web-0", "ns", patch, _content_type=MERGE, _preload_content=False
        )
    finally:
        await api.close()
    assert answer["metadata"]["resourceVersion"] == "7"
    (raw_method, raw_path, raw_headers, raw_body), generated = recording.requests
    assert (raw_method, raw_path, raw_body) == (
        "PATCH",
        "/api/v1/namespaces/ns/pods/web-0/status",
        patch,
    )
    assert generated[0:2] == (raw_method, raw_path)
    assert generated[3] == raw_body
    for header in ("Authorization", "Content-Type", "Accept", "User-Agent"):
        assert raw_headers[header] == generated[2][header], header
    assert raw_headers["Authorization"] == "Bearer secret-token"
    assert raw_headers["Content-Type"] == MERGE


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("api", "v1", "namespaces", "ns", "pods", "web-0.a_b~", "status"), None),
        (
            ("api", "v1", "namespaces", "a b", "events", "ä/é?#"),
            "/api/v1/namespaces/a%20b/events/%C3%A4%2F%C3%A9%3F%23",
        ),
    ],
)
def test_path_segments_are_quoted_only_when_they_need_it(
    parts: tuple[str, ...], expected: str | None
) -> None:
    assert rawwrites.path(*parts) == (expected or "/" + "/".join(parts))


@pytest.mark.parametrize("prefix", ["/", "/proxy/k8s", "/proxy/k8s/"])
async def test_a_raw_write_keeps_the_hosts_path_and_adds_no_slash(
    recorder: tuple[Recorder, Path], monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    recording, kubeconfig = recorder
    config = json.loads(kubeconfig.read_text())
    config["clusters"][0]["cluster"]["server"] += prefix
    kubeconfig.write_text(json.dumps(config))
    api = await make_api_client(kubeconfig=str(kubeconfig))
    try:
        for name in ("web-0", "web 1"):
            resource = rawwrites.path("api", "v1", "namespaces", "ns", "pods", name, "status")
            await read_json(await rawwrites.send(api, "PATCH", resource, {}, content_type=MERGE))
    finally:
        await api.close()
    base = prefix.rstrip("/")
    assert [request[1] for request in recording.requests] == [
        f"{base}/api/v1/namespaces/ns/pods/web-0/status",
        f"{base}/api/v1/namespaces/ns/pods/web 1/status",
    ]
