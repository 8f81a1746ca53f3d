"""`pods/exec`, `pods/attach`, `pods/portforward`: the upgrade proxied to the pod's kubelet.

kube-apiserver checks the Pod (bound to a node, not completed, the container
valid), then proxies the client's upgrade to
`https://node:port/{exec,attach,portForward}/{namespace}/{pod}[/{container}]`
with the kubelet client certificate it presents for logs (`localkube.logs`),
passing the streaming parameters through. An exec or attach WebSocket that
offers `v5.channel.k8s.io` (kubectl v1.30+) is not proxied but translated to
SPDY/3.1 towards the kubelet, as kube-apiserver's StreamTranslator does
(`localkube.streamtranslation`). Other WebSocket upgrades (v4 clients such as
kubernetes_asyncio's, and the port-forward tunnel): this proxy opens the
kubelet's side with the client's subprotocols, accepts the client with the one
the kubelet chose, and relays messages both ways unchanged. A kubelet that
refuses the upgrade gets the `Status` kube-apiserver makes of a kubelet's
error answer, which kubectl prints. SPDY/3.1 upgrades (kubectl's fallback, and
every client-go SPDY client) are proxied as bytes by `localkube.rawupgrades`,
as kube-apiserver's upgrade-aware proxy does.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import quote

import aiohttp
from aiohttp import web

from localkube import rawupgrades, streamtranslation
from localkube.errors import ApiError, Reason, bad_request
from localkube.logs import (
    KUBELET_CLIENT_TLS,
    KUBELET_CONNECT_TIMEOUT_SECONDS,
    MAX_KUBELET_ERROR_BYTES,
    kubelet_error,
    kubelet_url,
)
from localkube.shapes import JsonObject

SUBRESOURCES = {"exec": "exec", "attach": "attach", "portforward": "portForward"}
"""Pod subresource -> the kubelet's path segment."""
PASSED_PARAMETERS = ("command", "container", "stdin", "stdout", "stderr", "tty", "ports")


def kubelet_stream_url(
    *, pod: JsonObject, node: JsonObject | None, subresource: str, container: str | None
) -> str:
    """Where the pod's kubelet serves this stream (kube-apiserver's streamLocation)."""
    name = pod["metadata"]["name"]
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise bad_request(
            f"cannot {subresource} into a container in a completed pod; current phase is {phase}"
        )
    log_url = kubelet_url(pod=pod, node=node, container=container or "")
    if log_url is None:
        raise bad_request(f"pod {name} does not have a host assigned")
    base = log_url.split("/containerLogs/", 1)[0]
    namespace = pod["metadata"]["namespace"]
    path = f"/{SUBRESOURCES[subresource]}/{quote(namespace)}/{quote(name)}"
    if container is not None:
        path += f"/{quote(container)}"
    return base + path


async def _pump(
    source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
    sink: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
) -> None:
    async for message in source:
        if message.type is aiohttp.WSMsgType.BINARY:
            await sink.send_bytes(message.data)
        elif message.type is aiohttp.WSMsgType.TEXT:
            await sink.send_str(message.data)
        else:
            break


async def proxy_upgrade(
    request: web.Request, *, url: str, pod_name: str, kind: str
) -> web.StreamResponse:
    offered = [
        p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()
    ]
    params = [(k, v) for k, v in request.query.items() if k in PASSED_PARAMETERS]
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=KUBELET_CONNECT_TIMEOUT_SECONDS)
    tls = request.app.get(KUBELET_CLIENT_TLS, False)
    if streamtranslation.wants_translation(request, kind.removeprefix("pods/")):
        # kubectl's v5 WebSocket: kube-apiserver runs it on the kubelet over SPDY itself.
        return await streamtranslation.translate(request, url=url, params=params, tls=tls)
    if request.headers.get("Upgrade", "").lower() != "websocket":
        # SPDY/3.1 (client-go's fallback): the kubelet's answer and then its bytes, unread.
        return await rawupgrades.proxy(request, url=url, params=params, tls=tls)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        try:
            upstream = await session.ws_connect(
                url,
                params=params,
                protocols=offered,
                ssl=tls,
            )
        except aiohttp.WSServerHandshakeError as exc:
            # aiohttp drops a refused handshake's body: ask again without the upgrade for
            # the kubelet's own words.
            async with session.get(url, params=params, ssl=tls) as answer:
                text = (await answer.content.read(MAX_KUBELET_ERROR_BYTES)).decode(
                    "utf-8", "replace"
                )
            raise kubelet_error(exc.status, text, pod_name=pod_name, kind=kind) from exc
        except aiohttp.ClientError as exc:
            raise ApiError(
                code=500, reason=Reason.INTERNAL_ERROR, message=f'Get "{url}": {exc}'
            ) from exc
        async with upstream:
            down = web.WebSocketResponse(
                protocols=(upstream.protocol,) if upstream.protocol else ()
            )
            await down.prepare(request)
            upward = asyncio.create_task(_pump(down, upstream), name=f"{kind}-upstream")
            try:
                await _pump(upstream, down)
            finally:
                upward.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await upward
                await down.close()
            return down
