"""Request handling for the Kubernetes API paths: discovery, CRUD, lists, watches, tables.

Each request is parsed here (URL, query, body, Accept) and handed to `Cluster` (reads and
writes), `listing` (lists), `watching` (watches) or `tables` (kubectl's Table output); every
failure leaves as a kube-shaped Status body. Nothing here decides semantics.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog
from aiohttp import web

from localkube import binding, discovery, logs, openapi, reviews, scaling, tables, validation
from localkube.cluster import Cluster
from localkube.conversion import SELECTOR_ALIASES, is_events_v1
from localkube.deleting import DeleteOptions
from localkube.errors import (
    ApiError,
    Reason,
    bad_request,
    method_not_allowed,
    not_found_path,
    unsupported_media_type,
)
from localkube.listing import ListQuery, list_objects
from localkube.negotiation import (
    accepts_metadata_only,
    accepts_table,
    flag,
    json_reply,
    read_body,
    render_error,
)
from localkube.patching import PatchType
from localkube.resources import Registry
from localkube.routing import Target, parse
from localkube.selectors import parse_field_selector, parse_label_selector
from localkube.shapes import JsonObject
from localkube.store import Store
from localkube.watching import WatchQuery, serve_watch

logger = structlog.get_logger("localkube")

WARNINGS_KEY = web.RequestKey("localkube.warnings", list[str])
"""Where a request's `Warning` header values (RFC 7234 code 299, as kube sends) are kept."""


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
        return json_reply(discovery.group_list(self.registry))

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
        path = request.path.rstrip("/")
        segments = [s for s in path.split("/") if s]
        if request.method == "GET":
            document = self._discovery_document(segments)
            if document is not None:
                return json_reply(document)
        target = parse(path, self.registry)
        if target.resource.key in reviews.REVIEW_KEYS:
            if request.method != "POST" or target.name is not None:
                raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
            return json_reply(reviews.review(target.resource, await read_body(request)), 201)
        if target.subresource == "binding" and request.method != "POST":
            raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
        if target.subresource == "scale":
            return await self._scale(request, target)
        if target.subresource == "log":
            if request.method != "GET":
                raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
            return await self._pod_log(request, target)
        if request.method == "GET":
            if target.legacy_watch or flag(request.query.get("watch")):
                return await self._watch(request, target)
            if target.name is None:
                return self._list(request, target)
            obj = self.cluster.get(
                target.resource, namespace=target.namespace or "", name=target.name
            )
            return self._object_response(request, target, obj)
        if request.method == "POST" and target.subresource == "binding":
            return await self._bind(request, target)
        if (request.method == "POST" and target.name is None and target.namespace is not None) or (
            request.method == "POST" and target.name is None and not target.resource.namespaced
        ):
            obj = self.cluster.create(
                target.resource,
                namespace=target.namespace or "",
                body=self._strict_fields(request, target, await read_body(request)),
                dry_run=self._dry_run(request),
            )
            return json_reply(obj, status=201)
        if target.name is None:
            if request.method == "DELETE":
                return await self._delete_collection(request, target)
            raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
        namespace = target.namespace or ""
        if request.method == "PUT":
            obj = self.cluster.update(
                target.resource,
                namespace=namespace,
                name=target.name,
                body=self._strict_fields(request, target, await read_body(request)),
                subresource=target.subresource,
                dry_run=self._dry_run(request),
            )
            return json_reply(obj)
        if request.method == "PATCH":
            try:
                patch_type = PatchType(request.content_type)
            except ValueError as exc:
                raise unsupported_media_type(request.content_type) from exc
            patch = await read_body(request)
            if patch_type is PatchType.MERGE:
                patch = self._strict_fields(request, target, patch)
            obj = self.cluster.patch(
                target.resource,
                namespace=namespace,
                name=target.name,
                patch_type=patch_type,
                patch=patch,
                subresource=target.subresource,
                dry_run=self._dry_run(request),
            )
            return json_reply(obj)
        if request.method == "DELETE" and target.subresource is None:
            body = await read_body(request)
            options = DeleteOptions.from_body(
                body if isinstance(body, dict) else None,
                grace_query=request.query.get("gracePeriodSeconds"),
                propagation_query=request.query.get("propagationPolicy"),
            )
            response, _ = self.cluster.delete(
                target.resource,
                namespace=namespace,
                name=target.name,
                options=options,
                dry_run=self._dry_run(request),
            )
            return json_reply(response)
        raise method_not_allowed(verb=request.method, resource=target.resource.qualified)

    def _discovery_document(self, segments: list[str]) -> JsonObject | None:
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

    def _strict_fields(self, request: web.Request, target: Target, body: Any) -> Any:
        """Unknown fields of a custom resource: a 400 with `fieldValidation=Strict`, a
        `Warning` header each by default (`Warn`, as kube-apiserver), nothing with `Ignore`."""
        schema = target.resource.schema
        mode = request.query.get("fieldValidation") or "Warn"
        if mode == "Ignore" or schema is None or not isinstance(body, dict):
            return body
        unknown = validation.unknown_fields(body, schema)
        if unknown and mode == "Strict":
            raise bad_request(
                "strict decoding error: " + ", ".join(f'unknown field "{f}"' for f in unknown)
            )
        request[WARNINGS_KEY] = [f'299 - "unknown field \\"{field}\\""' for field in unknown]
        return body

    def _dry_run(self, request: web.Request) -> bool:
        values = request.query.getall("dryRun", [])
        if any(v != "All" for v in values):
            raise bad_request(f"Invalid dry run value: {values}")
        return bool(values)

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

    def _selectors(self, request: web.Request, target: Target) -> tuple[Any, Any]:
        labels = parse_label_selector(request.query.get("labelSelector"))
        fields = parse_field_selector(
            request.query.get("fieldSelector"),
            storage_key=target.resource.key,
            aliases=SELECTOR_ALIASES if is_events_v1(target.resource) else None,
        )
        return labels, fields

    def _list(self, request: web.Request, target: Target) -> web.Response:
        labels, fields = self._selectors(request, target)
        limit_raw = request.query.get("limit")
        try:
            limit = int(limit_raw) if limit_raw else None
        except ValueError as exc:
            raise bad_request(f"invalid limit: {limit_raw}") from exc
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
        labels, fields = self._selectors(request, target)
        if target.name is not None:
            fields = fields.pinned_to_name(target.name)
        timeout_raw = request.query.get("timeoutSeconds")
        try:
            timeout = float(timeout_raw) if timeout_raw else None
        except ValueError as exc:
            raise bad_request(f"invalid timeoutSeconds: {timeout_raw}") from exc
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
                request, store=self.store, resource=target.resource, query=query
            )
        finally:
            self.watch_tasks.discard(task)

    async def _pod_log(self, request: web.Request, target: Target) -> web.StreamResponse:
        assert target.name is not None
        pod = self.cluster.get(target.resource, namespace=target.namespace or "", name=target.name)
        container = logs.choose_container(pod, request.query.get("container"))
        node_name = (pod.get("spec") or {}).get("nodeName") or ""
        node = self.store.get(("", "nodes"), ("", node_name)) if node_name else None
        url = logs.kubelet_url(pod=pod, node=node, container=container)
        return await logs.proxy(request, url=url)

    async def _bind(self, request: web.Request, target: Target) -> web.Response:
        body = await read_body(request)
        assert target.name is not None
        binding.check(body, pod_name=target.name)
        node = body["target"]["name"]
        self.cluster.bind(
            target.resource, namespace=target.namespace or "", name=target.name, node=node
        )
        success = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
        return json_reply({**success, "code": 201}, status=201)

    async def _scale(self, request: web.Request, target: Target) -> web.Response:
        """GET/PUT/PATCH `.../scale` of a Deployment or ReplicaSet (see `scaling`)."""
        if target.name is None or request.method not in ("GET", "PUT", "PATCH"):
            raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
        where = {"namespace": target.namespace or "", "name": target.name}
        if request.method == "GET":
            return json_reply(scaling.read(self.cluster, target.resource, **where))
        body = await read_body(request)
        if request.method == "PUT":
            scale = scaling.replace(
                self.cluster, target.resource, body=body, dry_run=self._dry_run(request), **where
            )
            return json_reply(scale)
        try:
            patch_type = PatchType(request.content_type)
        except ValueError as exc:
            raise unsupported_media_type(request.content_type) from exc
        scale = scaling.patch(
            self.cluster,
            target.resource,
            patch_type=patch_type,
            body=body,
            dry_run=self._dry_run(request),
            **where,
        )
        return json_reply(scale)

    async def _delete_collection(self, request: web.Request, target: Target) -> web.Response:
        labels, fields = self._selectors(request, target)
        query = ListQuery(
            namespace=target.namespace,
            labels=labels,
            fields=fields,
            limit=None,
            continue_token=None,
        )
        listed = list_objects(store=self.store, resource=target.resource, query=query)
        body = await read_body(request)
        options = DeleteOptions.from_body(
            body if isinstance(body, dict) else None,
            grace_query=request.query.get("gracePeriodSeconds"),
            propagation_query=request.query.get("propagationPolicy"),
        )
        for item in listed["items"]:
            self.cluster.delete(
                target.resource,
                namespace=item["metadata"].get("namespace", ""),
                name=item["metadata"]["name"],
                options=DeleteOptions(
                    grace_period_seconds=options.grace_period_seconds,
                    propagation_policy=options.propagation_policy,
                ),
            )
        listed["metadata"] = {"resourceVersion": str(self.store.resource_version)}
        return json_reply(listed)
