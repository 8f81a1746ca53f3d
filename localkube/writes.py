"""The write verbs of the Kubernetes API paths: create, replace, patch, apply, delete, bind.

Each reads its body through `intake` (media type, typed decode, field validation) and hands
the object to `Cluster`; server-side apply goes through `applying`. Like `handlers.py`, it
parses HTTP and decides nothing about what objects mean.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from localkube import applying, binding, intake, queries, scaling, typecheck
from localkube.admission import check_body_identity
from localkube.bodies import BodyFormat, read_body
from localkube.cluster import Cluster
from localkube.deleting import DeleteOptions
from localkube.errors import (
    ApiError,
    bad_request,
    method_not_allowed,
    unsupported_patch_type,
)
from localkube.listing import ListQuery, list_objects
from localkube.negotiation import flag, json_reply
from localkube.objects import now_rfc3339
from localkube.patching import PatchType
from localkube.routing import Target
from localkube.store import Store


class Writes:
    """The write handlers over one cluster; `ApiHandlers` routes requests to them."""

    def __init__(self, *, cluster: Cluster) -> None:
        self.cluster = cluster
        self.store: Store = cluster.store

    async def post(self, request: web.Request, target: Target) -> web.StreamResponse:
        if target.name is not None or (target.namespace is None and target.resource.namespaced):
            raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
        obj = self.cluster.create(
            target.resource,
            namespace=target.namespace or "",
            body=await intake.write_body(request, target.resource),
            dry_run=self._dry_run(request),
        )
        return json_reply(obj, status=201)

    async def put(self, request: web.Request, target: Target) -> web.StreamResponse:
        if target.name is None:
            raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
        body = await intake.write_body(request, target.resource, subresource=target.subresource)
        obj = self.cluster.update(
            target.resource,
            namespace=target.namespace or "",
            name=target.name,
            body=self._keep_managed_fields(target, body),
            subresource=target.subresource,
            dry_run=self._dry_run(request),
        )
        return json_reply(obj)

    async def patch(self, request: web.Request, target: Target) -> web.StreamResponse:
        if target.name is None:
            raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
        try:
            patch_type = PatchType(request.content_type)
        except ValueError as exc:
            raise unsupported_patch_type(custom=target.resource.is_custom) from exc
        patch = await intake.patch_body(
            request,
            target.resource,
            merge=patch_type is PatchType.MERGE,
            strategic=patch_type is PatchType.STRATEGIC,
            apply=patch_type is PatchType.APPLY,
        )
        if patch_type is PatchType.APPLY:
            return self._apply(request, target, patch)
        obj = self.cluster.patch(
            target.resource,
            namespace=target.namespace or "",
            name=target.name,
            patch_type=patch_type,
            patch=patch,
            subresource=target.subresource,
            dry_run=self._dry_run(request),
        )
        return json_reply(obj)

    def _keep_managed_fields(self, target: Target, body: Any) -> Any:
        """An update that does not mention `managedFields` keeps the stored ones (kube)."""
        metadata = body.get("metadata") if isinstance(body, dict) else None
        if not isinstance(metadata, dict) or "managedFields" in metadata:
            return body
        assert target.name is not None
        try:
            live = self.cluster.get(
                target.resource, namespace=target.namespace or "", name=target.name
            )
        except ApiError:
            return body
        managed = live["metadata"].get("managedFields")
        if not managed:
            return body
        return {**body, "metadata": {**metadata, "managedFields": managed}}

    def _apply(self, request: web.Request, target: Target, config: Any) -> web.Response:
        """Server-side apply: create when absent, else merge with ownership (`applying`)."""
        assert target.name is not None
        manager = applying.require_manager(request.query.get("fieldManager"))
        if not isinstance(config, dict):
            raise bad_request("apply patch must be a YAML or JSON object")
        intake.require_type_meta(config)
        config = typecheck.decode(target.resource, config).obj
        namespace = target.namespace or ""
        check_body_identity(target.resource, config, namespace=namespace, name=target.name)
        version = target.resource.api_version
        try:
            live = self.cluster.get(target.resource, namespace=namespace, name=target.name)
        except ApiError as error:
            if error.code != 404 or target.subresource is not None:
                raise
            body = applying.create(config, manager=manager, api_version=version, now=now_rfc3339())
            created = self.cluster.create(
                target.resource, namespace=namespace, body=body, dry_run=self._dry_run(request)
            )
            return json_reply(created, status=201)
        merged = applying.apply(
            live,
            config,
            manager=manager,
            force=flag(request.query.get("force")),
            api_version=version,
            now=now_rfc3339(),
        )
        updated = self.cluster.update(
            target.resource,
            namespace=namespace,
            name=target.name,
            body=merged,
            subresource=target.subresource,
            dry_run=self._dry_run(request),
        )
        return json_reply(updated)

    async def delete(self, request: web.Request, target: Target) -> web.StreamResponse:
        if target.name is None:
            return await self._delete_collection(request, target)
        if target.subresource is not None:
            raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
        body = await read_body(request)
        options = DeleteOptions.from_body(
            body if isinstance(body, dict) else None,
            grace_query=request.query.get("gracePeriodSeconds"),
            propagation_query=request.query.get("propagationPolicy"),
        )
        response, _ = self.cluster.delete(
            target.resource,
            namespace=target.namespace or "",
            name=target.name,
            options=options,
            dry_run=self._dry_run(request),
        )
        return json_reply(response)

    def _dry_run(self, request: web.Request) -> bool:
        values = request.query.getall("dryRun", [])
        if any(v != "All" for v in values):
            raise bad_request(f"Invalid dry run value: {values}")
        return bool(values)

    async def bind(self, request: web.Request, target: Target) -> web.Response:
        body = await read_body(request)
        assert target.name is not None
        binding.check(body, pod_name=target.name)
        node = body["target"]["name"]
        self.cluster.bind(
            target.resource, namespace=target.namespace or "", name=target.name, node=node
        )
        success = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
        return json_reply({**success, "code": 201}, status=201)

    async def scale(self, request: web.Request, target: Target) -> web.Response:
        """GET/PUT/PATCH `.../scale` of a Deployment or ReplicaSet (see `scaling`)."""
        if target.name is None or request.method not in ("GET", "PUT", "PATCH"):
            raise method_not_allowed(verb=request.method, resource=target.resource.qualified)
        where = {"namespace": target.namespace or "", "name": target.name}
        if request.method == "GET":
            return json_reply(scaling.read(self.cluster, target.resource, **where))
        if request.method == "PUT":
            body = await read_body(request)
            scale = scaling.replace(
                self.cluster, target.resource, body=body, dry_run=self._dry_run(request), **where
            )
            return json_reply(scale)
        try:
            patch_type = PatchType(request.content_type)
        except ValueError as exc:
            raise unsupported_patch_type(custom=False) from exc
        body = await read_body(request, fmt=BodyFormat.JSON)
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
        labels, fields = queries.selectors(request, target)
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
