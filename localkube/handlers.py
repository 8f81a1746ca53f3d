"""Request handling for the Kubernetes API paths: discovery, routing, reads, watches, tables.

`_handle` goes through a request's phases: discovery documents, the URL's target
(`routing`), paths with a single verb (reviews, binding, log), then one method per verb;
reads are answered here (`Cluster`, `listing`, `watching`, `tables`), writes in `writes.py`.
Every failure leaves as a kube-shaped Status body. Nothing here decides semantics.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog
from aiohttp import web

from localkube import (
    discovery,
    logs,
    openapi,
    queries,
    resourcemetrics,
    reviews,
    streaming,
    tables,
)
from localkube.bodies import read_body
from localkube.cluster import Cluster
from localkube.errors import (
    ApiError,
    Reason,
    method_not_allowed,
    not_found_path,
)
from localkube.intake import WARNINGS_KEY
from localkube.listing import ListQuery, list_objects
from localkube.negotiation import (
    accepts_metadata_only,
    accepts_table,
    flag,
    json_reply,
    render_error,
)
from localkube.queries import go_int
from localkube.resources import Registry
from localkube.routing import Target, parse
from localkube.shapes import JsonObject
from localkube.store import Store
from localkube.watching import EventEncodings, WatchQuery, serve_watch
from localkube.writes import Writes

logger = structlog.get_logger("localkube")


class ApiHandlers:
    """aiohttp handlers over one cluster; `routes()` lists them."""

    def __init__(
        self,
        *,
        cluster: Cluster,
        bookmark_interval_seconds: float,
        default_watch_timeout_seconds: float,
    ) -> None:
        self.cluster = cluster
        self.store: Store = cluster.store
        self.registry: Registry = cluster.registry
        self._bookmark_interval_seconds = bookmark_interval_seconds
        self._default_watch_timeout_seconds = default_watch_timeout_seconds
        self.closing = False
        """Set when the server stops: new watches are refused with 503."""
        self.watch_tasks: set[asyncio.Task[Any]] = set()
        self.writes = Writes(cluster=cluster)
        self.resource_metrics = resourcemetrics.ResourceMetrics(store=cluster.store)
        self.watch_encodings = EventEncodings()
        """Watch event bytes shared by all watchers of this store."""

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/version", self._version),
            web.get("/version/", self._version),
            web.get("/api", self._api),
            web.get("/api/", self._api),
            web.get("/apis", self._apis),
            web.get("/apis/", self._apis),
            web.get("/openapi/v3", self._openapi_root),
            web.get("/openapi/v3/{prefix:.*}", self._openapi_group_version),
            web.get("/healthz", self._ok),
            web.get("/livez", self._ok),
            web.get("/readyz", self._ok),
            web.route("*", "/{tail:.*}", self._dispatch),
        ]

    # -- discovery ---------------------------------------------------------------------------

    async def _version(self, _: web.Request) -> web.Response:
        return json_reply(discovery.version())

    async def _api(self, request: web.Request) -> web.Response:
        return json_reply(discovery.core_versions(server_address=request.host))

    async def _apis(self, _: web.Request) -> web.Response:
        groups = discovery.group_list(self.registry)
        groups["groups"].append(resourcemetrics.group_entry())
        return json_reply(groups)

    async def _openapi_root(self, _: web.Request) -> web.Response:
        return json_reply(openapi.root_document(self.registry))

    async def _openapi_group_version(self, request: web.Request) -> web.Response:
        parts = request.match_info["prefix"].strip("/").split("/")
        document = None
        if parts[:1] == ["api"] and len(parts) == 2:
            document = openapi.group_version_document(self.registry, group="", version=parts[1])
        elif parts[:1] == ["apis"] and len(parts) == 3:
            document = openapi.group_version_document(
                self.registry, group=parts[1], version=parts[2]
            )
        if document is None:
            return render_error(not_found_path())
        return json_reply(document)

    async def _ok(self, _: web.Request) -> web.Response:
        return web.Response(text="ok")

    # -- API requests ------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        try:
            response = await self._handle(request)
        except ApiError as error:
            if error.code >= 500:
                logger.warning("request failed", path=request.path, error=str(error))
            return render_error(error)
        for warning in request.get(WARNINGS_KEY, ()):
            response.headers.add("Warning", warning)
        return response

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Discovery documents, then the URL's target, then its subresource or verb."""
        if request.path.startswith(resourcemetrics.PREFIX + "/"):
            return await self.resource_metrics.handle(request)
        if request.method == "GET":
            document = self._discovery_document(request.path.rstrip("/"))
            if document is not None:
                return json_reply(document)
        target = parse(request.path.rstrip("/"), self.registry)
        special = await self._special(request, target)
        if special is not None:
            return special
        verb = {
            "GET": self._get,
            "POST": self.writes.post,
            "PUT": self.writes.put,
            "PATCH": self.writes.patch,
            "DELETE": self.writes.delete,
        }.get(request.method)
        if verb is None:
            raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
        return await verb(request, target)

    async def _special(self, request: web.Request, target: Target) -> web.StreamResponse | None:
        """Reviews, `pods/binding`, `.../scale` and `pods/log`: paths of their own."""
        if target.resource.key in reviews.REVIEW_KEYS:
            if request.method != "POST" or target.name is not None:
                raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
            return json_reply(reviews.review(target.resource, await read_body(request)), 201)
        if target.subresource == "binding":
            if request.method != "POST":
                raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
            return await self.writes.bind(request, target)
        if target.subresource == "scale":
            return await self.writes.scale(request, target)
        if target.subresource == "log":
            if request.method != "GET":
                raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
            return await self._pod_log(request, target)
        if target.subresource in streaming.SUBRESOURCES:
            if request.method not in ("GET", "POST"):
                raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
            return await self._pod_stream(request, target)
        return None

    async def _get(self, request: web.Request, target: Target) -> web.StreamResponse:
        # `?watch=true` on an object URL is ignored by kube-apiserver (it answers the object);
        # only a collection or the legacy `/watch/` prefix streams.
        if target.legacy_watch or (target.name is None and flag(request.query.get("watch"))):
            return await self._watch(request, target)
        if target.name is None:
            return self._list(request, target)
        obj = self.cluster.get(target.resource, namespace=target.namespace or "", name=target.name)
        return self._object_response(request, target, obj)

    def _discovery_document(self, path: str) -> JsonObject | None:
        segments = [s for s in path.split("/") if s]
        if segments == ["apis", resourcemetrics.GROUP]:
            return {"kind": "APIGroup", "apiVersion": "v1", **resourcemetrics.group_entry()}
        if segments == ["apis", resourcemetrics.GROUP, resourcemetrics.VERSION]:
            return resourcemetrics.resource_list()
        if segments == ["api", "v1"]:
            return discovery.resource_list(self.registry, group="", version="v1")
        if len(segments) == 2 and segments[0] == "apis":
            found = discovery.group(self.registry, segments[1])
            if found is None:
                raise not_found_path()
            return found
        if len(segments) == 3 and segments[0] == "apis":
            found = discovery.resource_list(self.registry, group=segments[1], version=segments[2])
            if found is None:
                raise not_found_path()
            return found
        return None

    def _object_response(
        self, request: web.Request, target: Target, obj: JsonObject
    ) -> web.Response:
        if accepts_table(request):
            table = tables.to_table(
                target.resource,
                [obj],
                list_metadata={"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                include=request.query.get("includeObject", "Metadata"),
            )
            return json_reply(table)
        if accepts_metadata_only(request):
            return json_reply(
                {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": obj["metadata"],
                }
            )
        return json_reply(obj)

    def _list(self, request: web.Request, target: Target) -> web.Response:
        labels, fields = queries.selectors(request, target)
        limit = go_int(request.query.get("limit")) or None
        queries.resource_version(request.query.get("resourceVersion"))
        query = ListQuery(
            namespace=target.namespace,
            labels=labels,
            fields=fields,
            limit=limit,
            continue_token=request.query.get("continue") or None,
        )
        result = list_objects(store=self.store, resource=target.resource, query=query)
        if accepts_table(request):
            items = [
                {**item, "apiVersion": target.resource.api_version, "kind": target.resource.kind}
                for item in result["items"]
            ]
            return json_reply(
                tables.to_table(
                    target.resource,
                    items,
                    list_metadata=result["metadata"],
                    include=request.query.get("includeObject", "Metadata"),
                )
            )
        if accepts_metadata_only(request):
            return json_reply(
                {
                    "kind": "PartialObjectMetadataList",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": result["metadata"],
                    "items": [
                        {
                            "kind": "PartialObjectMetadata",
                            "apiVersion": "meta.k8s.io/v1",
                            "metadata": item["metadata"],
                        }
                        for item in result["items"]
                    ],
                }
            )
        return json_reply(result)

    def _watch_renderer(
        self, request: web.Request, target: Target
    ) -> Callable[[JsonObject], JsonObject] | None:
        """`kubectl get -w` wants every event's object as a one-row Table."""
        if not accepts_table(request):
            return None
        include = request.query.get("includeObject", "Metadata")

        def render(obj: JsonObject) -> JsonObject:
            metadata = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
            return tables.to_table(target.resource, [obj], list_metadata=metadata, include=include)

        return render

    async def _watch(self, request: web.Request, target: Target) -> web.StreamResponse:
        labels, fields = queries.selectors(request, target)
        if target.name is not None:
            fields = fields.pinned_to_name(target.name)
        timeout = go_int(request.query.get("timeoutSeconds"))
        query = WatchQuery(
            namespace=target.namespace,
            labels=labels,
            fields=fields,
            resource_version=request.query.get("resourceVersion"),
            timeout_seconds=timeout or self._default_watch_timeout_seconds,
            allow_bookmarks=flag(request.query.get("allowWatchBookmarks")),
            bookmark_interval_seconds=self._bookmark_interval_seconds,
            render=self._watch_renderer(request, target),
        )
        if self.closing:
            raise ApiError(
                code=503,
                reason=Reason.SERVICE_UNAVAILABLE,
                message="apiserver is shutting down",
            )
        task = asyncio.current_task()
        assert task is not None
        self.watch_tasks.add(task)
        try:
            return await serve_watch(
                request,
                store=self.store,
                resource=target.resource,
                query=query,
                encodings=self.watch_encodings,
            )
        finally:
            self.watch_tasks.discard(task)

    async def _pod_stream(self, request: web.Request, target: Target) -> web.StreamResponse:
        """`pods/exec`, `pods/attach`, `pods/portforward`: the upgrade goes to the kubelet."""
        assert target.name is not None
        assert target.subresource is not None
        pod = self.cluster.get(target.resource, namespace=target.namespace or "", name=target.name)
        container = None
        if target.subresource != "portforward":
            container = logs.choose_container(pod, request.query.get("container"))
        node_name = (pod.get("spec") or {}).get("nodeName") or ""
        node = self.store.get(("", "nodes"), ("", node_name)) if node_name else None
        url = streaming.kubelet_stream_url(
            pod=pod, node=node, subresource=target.subresource, container=container
        )
        return await streaming.proxy_upgrade(
            request, url=url, pod_name=target.name, kind=f"pods/{target.subresource}"
        )

    async def _pod_log(self, request: web.Request, target: Target) -> web.StreamResponse:
        assert target.name is not None
        pod = self.cluster.get(target.resource, namespace=target.namespace or "", name=target.name)
        container = logs.choose_container(pod, request.query.get("container"))
        node_name = (pod.get("spec") or {}).get("nodeName") or ""
        node = self.store.get(("", "nodes"), ("", node_name)) if node_name else None
        url = logs.kubelet_url(pod=pod, node=node, container=container)
        if url is None:
            return web.Response(status=204)
        return await logs.proxy(request, url=url)
