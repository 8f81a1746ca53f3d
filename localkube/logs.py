"""`pods/log`: proxy `kubectl logs` to the kubelet of the pod's node, as kube-apiserver does.

The apiserver finds the node the pod is bound to, reads the node's address (InternalIP,
else Hostname) and `status.daemonEndpoints.kubeletEndpoint.Port`, and streams
`https://address:port/containerLogs/{namespace}/{pod}/{container}` back to the client. Like
kube-apiserver without `--kubelet-certificate-authority`, it does not verify the kubelet's
serving certificate; like kube-apiserver with `--kubelet-client-certificate/-key`
(`LocalKubeSettings.kubelet_client_certificate/_key`), it presents a client certificate, so
a kubelet that authenticates its callers (the default) serves it. A kubelet's error answer
becomes the `Status` kube-apiserver makes of it. It never reads logs itself: no kubelet, no
logs.
"""

from __future__ import annotations

import json
import ssl
from typing import Any

import aiohttp
from aiohttp import web

from localkube.errors import ApiError, QualifiedResource, Reason, bad_request, not_found
from localkube.shapes import JsonObject

KUBELET_CLIENT_TLS: web.AppKey[ssl.SSLContext | bool] = web.AppKey("kubelet_client_tls")
"""The app's TLS setting for calls to kubelets: a context with the client certificate, or
False (TLS without verification, no certificate)."""

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
MAX_KUBELET_ERROR_BYTES = 50_000
"""How much of a kubelet's error answer is read (kube-apiserver's maxReadLength)."""

GENERIC_ANSWERS: dict[int, tuple[Reason, str]] = {
    404: (Reason.NOT_FOUND, "the server could not find the requested resource"),
    401: (Reason.UNAUTHORIZED, "the server has asked for the client to provide credentials"),
    403: (Reason.FORBIDDEN, ""),
    405: (
        Reason.METHOD_NOT_ALLOWED,
        "the server does not allow this method on the requested resource",
    ),
    409: (Reason.CONFLICT, "the server reported a conflict"),
    422: (Reason.INVALID, "the server rejected our request due to an error in our request"),
    429: (
        Reason.TOO_MANY_REQUESTS,
        "the server has received too many requests and has asked us to try again later",
    ),
    504: (
        Reason.TIMEOUT,
        "the server was unable to return a response in the time allotted, but may still be "
        "processing the request",
    ),
}
"""apimachinery's wording for a status it has no body for (NewGenericServerResponse)."""


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


def kubelet_client_context(*, certificate: str, key: str) -> ssl.SSLContext | bool:
    """TLS for calls to kubelets: the serving certificate is not verified (no
    `--kubelet-certificate-authority`); the client certificate is presented when given."""
    if not certificate:
        return False
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.load_cert_chain(certificate, key or None)
    return context


def kubelet_error(status: int, text: str, *, pod_name: str, kind: str = "pods/log") -> ApiError:
    """The `Status` kube-apiserver makes of a kubelet's non-2xx answer to `pods/log`.

    The kubelet answers errors as plain text; the apiserver's response checker keeps that
    text for 500 (InternalError) and 400 (BadRequest), and otherwise answers its generic
    wording for the status, naming `pods/log` and the Pod (apimachinery's
    NewGenericServerResponse with an empty verb, hence the blank before `pods/log`).
    """
    if status == 500:
        return ApiError(
            code=500,
            reason=Reason.INTERNAL_ERROR,
            message=f"Internal error occurred: {text}",
            details={"causes": [{"message": text}]},
        )
    if status == 400:
        return bad_request(text)
    reason, message = GENERIC_ANSWERS.get(status, (None, ""))
    if reason is None:
        if status >= 500:
            reason = Reason.INTERNAL_ERROR
            message = (
                f"an error on the server ({json.dumps(text)}) has prevented the request "
                "from succeeding"
            )
        else:
            reason = Reason.UNKNOWN
            message = (
                f"the server responded with the status code {status} but did not return "
                "more information"
            )
    if status == 403:
        message = text
    return ApiError(
        code=status,
        reason=reason,
        message=f"{message} ( {kind} {pod_name})",
        details={"name": pod_name, "kind": kind},
    )


async def proxy(request: web.Request, *, url: str) -> web.StreamResponse:
    pod_name = url.rsplit("/", 2)[-2]  # .../containerLogs/{namespace}/{pod}/{container}
    params = {k: v for k, v in request.query.items() if k in PASSED_PARAMETERS}
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=KUBELET_CONNECT_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        try:
            tls = request.app.get(KUBELET_CLIENT_TLS, False)
            upstream = await session.get(url, params=params, ssl=tls)
        except aiohttp.ClientError as exc:
            raise ApiError(
                code=500,
                reason=Reason.INTERNAL_ERROR,
                message=f'Get "{url}": {exc}',
            ) from exc
        async with upstream:
            if not 200 <= upstream.status <= 206:
                text = (await upstream.content.read(MAX_KUBELET_ERROR_BYTES)).decode(
                    "utf-8", "replace"
                )
                raise kubelet_error(upstream.status, text, pod_name=pod_name)
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
