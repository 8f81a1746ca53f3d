"""The verbs (create, get, update, patch, delete) with kube-apiserver's semantics.

This is the one place that decides what a write does: resourceVersion preconditions,
status-subresource split, generation bumps, no-op detection, graceful deletion, finalizers,
namespace lifecycle and CRD side effects (the deletion rules themselves are in
`deleting.py`). HTTP parsing stays in `handlers.py`, lists in `listing.py`, watches in
`watching.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localkube import (
    admission,
    conversion,
    crds,
    deleting,
    objects,
    podadmission,
    typecheck,
    workloads,
)
from localkube.deleting import CRDS, NAMESPACES, PODS, DeleteOptions
from localkube.errors import (
    ApiError,
    Cause,
    QualifiedResource,
    already_exists,
    bad_request,
    conflict,
    forbidden,
    invalid,
    not_found,
    precondition_failed,
    unsupported_media_type,
)
from localkube.patching import (
    PatchType,
    go_json,
    go_value,
    json_merge_patch,
    json_patch,
    strategic_merge_patch,
)
from localkube.resources import Registry, ResourceType
from localkube.shapes import JsonObject
from localkube.store import Store
from localkube.terminating import Terminating

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _strip_volatile(obj: JsonObject) -> JsonObject:
    metadata = {k: v for k, v in obj.get("metadata", {}).items() if k != "resourceVersion"}
    return {**obj, "metadata": metadata}


def _content(obj: JsonObject, *, without_status: bool) -> JsonObject:
    skip = {"metadata", "status"} if without_status else {"metadata"}
    return {k: v for k, v in obj.items() if k not in skip}


class Cluster(Terminating):
    """All objects behind the HTTP API; every method is synchronous and atomic."""

    def __init__(self, *, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        namespaces = self._resource(NAMESPACES)
        for name in SYSTEM_NAMESPACES:
            self.create(namespaces, namespace="", body={"metadata": {"name": name}})

    def _resource(self, key: tuple[str, str]) -> ResourceType:
        found = self.registry.get(group=key[0], version="v1", plural=key[1])
        assert found is not None, key
        return found

    def _stored_as(self, resource: ResourceType) -> ResourceType:
        """The resource whose shape is stored (itself, unless it is a converted view)."""
        if resource.storage is None:
            return resource
        return self._resource(resource.storage)

    # -- reads -------------------------------------------------------------------------------

    def get(self, resource: ResourceType, *, namespace: str, name: str) -> JsonObject:
        obj = self.store.get(resource.key, (namespace if resource.namespaced else "", name))
        if obj is None:
            raise not_found(resource=resource.qualified, name=name)
        return self._as_version(resource, obj)

    def _as_version(self, resource: ResourceType, obj: JsonObject) -> JsonObject:
        return conversion.to_view(resource, obj)

    # -- create ------------------------------------------------------------------------------

    def create(
        self, resource: ResourceType, *, namespace: str, body: Any, dry_run: bool = False
    ) -> JsonObject:
        if not isinstance(body, dict):
            raise bad_request("the body of the request must be a JSON object")
        admission.check_body_identity(resource, body, namespace=namespace, name=None)
        if resource.storage is not None:
            stored = self.create(
                self._stored_as(resource),
                namespace=namespace,
                body=conversion.to_storage(resource, body),
                dry_run=dry_run,
            )
            return conversion.to_view(resource, stored)
        if resource.namespaced:
            self._check_namespace_open(resource, namespace, body)
        obj = objects.prepare_create(resource, body, namespace=namespace)
        if resource.key in workloads.KEYS:
            obj = workloads.admit(resource, obj)
        if resource.key == PODS:
            obj = self._admit_pod(obj, namespace=namespace)
        if resource.key == CRDS:
            obj = crds.apply_defaults(obj)
            crds.check(obj)
            obj["status"] = {
                "conditions": [],
                "acceptedNames": {"plural": "", "kind": ""},
                "storedVersions": [],
            }
        if resource.is_custom:
            self.check_crd_accepts_instances(resource)
            if resource.has_status:
                obj.pop("status", None)
            obj = admission.schema_pipeline(resource, obj)
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if self.store.get(resource.key, key) is not None:
            raise already_exists(resource=resource.qualified, name=key[1])
        if dry_run:
            return obj
        stored = self.store.write(resource.key, obj)
        if resource.key == CRDS:
            stored = self._establish(stored, previous=None)
        if resource.key == NAMESPACES:
            # What a real cluster's controllers add to every new namespace.
            accounts = self._resource(("", "serviceaccounts"))
            self.create(accounts, namespace=key[1], body={"metadata": {"name": "default"}})
            configmaps = self._resource(("", "configmaps"))
            self.create(configmaps, namespace=key[1], body=podadmission.root_ca_configmap())
        return stored

    def _admit_pod(self, pod: JsonObject, *, namespace: str) -> JsonObject:
        name = str(pod["spec"].get("serviceAccountName") or "default")
        account = self.store.get(("", "serviceaccounts"), (namespace, name))
        if account is None:
            raise podadmission.missing_account(
                pod_name=pod["metadata"].get("name", ""), namespace=namespace, account=name
            )
        return podadmission.admit_pod(pod, account=account)

    def _check_namespace_open(self, resource: ResourceType, namespace: str, body: Any) -> None:
        found = self.store.get(NAMESPACES, ("", namespace))
        if found is None:
            raise not_found(resource=self._resource(NAMESPACES).qualified, name=namespace)
        if found["metadata"].get("deletionTimestamp"):
            name = (body.get("metadata") or {}).get("name", "") if isinstance(body, dict) else ""
            raise forbidden(
                resource=resource.qualified,
                name=name,
                message=f"unable to create new content in namespace {namespace} because it is "
                "being terminated",
            )

    def _establish(self, crd: JsonObject, *, previous: JsonObject | None) -> JsonObject:
        spec = crd["spec"]
        self.registry.remove(group=spec["group"], plural=spec["names"]["plural"])
        for served in crds.served_resources(crd):
            self.registry.add(served)
        status = crds.established_status(crd, previous=previous)
        if status == crd.get("status"):
            return crd
        return self.store.write(CRDS, {**crd, "status": status})

    # -- update and patch --------------------------------------------------------------------

    def update(
        self,
        resource: ResourceType,
        *,
        namespace: str,
        name: str,
        body: Any,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> JsonObject:
        if not isinstance(body, dict):
            raise bad_request("the body of the request must be a JSON object")
        admission.check_body_identity(resource, body, namespace=namespace, name=name)
        if resource.storage is not None:
            stored = self.update(
                self._stored_as(resource),
                namespace=namespace,
                name=name,
                body=conversion.to_storage(resource, body),
                subresource=subresource,
                dry_run=dry_run,
            )
            return conversion.to_view(resource, stored)
        existing = self.get(resource, namespace=namespace, name=name)
        wanted = body.get("metadata", {}).get("resourceVersion")
        if not wanted and resource.is_custom and subresource is None:
            raise invalid(
                kind=resource.kind,
                group=resource.group,
                name=name,
                causes=[
                    Cause(
                        "FieldValueInvalid",
                        "Invalid value: 0x0: must be specified for an update",
                        "metadata.resourceVersion",
                    )
                ],
            )
        return self._write_update(
            resource, existing, body, subresource=subresource, dry_run=dry_run
        )

    def patch(
        self,
        resource: ResourceType,
        *,
        namespace: str,
        name: str,
        patch_type: PatchType,
        patch: Any,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> JsonObject:
        existing = self.get(resource, namespace=namespace, name=name)
        if patch_type is PatchType.STRATEGIC and resource.is_custom:
            raise unsupported_media_type_for_custom(patch_type)
        if patch_type is PatchType.JSON:
            patched = json_patch(existing, patch)
        elif patch_type is PatchType.MERGE:
            if not isinstance(patch, dict | list):
                raise bad_request("Invalid JSON Patch")  # a list replaces the whole object
            patched = json_merge_patch(existing, patch)
        else:
            patched = strategic_merge_patch(existing, patch)

        def show() -> str:  # only for a refusal: the patched Pod is large
            return go_value(patch) if patch_type is PatchType.STRATEGIC else go_json(patched)

        decoded = self._decode_patched(
            resource, existing, patched, subresource=subresource, show=show
        )
        admission.check_body_identity(resource, decoded, namespace=namespace, name=name)
        if resource.storage is not None:
            return self.update(
                resource,
                namespace=namespace,
                name=name,
                body=decoded,
                subresource=subresource,
                dry_run=dry_run,
            )
        return self._write_update(
            resource, existing, decoded, subresource=subresource, dry_run=dry_run
        )

    def _decode_patched(
        self,
        resource: ResourceType,
        existing: JsonObject,
        patched: Any,
        *,
        subresource: str | None,
        show: Callable[[], str],
    ) -> JsonObject:
        """The patched object through the typed decoder, as kube decodes a patch's result
        (`typecheck.decode_patched`; `show` gives what its refusal shows).

        A built-in's status write keeps the stored spec whatever the body holds
        (`_write_update`), so when the patch left the spec alone (the very same object as
        stored, which was decoded when it was written) decoding it again would be thrown
        away: the rest is decoded and the spec kept in its place. A Pod's spec is most of it.
        """
        spec = existing.get("spec")
        untouched = (
            subresource == "status"
            and spec is not None
            and isinstance(patched, dict)
            and patched.get("spec") is spec
        )
        if resource.is_custom or not untouched:
            decoded: JsonObject = typecheck.decode_patched(resource, patched, show=show).obj
            return decoded
        rest = typecheck.decode_patched(
            resource, {k: v for k, v in patched.items() if k != "spec"}, show=show
        ).obj
        return {k: spec if k == "spec" else rest[k] for k in patched if k == "spec" or k in rest}

    def _write_update(
        self,
        resource: ResourceType,
        existing: JsonObject,
        body: JsonObject,
        *,
        subresource: str | None,
        dry_run: bool,
    ) -> JsonObject:
        wanted = (body.get("metadata") or {}).get("resourceVersion")
        if wanted and wanted != existing["metadata"]["resourceVersion"]:
            raise conflict(resource=resource.qualified, name=existing["metadata"]["name"])
        # Stored objects are never mutated, and nothing below mutates nested values in place,
        # so shallow copies are enough even where `body` shares subtrees with `existing`.
        if subresource == "status" and resource.is_custom:
            # apiextensions: a status write changes status and nothing else.
            new = dict(existing)
            if "status" in body:
                new["status"] = body["status"]
            else:
                new.pop("status", None)
        elif subresource == "status":
            # Built-ins (pods, nodes, namespaces): spec stays, metadata may change.
            new = admission.with_server_metadata(resource, existing, body)
            if "spec" in existing:
                new["spec"] = existing["spec"]
            else:
                new.pop("spec", None)
            if resource.key == PODS:
                new = objects.pod_status_write(existing, new)
            objects.check_metadata(resource, new["metadata"])
        else:
            new = admission.with_server_metadata(resource, existing, body)
            objects.check_metadata(resource, new["metadata"])
            if resource.has_status:
                if "status" in existing:
                    new["status"] = existing["status"]
                else:
                    new.pop("status", None)
            defaults = objects.UPDATE_DEFAULTS.get(resource.key)
            if defaults:
                new = defaults(new)
            if resource.key in workloads.KEYS:
                new = workloads.admit(resource, new)
            deleting.check_finalizers(resource, existing, new)
            if resource.key == PODS:
                objects.check_pod_update(existing, new)
            if resource.key == CRDS:
                new = crds.apply_defaults(new)
                crds.check(new)
        if resource.is_custom:
            new = admission.schema_pipeline(resource, new)
        if resource.tracks_generation and _content(
            new, without_status=resource.has_status
        ) != _content(existing, without_status=resource.has_status):
            generation = int(existing["metadata"].get("generation", 0)) + 1
            new["metadata"] = {**new["metadata"], "generation": generation}
        new["metadata"] = {
            **new["metadata"],
            "resourceVersion": existing["metadata"]["resourceVersion"],
        }
        if _strip_volatile(new) == _strip_volatile(existing):
            return existing
        if dry_run:
            return new
        if deleting.finished_deleting(resource, new):
            return self._remove(resource, new)
        stored = self.store.write(resource.key, new)
        if resource.key == CRDS and subresource is None:
            stored = self._establish(stored, previous=existing)
        return stored

    def bind(self, resource: ResourceType, *, namespace: str, name: str, node: str) -> None:
        """pods/binding: set spec.nodeName once, as the scheduler does."""
        pod = self.get(resource, namespace=namespace, name=name)
        current = (pod.get("spec") or {}).get("nodeName")
        if pod["metadata"].get("deletionTimestamp"):
            raise precondition_failed(
                resource=QualifiedResource("pods/binding"),
                name=name,
                message=f"pod {name} is being deleted, cannot be assigned to a host",
            )
        if current:
            raise precondition_failed(
                resource=QualifiedResource("pods/binding"),
                name=name,
                message=f'pod {name} is already assigned to node "{current}"',
            )
        # As kube's binding storage: the node name, and PodScheduled=True in the status.
        status = dict(pod.get("status") or {})
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        conditions.append(
            {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": objects.now_rfc3339(),
            }
        )
        status["conditions"] = conditions
        spec = {**pod["spec"], "nodeName": node}
        self.store.write(resource.key, {**pod, "spec": spec, "status": status})

    # -- delete ------------------------------------------------------------------------------

    def delete(
        self,
        resource: ResourceType,
        *,
        namespace: str,
        name: str,
        options: DeleteOptions,
        dry_run: bool = False,
    ) -> tuple[JsonObject, bool]:
        """Delete (or start deleting) an object; returns (response body, deleted now)."""
        if resource.storage is not None:
            response, deleted = self.delete(
                self._stored_as(resource),
                namespace=namespace,
                name=name,
                options=options,
                dry_run=dry_run,
            )
            if response.get("kind") == "Status":
                return response, deleted
            return conversion.to_view(resource, response), deleted
        existing = self.get(resource, namespace=namespace, name=name)
        metadata = existing["metadata"]
        deleting.check_preconditions(resource, existing, options)
        grace = deleting.grace_period(resource, existing, options)
        if dry_run:
            return existing, False
        if resource.key == NAMESPACES:
            return self._terminate_namespace(existing), False
        if resource.key == CRDS and self._has_instances(existing):
            return self._terminate_crd(existing), False
        finalizer = deleting.propagation_finalizer(resource, options)
        if finalizer is not None:
            # Foreground or Orphan: the garbage collector finishes the deletion.
            marked = deleting.with_propagation_finalizer(resource, existing, finalizer, grace)
            if marked is None:
                return existing, False
            return self.store.write(resource.key, marked), False
        if grace == 0 and not metadata.get("finalizers"):
            removed = self._remove(resource, existing)
            return deleting.deleted_response(resource, removed), True
        return self._mark_deleting(resource, existing, grace), False

    def _mark_deleting(
        self, resource: ResourceType, existing: JsonObject, grace: int
    ) -> JsonObject:
        updated = deleting.marked_for_deletion(resource, existing, grace)
        if updated is None:
            return existing
        if deleting.finished_deleting(resource, updated):
            return self._remove(resource, updated)
        return self.store.write(resource.key, updated)

    def _remove(self, resource: ResourceType, obj: JsonObject) -> JsonObject:
        removed = self.store.delete(resource.key, obj)
        if resource.key == CRDS:
            self._drop_crd(obj)
        if resource.is_custom:
            self._maybe_finish_crd(resource.group, resource.plural)
        namespace = obj["metadata"].get("namespace")
        if namespace:
            self._maybe_finish_namespace(namespace)
        return removed


def unsupported_media_type_for_custom(patch_type: PatchType) -> ApiError:
    error = unsupported_media_type(str(patch_type))
    error.message = (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        "application/apply-patch+yaml"
    )
    return error
