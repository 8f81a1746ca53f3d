"""The kubelet API over HTTPS: what `kubectl logs` and metrics servers call.

Routes: `/containerLogs/{ns}/{pod}/{container}` (tailLines, limitBytes,
timestamps, sinceSeconds, follow), `/pods`, `/stats/summary`,
`/metrics/resource`, `/metrics` (Prometheus, the agent's own metrics),
`/healthz`, and `/exec/...` over SPDY/3.1 (`vkprovider.kubelet.spdyexecs`, what
kube-apiserver speaks) or WebSocket (`vkprovider.kubelet.execs`), both run by
ECI's ExecContainerCommand. `attach` is refused on the error channel;
`portForward` and `run` answer 501 naming ECI, so kubectl says why instead of
a bare 404. Logs come
from ECI's DescribeContainerLog; the stats and resource metrics from ECI's
DescribeMultiContainerGroupMetric (`vkprovider.kubelet.usage`).
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import TYPE_CHECKING, Any

from aiohttp import web
from kubernetes_asyncio import client
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from vkprovider.clocks import kube_time, utc_now
from vkprovider.eci.errors import EciError, EciNotFound
from vkprovider.kubelet import execs, spdyexecs, usage
from vkprovider.kubelet.auth import KubeletAuth, certificate_user
from vkprovider.kubelet.certificates import server_context
from vkprovider.settings import KubeletSettings
from vkprovider.types import PodKey

if TYPE_CHECKING:
    from vkprovider.pods.cloudstate import PodCloudState
    from vkprovider.pods.controller import PodController

FOLLOW_POLL_SECONDS = 1.0
UNSUPPORTED_STREAMING = ("portForward", "run")


def _int_param(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise web.HTTPBadRequest(text=f"{name}: {value!r} is not an integer") from exc
    if number < 0:
        raise web.HTTPBadRequest(text=f"{name}: {value!r} must not be negative")
    return number


def _bool_param(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in {"1", "true", "yes"}


class KubeletServer:
    def __init__(
        self,
        *,
        settings: KubeletSettings,
        controller: PodController,
        state: PodCloudState,
        api: client.ApiClient,
        node_name: str,
        logger: Any,
    ) -> None:
        self._settings = settings
        self._controller = controller
        self._state = state
        self._node = node_name
        self._logger = logger
        self._auth = KubeletAuth(api=api, node_name=node_name) if settings.authentication else None
        cluster_ca = getattr(api.configuration, "ssl_ca_cert", None)
        self._default_client_ca = str(cluster_ca) if settings.authentication and cluster_ca else ""
        self._runner: web.AppRunner | None = None
        self.port = settings.port
        self.cert_path = ""
        self._started = kube_time()
        self._cpu_counters = usage.CpuCounters()

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._authenticate])
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/pods", self.pods)
        app.router.add_get("/containerLogs/{namespace}/{pod}/{container}", self.container_logs)
        app.router.add_get("/stats/summary", self.stats_summary)
        app.router.add_get("/metrics/resource", self.metrics_resource)
        app.router.add_get("/metrics", self.metrics)
        for path in (
            "/exec/{namespace}/{pod}/{container}",
            "/exec/{namespace}/{pod}/{uid}/{container}",
        ):
            app.router.add_route("GET", path, self.exec)
            app.router.add_route("POST", path, self.exec)
        app.router.add_route("*", "/attach/{rest:.*}", self.attach)
        for feature in UNSUPPORTED_STREAMING:
            app.router.add_route("*", f"/{feature}/{{rest:.*}}", self.unsupported)
        return app

    async def unsupported(self, request: web.Request) -> web.StreamResponse:
        feature = request.path.split("/")[1]
        # No ": " in this text: client-go reads a refused SPDY upgrade's body as YAML first,
        # and "a: b" would decode to an empty Status, so kubectl would print no reason at all.
        raise web.HTTPNotImplemented(
            text=(
                f"{feature} is not supported on virtual node {self._node}, as ECI (elastic "
                "container instance) does not offer it to its container groups; use kubectl "
                "exec or kubectl logs"
            )
        )

    async def exec(self, request: web.Request) -> web.StreamResponse:
        spdy = spdyexecs.is_spdy_upgrade(request)
        if not spdy and request.headers.get("Upgrade", "").lower() != "websocket":
            raise web.HTTPBadRequest(
                text=(
                    "virtual node exec is a streaming upgrade: SPDY/3.1 (X-Stream-Protocol-"
                    "Version v5/v4/v3/v2.channel.k8s.io) or WebSocket (v5.channel.k8s.io, "
                    "v4.channel.k8s.io)"
                )
            )
        options = execs.exec_options(request)
        namespace = request.match_info["namespace"]
        name = request.match_info["pod"]

        async def session_uri() -> str:
            group_id = self._group_of(namespace, name)
            try:
                return await self._controller.cloud.exec_session(
                    group_id=group_id, container=request.match_info["container"], **options
                )
            except EciError as exc:
                raise web.HTTPBadRequest(text=f"ECI ExecContainerCommand: {exc}") from exc

        if spdy:
            return await spdyexecs.serve(request=request, session_uri=session_uri)
        return await execs.relay(request=request, session_uri=session_uri)

    async def attach(self, request: web.Request) -> web.StreamResponse:
        async def refused() -> str:
            raise web.HTTPBadRequest(
                text=(
                    "attach is not supported by ECI (elastic container instance): a container's "
                    "main process cannot be attached to; use kubectl logs -f, or kubectl exec"
                )
            )

        if spdyexecs.is_spdy_upgrade(request):
            return await spdyexecs.serve(request=request, session_uri=refused)
        return await execs.relay(request=request, session_uri=refused)

    async def start(self) -> None:
        context, cert_path = server_context(
            self._settings, node_name=self._node, default_client_ca=self._default_client_ca
        )
        self.cert_path = str(cert_path)
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, self._settings.host, self._settings.port, ssl_context=context
        )
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._logger.info(
            "kubelet API listening",
            host=self._settings.host,
            port=self.port,
            authentication=(
                "client certificates, TokenReview, SubjectAccessReview"
                if self._auth is not None
                else "none (anonymous requests served)"
            ),
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self._auth is not None:
            header = request.headers.get("Authorization", "")
            token = header[7:].strip() if header.lower().startswith("bearer ") else ""
            transport = request.transport
            peercert = transport.get_extra_info("peercert") if transport is not None else None
            status, reason = await self._auth.check(
                token=token,
                method=request.method,
                path=request.path,
                certificate_user=certificate_user(peercert),
            )
            if status != 200:
                return web.Response(status=status, text=reason)
        response: web.StreamResponse = await handler(request)
        return response

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def pods(self, request: web.Request) -> web.Response:
        items = self._controller.pods()
        body = {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items}
        return web.json_response(body)

    def _group_of(self, namespace: str, name: str) -> str:
        pod = self._controller.pod(PodKey(f"{namespace}/{name}"))
        if pod is None:
            raise web.HTTPNotFound(text=f'pods "{name}" not found in namespace "{namespace}"')
        group_id = self._state.group_of(pod["metadata"]["uid"])
        if group_id is None:
            raise web.HTTPNotFound(text=f"pod {namespace}/{name} has no ECI container group (yet)")
        return str(group_id)

    async def container_logs(self, request: web.Request) -> web.StreamResponse:
        namespace = request.match_info["namespace"]
        name = request.match_info["pod"]
        container = request.match_info["container"]
        group_id = self._group_of(namespace, name)
        tail = _int_param(request, "tailLines")
        limit_bytes = _int_param(request, "limitBytes")
        since = _int_param(request, "sinceSeconds")
        if since is not None:
            # The user means real seconds; ECI counts its own (a simulator may run faster).
            since = math.ceil(since * self._state.eci_rate)
        timestamps = _bool_param(request, "timestamps")
        try:
            text = await self._controller.cloud.logs(
                group_id=group_id,
                container=container,
                tail=tail,
                limit_bytes=limit_bytes,
                since_seconds=since,
                timestamps=timestamps,
            )
        except EciNotFound as exc:
            # The kubelet's shape: 404 with a plain-text reason (the apiserver makes it a
            # NotFound Status), never a 502 for an instance that is simply gone.
            raise web.HTTPNotFound(
                text=(
                    f"container group {group_id} of pod {namespace}/{name} no longer exists "
                    f"({exc.code})"
                )
            ) from exc
        except EciError as exc:
            raise web.HTTPBadGateway(text=str(exc)) from exc
        if limit_bytes is not None:
            text = text.encode()[:limit_bytes].decode("utf-8", "ignore")
        if not _bool_param(request, "follow"):
            return web.Response(text=text, content_type="text/plain")
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        try:
            await response.write(text.encode())
            sent = await self._full_log(group_id, container, timestamps)
            finished = False
            while not finished:
                finished = self._finished(namespace, name, container)
                if not finished:
                    await asyncio.sleep(FOLLOW_POLL_SECONDS)
                try:
                    full = await self._full_log(group_id, container, timestamps)
                except EciError:
                    break
                if full.startswith(sent):
                    await response.write(full[len(sent) :].encode())
                sent = full
            await response.write_eof()
        except ConnectionResetError:
            pass  # the client stopped following
        return response

    async def _full_log(self, group_id: str, container: str, timestamps: bool) -> str:
        return await self._controller.cloud.logs(
            group_id=group_id, container=container, timestamps=timestamps
        )

    def _finished(self, namespace: str, name: str, container: str) -> bool:
        pod = self._controller.pod(PodKey(f"{namespace}/{name}"))
        if pod is None:
            return True
        for status in (pod.get("status") or {}).get("containerStatuses") or []:
            if status.get("name") == container:
                return "terminated" in (status.get("state") or {})
        return False

    async def _usages(self) -> tuple[list[usage.PodUsage], bool]:
        """Usage of every Pod whose group ECI has a record for; True when ECI failed."""
        by_group: dict[str, dict[str, Any]] = {}
        for pod in self._controller.pods():
            group_id = self._state.group_of(pod["metadata"]["uid"])
            if group_id is not None:
                by_group[str(group_id)] = pod
        try:
            records = await self._controller.cloud.group_metrics(list(by_group))
        except EciError as exc:
            self._logger.warning("usage metrics unavailable", error=str(exc))
            return [], True
        pairs = [(by_group[g], record) for g, record in records.items() if g in by_group]
        usages = usage.pod_usages(
            pairs, eci_rate=self._state.eci_rate, counters=self._cpu_counters, now=self._state.now()
        )
        return usages, False

    async def stats_summary(self, request: web.Request) -> web.Response:
        pods, _ = await self._usages()
        now = kube_time()
        body = usage.summary(node=self._node, started=self._started, now=now, pods=pods)
        return web.Response(text=json.dumps(body), content_type="application/json")

    async def metrics_resource(self, request: web.Request) -> web.Response:
        pods, failed = await self._usages()
        millis = int(utc_now().timestamp() * 1000)
        text = usage.resource_metrics(pods=pods, millis=millis, scrape_error=failed)
        return web.Response(text=text, content_type="text/plain")

    async def metrics(self, request: web.Request) -> web.Response:
        self._controller.update_phase_gauge()
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
