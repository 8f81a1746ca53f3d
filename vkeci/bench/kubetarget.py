"""The API server a scale run talks to, reached the way kubectl would: through a kubeconfig.

The benchmark's own requests (the ceiling's writes, creating the agent's Pods, watching them,
reading the Lease) go through a plain aiohttp session, not kubernetes_asyncio, so the ceiling
is what a client without any framework gets. The kubeconfig is still read by
kubernetes_asyncio's loader, so every form of credentials it understands (token, client
certificate, exec plugin, CA data) works against a real cluster as it does for the agent.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import aiohttp
from kubernetes_asyncio import client, config

CONCURRENCY: Final = 32
"""Requests in flight at once (a Deployment controller creates in batches too)."""


@dataclass(frozen=True)
class KubeTarget:
    """Where the API server is and how to authenticate to it."""

    url: str
    headers: dict[str, str]
    ssl_context: ssl.SSLContext | bool
    """An SSL context for https, False for plain http."""

    @contextlib.asynccontextmanager
    async def session(self, *, limit: int = CONCURRENCY) -> AsyncIterator[aiohttp.ClientSession]:
        connector = aiohttp.TCPConnector(limit=limit, ssl=self.ssl_context)
        async with aiohttp.ClientSession(
            base_url=self.url,
            headers=self.headers,
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
        ) as session:
            yield session


async def load_target(kubeconfig: Path) -> KubeTarget:
    """Read `kubeconfig` (its current context) into a target for plain aiohttp requests."""
    configuration: Any = client.Configuration()
    await config.load_kube_config(
        config_file=str(kubeconfig), client_configuration=configuration, persist_config=False
    )
    headers = {"Accept": "application/json"}
    token = await configuration.get_api_key_with_prefix("BearerToken")
    if token:
        headers["Authorization"] = token
    url = str(configuration.host).rstrip("/")
    context: ssl.SSLContext | bool = False
    if url.startswith("https"):
        context = ssl.create_default_context(cafile=configuration.ssl_ca_cert or None)
        if not configuration.verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if configuration.cert_file:
            context.load_cert_chain(configuration.cert_file, configuration.key_file)
    return KubeTarget(url=url, headers=headers, ssl_context=context)
