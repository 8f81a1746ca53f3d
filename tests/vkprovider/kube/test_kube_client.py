"""The agent's own Kubernetes client: reaches the API server, honours proxy settings.

Its aiohttp session does not consult the environment per request (that cost a fifth of
the agent's CPU), so the environment's proxy is resolved once when the client is built.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
import pytest
from kubernetes_asyncio import client

from tests.fixtures.kube import KubeTarget
from vkprovider.kube.client import make_api_client

CLOSED_PROXY = "http://127.0.0.1:9"
"""The discard port: nothing listens, so a request sent through this proxy fails."""


def _clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


async def test_agent_client_reads_the_api_server(
    kube: KubeTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_proxies(monkeypatch)
    api = await make_api_client(kubeconfig=str(kube.kubeconfig))
    try:
        namespaces = await client.CoreV1Api(api).list_namespace()
        assert "default" in {ns.metadata.name for ns in namespaces.items}
    finally:
        await api.close()


async def test_environment_proxy_is_used_unless_no_proxy_names_the_server(
    kube: KubeTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_proxies(monkeypatch)
    for name in ("HTTPS_PROXY", "HTTP_PROXY"):
        monkeypatch.setenv(name, CLOSED_PROXY)
    api = await make_api_client(kubeconfig=str(kube.kubeconfig))
    try:
        with pytest.raises(aiohttp.ClientError):
            await client.CoreV1Api(api).list_namespace(_request_timeout=10)
    finally:
        await api.close()
    host = urlsplit(api.configuration.host or "").hostname
    assert host
    monkeypatch.setenv("NO_PROXY", host)
    api = await make_api_client(kubeconfig=str(kube.kubeconfig))
    try:
        assert (await client.CoreV1Api(api).list_namespace()).items
    finally:
        await api.close()
