"""Build the kubernetes_asyncio ApiClient the agent uses for everything.

Order: an explicit `--kubeconfig`, else `$KUBECONFIG` (first existing path of
the list), else the in-cluster service account. The agent never special-cases
the embedded API server: it is just another kubeconfig.

kubernetes_asyncio opens its aiohttp session with `trust_env=True`, which makes
aiohttp look up proxy variables and `~/.netrc` in a thread pool on *every*
request (a fifth of the agent's CPU under load). The client built here gets a
session with `trust_env=False` on the library's own connector (same TLS
context and pool limit) instead; the environment's proxy for the API server
is resolved once, here, so `HTTPS_PROXY`/`NO_PROXY` still apply, and a
`proxy-url` in the kubeconfig still wins. The library is not patched globally.
"""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from kubernetes_asyncio import client, config

READ_BUFFER_BYTES = 2**21
"""aiohttp's read buffer, as kubernetes_asyncio sets it (watch events of big objects)."""


def kubeconfig_path(explicit: str = "") -> str | None:
    if explicit:
        return explicit
    for candidate in os.environ.get("KUBECONFIG", "").split(os.pathsep):
        if candidate and Path(candidate).expanduser().exists():
            return str(Path(candidate).expanduser())
    return None


def environment_proxy(url: str) -> str | None:
    """The proxy the environment names for `url` (`HTTPS_PROXY`, ... minus `NO_PROXY`)."""
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy


def _without_environment_lookups(api: client.ApiClient) -> None:
    """Swap the REST client's session for one on the same connector with `trust_env=False`."""
    rest = api.rest_client
    old: aiohttp.ClientSession = rest.pool_manager
    connector = old.connector
    old.detach()  # the connector (TLS context, limit) moves to the new session
    rest.pool_manager = aiohttp.ClientSession(
        connector=connector, trust_env=False, read_bufsize=READ_BUFFER_BYTES
    )
    host = api.configuration.host
    proxy = environment_proxy(host) if host and not rest.proxy else None
    if proxy:
        rest.proxy = proxy


async def make_api_client(*, kubeconfig: str = "") -> client.ApiClient:
    configuration = client.Configuration()
    path = kubeconfig_path(kubeconfig)
    if path is not None:
        await config.load_kube_config(config_file=path, client_configuration=configuration)
    else:
        config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    api = client.ApiClient(configuration)
    _without_environment_lookups(api)
    return api
