"""`pods/log`: proxy `kubectl logs` to the kubelet of the pod's node, as kube-apiserver does.

The apiserver finds the node the pod is bound to, reads the node's address (InternalIP,
else Hostname) and `status.daemonEndpoints.kubeletEndpoint.Port`, and streams
`https://address:port/containerLogs/{namespace}/{pod}/{container}` back to the client. Like
kube-apiserver without `--kubelet-certificate-authority`, it does not verify the kubelet's
serving certificate. It never reads logs itself: no kubelet, no logs.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web

from localkube.errors import ApiError, QualifiedResource, Reason, bad_request, not_found
from localkube.shapes import JsonObject

PASSED_PARAMETERS = (
    "follow",
    "previous",
    "sinceSeconds",
    "sinceTime",
    "timestamps",
    "tailLines",
    "limitBytes",
)
KUBELET_CONNECT_TIMEOUT_SECONDS = 10.0


def choose_container(pod: JsonObject, requested: str | None) -> str:
    name = pod["metadata"]["name"]
    spec = pod.get("spec") or {}
    containers = [c.get("name") for c in spec.get("containers") or []]
    others = [c.get("name") for c in spec.get("initContainers") or []]
    others += [c.get("name") for c in spec.get("ephemeralContainers") or []]
    if not requested:
        if len(containers) == 1:
            return str(containers[0])
        raise bad_request(
            f"a container name must be specified for pod {name}, choose one of: "
            f"[{' '.join(map(str, containers))}]"
            + (f" or one of the init containers: [{' '.join(map(str, others))}]" if others else "")
        )
    if requested not in containers + others:
        raise bad_request(f"container {requested} is not valid for pod {name}")
    return requested


def kubelet_url(*, pod: JsonObject, node: JsonObject | None, container: str) -> str | None:
    """Where the pod's kubelet serves this container's log; None for a pod on no node, whose
    log kube-apiserver answers with an empty 204 (it has no kubelet to ask)."""
    node_name = (pod.get("spec") or {}).get("nodeName")
    if not node_name:
        return None
    if node is None:
        raise not_found(resource=QualifiedResource("nodes"), name=node_name)
    status: Any = node.get("status") or {}
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    address = addresses.get("InternalIP") or addresses.get("Hostname")
    port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port")
    if not address or not port:
        raise ApiError(
            code=500,
            reason=Reason.INTERNAL_ERROR,
            message=f"Internal error occurred: node {node_name} has no kubelet address or port",
        )
    host = f"[{address}]" if ":" in str(address) else str(address)
    namespace = pod["metadata"]["namespace"]
    return f"https://{host}:{port}/containerLogs/{namespace}/{pod['metadata']['name']}/{container}"


async def proxy(request: web.Request, *, url: str) -> web.StreamResponse:
    params = {k: v for k, v in request.query.items() if k in PASSED_PARAMETERS}
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=KUBELET_CONNECT_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        try:
            upstream = await session.get(url, params=params, ssl=False)
        except aiohttp.ClientError as exc:
            raise ApiError(
                code=500,
                reason=Reason.INTERNAL_ERROR,
                message=f'Get "{url}": {exc}',
            ) from exc
        async with upstream:
            if upstream.status != 200:
                text = (await upstream.text()).strip()
                raise ApiError(
                    code=upstream.status if upstream.status < 500 else 500,
                    reason=Reason.BAD_REQUEST if upstream.status < 500 else Reason.INTERNAL_ERROR,
                    message=text or f"kubelet answered {upstream.status}",
                )
            response = web.StreamResponse(status=200)
            response.content_type = "text/plain"
            await response.prepare(request)
            try:
                async for chunk in upstream.content.iter_any():
                    await response.write(chunk)
                await response.write_eof()
            except ConnectionResetError:
                pass
            return response
