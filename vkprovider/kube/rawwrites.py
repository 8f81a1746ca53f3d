"""JSON writes sent as ready bytes on the ApiClient's own session, auth and host.

The generated kubernetes_asyncio methods walk every body through
`sanitize_for_serialization`, serialise it with the standard library's json, select
headers and build the URL again on every call: about a third of the CPU of a Pod's status
patch (profiled at 2,000 Pods). The agent's writes are plain dicts it built itself, so
`send` serialises them once with orjson and sends them through the same
`aiohttp.ClientSession` the ApiClient uses (its connector: TLS context, client
certificate, pool), with the ApiClient's default headers and its configuration's
authentication (`update_params_for_auth`, which also refreshes an exec or OIDC token as
the generated methods do), to `configuration.host`, through the REST client's proxy.

Per call it does no more than a write needs (about 120 us of aiohttp's CPU a request, so
every microsecond counts at 10,000 Pods): the URL is the host's `yarl.URL`, parsed once
per host, with the already quoted path put in as it is (`with_path(encoded=True)`: no
reparse and requoting of a new string per Pod, 5.0 -> 1.4 us), and the timeout is one
constant.

The answer is the aiohttp response, as `_preload_content=False` gives it: read it with
`vkprovider.kube.calls.read_json` or `read_nothing`, which turn a non-2xx status into the
`ApiException` the generated client raises.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from kubernetes_asyncio import client
from yarl import URL

from vkprovider import rawjson

AUTH_SETTINGS = ["BearerToken"]
"""What every generated core/v1 method authenticates with (client certificates are in the
session's TLS context)."""


_PLAIN = re.compile(r"[A-Za-z0-9._~-]*")
"""Characters a path segment keeps as they are (every Kubernetes name is made of them)."""


NO_TIMEOUT: Final = aiohttp.ClientTimeout()
"""None, as the REST client sets it (one value: aiohttp only reads it)."""


@functools.lru_cache(maxsize=8)
def _base_url(host: str) -> URL:
    """`configuration.host` parsed (a client has one; the cache is there for the host it
    may be given again, e.g. after a reload)."""
    return URL(host)


def path(*parts: str) -> str:
    """`/api/v1/namespaces/ns/pods/name`-style path, each part quoted as a path segment."""
    return "/" + "/".join(
        part if _PLAIN.fullmatch(part) else quote(part, safe="") for part in parts
    )


async def send(
    api: client.ApiClient,
    method: str,
    resource_path: str,
    body: Any,
    *,
    content_type: str = "application/json",
) -> aiohttp.ClientResponse:
    """`method` `resource_path` with `body` (a JSON-able value) as orjson bytes."""
    headers: dict[str, str] = dict(api.default_headers)
    headers["Accept"] = "application/json"
    headers["Content-Type"] = content_type
    await api.update_params_for_auth(headers, [], AUTH_SETTINGS)
    rest = api.rest_client
    extra: dict[str, Any] = {}
    if rest.proxy:
        extra["proxy"] = rest.proxy
    if rest.proxy_headers:
        extra["proxy_headers"] = rest.proxy_headers
    if rest.server_hostname:
        extra["server_hostname"] = rest.server_hostname
    session: aiohttp.ClientSession = rest.pool_manager
    base = _base_url(api.configuration.host)
    url = base.with_path(base.raw_path.rstrip("/") + resource_path, encoded=True)
    return await session.request(
        method,
        url,
        data=rawjson.dumps(body),
        headers=headers,
        timeout=NO_TIMEOUT,
        **extra,
    )


__all__ = ["AUTH_SETTINGS", "path", "send"]
