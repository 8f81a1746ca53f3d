"""Deleting containers of other objects: namespaces and CustomResourceDefinitions.

Both go through a terminating phase in kube-apiserver. A namespace turns `Terminating`, its
objects are deleted (bound pods gracefully, objects with finalizers only marked), and it
disappears when it is empty. A CRD with instances gets `deletionTimestamp`, the
`customresourcecleanup.apiextensions.k8s.io` finalizer and a `Terminating` condition; its
instances are deleted the same way (finalizers honoured, so controllers can clean up), no
new instance may be created, and the CRD and its served resource vanish with the last one.
"""

from __future__ import annotations

from collections.abc import Callable

from localkube import deleting, objects
from localkube.deleting import CRDS, NAMESPACES, DeleteOptions
from localkube.errors import ApiError, Reason
from localkube.resources import Registry, ResourceType
from localkube.shapes import JsonObject
from localkube.store import Store

CRD_CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"


class Terminating:
    """Mixed into `Cluster`; relies on its store, registry and deletion steps."""

    store: Store
    registry: Registry

    _mark_deleting: Callable[[ResourceType, JsonObject, int], JsonObject]
    """`Cluster`'s graceful deletion of one object (mark it, or remove it when nothing holds it)."""

    def _delete_members(self, resources: list[ResourceType], namespace: str | None) -> None:
        """Start deleting every object of `resources` (in `namespace`, if given)."""
        for resource in resources:
            for obj in self.store.items(resource.key, namespace):
                if obj["metadata"].get("deletionTimestamp"):
                    continue
                grace = deleting.grace_period(resource, obj, DeleteOptions())
                if grace == 0 and not obj["metadata"].get("finalizers"):
                    self.store.delete(resource.key, obj)
                else:
                    self._mark_deleting(resource, obj, grace)

    # -- namespaces --------------------------------------------------------------------------

    def _terminate_namespace(self, namespace: JsonObject) -> JsonObject:
        name = namespace["metadata"]["name"]
        if not namespace["metadata"].get("deletionTimestamp"):
            metadata = {**namespace["metadata"], "deletionTimestamp": objects.now_rfc3339()}
            metadata["deletionGracePeriodSeconds"] = 0
            namespace = self.store.write(
                NAMESPACES,
                {**namespace, "metadata": metadata, "status": {"phase": "Terminating"}},
            )
        members = [r for r in self.registry.all() if r.namespaced and r.storage is None]
        self._delete_members(members, name)
        for resource in {r.key: r for r in members if r.is_custom}.values():
            self._maybe_finish_crd(resource.group, resource.plural)
        self._maybe_finish_namespace(name)
        return self.store.get(NAMESPACES, ("", name)) or namespace

    def _maybe_finish_namespace(self, name: str) -> None:
        namespace = self.store.get(NAMESPACES, ("", name))
        if namespace is None or not namespace["metadata"].get("deletionTimestamp"):
            return
        if self.store.count_in_namespace(name) == 0:
            self.store.delete(NAMESPACES, namespace)

    # -- custom resource definitions ---------------------------------------------------------

    def _has_instances(self, crd: JsonObject) -> bool:
        spec = crd.get("spec") or {}
        key = (spec.get("group", ""), (spec.get("names") or {}).get("plural", ""))
        return bool(self.store.items(key, None))

    def _terminate_crd(self, crd: JsonObject) -> JsonObject:
        if not crd["metadata"].get("deletionTimestamp"):
            metadata = dict(crd["metadata"])
            metadata["deletionTimestamp"] = objects.now_rfc3339()
            metadata["deletionGracePeriodSeconds"] = 0
            metadata["finalizers"] = [
                *(metadata.get("finalizers") or []),
                CRD_CLEANUP_FINALIZER,
            ]
            if "generation" in metadata:
                metadata["generation"] = int(metadata["generation"]) + 1
            status = dict(crd.get("status") or {})
            conditions = [
                c for c in status.get("conditions") or [] if c.get("type") != "Terminating"
            ]
            conditions.append(
                {
                    "type": "Terminating",
                    "status": "True",
                    "lastTransitionTime": objects.now_rfc3339(),
                    "reason": "InstanceDeletionInProgress",
                    "message": "CustomResource deletion is in progress",
                }
            )
            status["conditions"] = conditions
            crd = self.store.write(CRDS, {**crd, "metadata": metadata, "status": status})
        spec = crd["spec"]
        served = [
            r
            for r in self.registry.all()
            if r.group == spec["group"] and r.plural == spec["names"]["plural"]
        ]
        self._delete_members(served[:1], None)
        self._maybe_finish_crd(spec["group"], spec["names"]["plural"])
        return self.store.get(CRDS, ("", crd["metadata"]["name"])) or crd

    def _crd_for(self, group: str, plural: str) -> JsonObject | None:
        return self.store.get(CRDS, ("", f"{plural}.{group}"))

    def check_crd_accepts_instances(self, resource: ResourceType) -> None:
        """405 for creating an instance of a CRD that is being deleted (as kube answers)."""
        crd = self._crd_for(resource.group, resource.plural)
        if crd is not None and crd["metadata"].get("deletionTimestamp"):
            raise ApiError(
                code=405,
                reason=Reason.METHOD_NOT_ALLOWED,
                message="create not allowed while custom resource definition is terminating",
            )

    def _maybe_finish_crd(self, group: str, plural: str) -> None:
        crd = self._crd_for(group, plural)
        if crd is None or not crd["metadata"].get("deletionTimestamp"):
            return
        if self.store.items((group, plural), None):
            return
        finalizers = [
            f for f in crd["metadata"].get("finalizers") or [] if f != CRD_CLEANUP_FINALIZER
        ]
        if finalizers:
            metadata = {**crd["metadata"], "finalizers": finalizers}
            self.store.write(CRDS, {**crd, "metadata": metadata})
            return
        self.store.delete(CRDS, crd)
        self._drop_crd(crd)

    def _drop_crd(self, crd: JsonObject) -> None:
        spec = crd.get("spec") or {}
        plural = (spec.get("names") or {}).get("plural", "")
        self.store.drop_resource((spec.get("group", ""), plural))
        self.registry.remove(group=spec.get("group", ""), plural=plural)
