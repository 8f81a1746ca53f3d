"""The namespace controller's stand-in: a Terminating namespace says what it waits for.

The server itself deletes a namespace's contents when the namespace is deleted, and drops
the namespace once nothing is left in it (`Cluster`/`terminating.py`); what holds it up are
Pods finishing their graceful deletion and objects with finalizers. This controller writes
kube's deletion conditions on the namespace while it waits (`NamespaceContentRemaining`,
`NamespaceFinalizersRemaining`, and the discovery/parsing/content ones as succeeded), so
`kubectl describe ns` and `kubectl get ns -o yaml` show why it is still Terminating.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable

from localkube import objects
from localkube.controllers.runtime import Controller
from localkube.shapes import JsonObject
from localkube.store import Change

NAMESPACES = ("", "namespaces")


class NamespaceController(Controller):
    name = "namespace-controller"

    def watching(self, storage_key: tuple[str, str]) -> bool:
        return True

    def keys_for(self, change: Change) -> Iterable[Hashable]:
        if change.storage_key == NAMESPACES:
            return [change.object["metadata"]["name"]]
        namespace = change.object["metadata"].get("namespace")
        found = self.store.get(NAMESPACES, ("", namespace)) if namespace else None
        if found is not None and found["metadata"].get("deletionTimestamp"):
            return [namespace]
        return ()

    def all_keys(self) -> Iterable[Hashable]:
        return [
            ns["metadata"]["name"]
            for ns in self.store.items(NAMESPACES, None)
            if ns["metadata"].get("deletionTimestamp")
        ]

    def _remaining(self, name: str) -> tuple[Counter[str], Counter[str]]:
        """(instances per resource, instances per finalizer) still in the namespace."""
        resources: Counter[str] = Counter()
        finalizers: Counter[str] = Counter()
        for resource in self.cluster.registry.all():
            if not resource.namespaced or resource.storage is not None:
                continue
            items = self.store.items(resource.key, name)
            label = f"{resource.plural}.{resource.group}" if resource.group else resource.plural
            if items:
                resources[label] += len(items)
            for obj in items:
                for finalizer in obj["metadata"].get("finalizers") or []:
                    finalizers[str(finalizer)] += 1
        return resources, finalizers

    def sync(self, key: Hashable) -> float | None:
        namespace = self.store.get(NAMESPACES, ("", str(key)))
        if namespace is None or not namespace["metadata"].get("deletionTimestamp"):
            return None
        resources, finalizers = self._remaining(str(key))
        if not resources:
            return None
        wanted = [
            (
                "NamespaceDeletionDiscoveryFailure",
                "False",
                "ResourcesDiscovered",
                "All resources successfully discovered",
            ),
            (
                "NamespaceDeletionGroupVersionParsingFailure",
                "False",
                "ParsedGroupVersions",
                "All legacy kube types successfully parsed",
            ),
            (
                "NamespaceDeletionContentFailure",
                "False",
                "ContentDeleted",
                "All content successfully deleted, may be waiting on finalization",
            ),
            (
                "NamespaceContentRemaining",
                "True",
                "SomeResourcesRemain",
                "Some resources are remaining: "
                + ", ".join(
                    f"{r} has {n} resource instances" for r, n in sorted(resources.items())
                ),
            ),
        ]
        if finalizers:
            wanted.append(
                (
                    "NamespaceFinalizersRemaining",
                    "True",
                    "SomeFinalizersRemain",
                    "Some content in the namespace has finalizers remaining: "
                    + ", ".join(
                        f"{f} in {n} resource instances" for f, n in sorted(finalizers.items())
                    ),
                )
            )
        else:
            wanted.append(
                (
                    "NamespaceFinalizersRemaining",
                    "False",
                    "ContentHasNoFinalizers",
                    "All content-preserving finalizers finished",
                )
            )
        status = dict(namespace.get("status") or {})
        previous = {c.get("type"): c for c in status.get("conditions") or []}
        conditions: list[JsonObject] = []
        for kind, state, reason, message in wanted:
            old = previous.get(kind)
            if old and (old.get("status"), old.get("reason"), old.get("message")) == (
                state,
                reason,
                message,
            ):
                conditions.append(old)
                continue
            conditions.append(
                {
                    "type": kind,
                    "status": state,
                    "lastTransitionTime": objects.now_rfc3339(),
                    "reason": reason,
                    "message": message,
                }
            )
        if conditions == status.get("conditions"):
            return None
        status["conditions"] = conditions
        self.cluster.update(
            self.served(NAMESPACES),
            namespace="",
            name=str(key),
            body={**namespace, "status": status},
            subresource="status",
        )
        return None
