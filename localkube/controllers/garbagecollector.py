"""The garbage collector's stand-in: objects whose owners are gone go too.

Every `ownerReferences` entry is indexed by the owner's uid. An object none of whose owners
exists any more (same kind, name and uid) is deleted in the background; one that still has
a live owner only loses the references to the gone ones. An owner deleted with
`propagationPolicy: Foreground` waits, marked and holding `foregroundDeletion`, until its
dependents that set `blockOwnerDeletion` are gone (all its dependents are deleted); one
deleted with `Orphan` holds `orphan` until its dependents no longer name it. Owners of a
kind the server does not serve are left alone, as kube's collector cannot look them up.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from localkube.cluster import Cluster
from localkube.controllers.runtime import Controller, ControllerSettings
from localkube.deleting import FOREGROUND_FINALIZER, ORPHAN_FINALIZER, DeleteOptions
from localkube.errors import ApiError, Reason
from localkube.resources import ResourceType
from localkube.shapes import JsonObject
from localkube.store import Change, ChangeType, StorageKey

ItemKey = tuple[StorageKey, str, str]
"""(storage key, namespace, name) of one object."""


def _references(obj: JsonObject | None) -> list[JsonObject]:
    if obj is None:
        return []
    return [r for r in obj["metadata"].get("ownerReferences") or [] if isinstance(r, dict)]


def _item(storage_key: StorageKey, obj: JsonObject) -> ItemKey:
    return (storage_key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


def _finalizers(obj: JsonObject) -> list[str]:
    return [str(f) for f in obj["metadata"].get("finalizers") or []]


class GarbageCollector(Controller):
    name = "garbage-collector"

    def __init__(self, *, cluster: Cluster, settings: ControllerSettings) -> None:
        super().__init__(cluster=cluster, settings=settings)
        self._dependents: dict[str, set[ItemKey]] = {}
        """Owner uid -> objects that name it."""
        self._owners: dict[str, ItemKey] = {}
        """uid -> where that object is, for owners being deleted (they need a nudge when a
        dependent goes)."""

    def watching(self, storage_key: StorageKey) -> bool:
        return True

    def _index(self, storage_key: StorageKey, obj: JsonObject | None, *, add: bool) -> None:
        if obj is None:
            return
        item = _item(storage_key, obj)
        for reference in _references(obj):
            uid = str(reference.get("uid", ""))
            if add:
                self._dependents.setdefault(uid, set()).add(item)
            elif uid in self._dependents:
                self._dependents[uid].discard(item)
                if not self._dependents[uid]:
                    del self._dependents[uid]

    def keys_for(self, change: Change) -> Iterable[Hashable]:
        obj, previous = change.object, change.previous
        keys: list[ItemKey] = []
        item = _item(change.storage_key, obj)
        self._index(change.storage_key, previous, add=False)
        uid = str(obj["metadata"].get("uid", ""))
        if change.type is ChangeType.DELETED:
            self._owners.pop(uid, None)
            keys += self._dependents.get(uid, ())
        else:
            self._index(change.storage_key, obj, add=True)
            if _references(obj):
                keys.append(item)
            if obj["metadata"].get("deletionTimestamp") and {
                FOREGROUND_FINALIZER,
                ORPHAN_FINALIZER,
            } & set(_finalizers(obj)):
                self._owners[uid] = item
                keys.append(item)
        # A dependent changed or went: its owners being deleted may now be done.
        for reference in _references(previous) + _references(obj):
            owner = self._owners.get(str(reference.get("uid", "")))
            if owner is not None:
                keys.append(owner)
        return keys

    def all_keys(self) -> Iterable[Hashable]:
        keys: list[ItemKey] = []
        for storage_key in self.store.storage_keys():
            for obj in self.store.items(storage_key, None):
                if _references(obj):
                    keys.append(_item(storage_key, obj))
        keys += self._owners.values()
        return keys

    def rebuild(self) -> None:
        """Index every stored object (at start)."""
        for storage_key in self.store.storage_keys():
            for obj in self.store.items(storage_key, None):
                self._index(storage_key, obj, add=True)

    # -- resolving references ----------------------------------------------------------------

    def _resource_of(self, api_version: str, kind: str) -> ResourceType | None:
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        for resource in self.cluster.registry.all():
            if resource.group == group and resource.kind == kind and resource.storage is None:
                return resource
        return None

    def _owner(self, reference: JsonObject, namespace: str) -> tuple[str, JsonObject | None]:
        """('unknown' | 'absent' | 'present', the owner if present)."""
        resource = self._resource_of(
            str(reference.get("apiVersion", "")), str(reference.get("kind", ""))
        )
        if resource is None:
            return "unknown", None
        where = namespace if resource.namespaced else ""
        owner = self.store.get(resource.key, (where, str(reference.get("name", ""))))
        if owner is None or owner["metadata"].get("uid") != reference.get("uid"):
            return "absent", None
        return "present", owner

    def _by_key(self, storage_key: StorageKey) -> ResourceType:
        for resource in self.cluster.registry.all():
            if resource.key == storage_key and resource.storage is None:
                return resource
        raise LookupError(storage_key)

    # -- one sync ----------------------------------------------------------------------------

    def sync(self, key: Hashable) -> float | None:
        assert isinstance(key, tuple)
        storage_key, namespace, name = key
        obj = self.store.get(storage_key, (namespace, name))
        if obj is None:
            return None
        finalizers = _finalizers(obj)
        if obj["metadata"].get("deletionTimestamp"):
            if FOREGROUND_FINALIZER in finalizers:
                self._delete_dependents(storage_key, obj)
                return None
            if ORPHAN_FINALIZER in finalizers:
                self._orphan_dependents(storage_key, obj)
                return None
        self._check_owners(storage_key, obj)
        return None

    def _live_dependents(self, owner: JsonObject) -> list[tuple[ItemKey, JsonObject]]:
        uid = owner["metadata"]["uid"]
        found = []
        for item in sorted(self._dependents.get(uid, ())):
            dependent = self.store.get(item[0], (item[1], item[2]))
            if dependent is not None and any(r.get("uid") == uid for r in _references(dependent)):
                found.append((item, dependent))
        return found

    def _delete_dependents(self, storage_key: StorageKey, owner: JsonObject) -> None:
        uid = owner["metadata"]["uid"]
        blocking = False
        for item, dependent in self._live_dependents(owner):
            reference = next(r for r in _references(dependent) if r.get("uid") == uid)
            if reference.get("blockOwnerDeletion"):
                blocking = True
            if dependent["metadata"].get("deletionTimestamp"):
                continue
            has_own = bool(self._dependents.get(dependent["metadata"].get("uid", "")))
            self._delete(item, policy="Foreground" if has_own else "Background")
        still_blocking = any(
            next(r for r in _references(d) if r.get("uid") == uid).get("blockOwnerDeletion")
            for _, d in self._live_dependents(owner)
        )
        if not (blocking and still_blocking):
            self._drop_finalizer(storage_key, owner, FOREGROUND_FINALIZER)

    def _orphan_dependents(self, storage_key: StorageKey, owner: JsonObject) -> None:
        uid = owner["metadata"]["uid"]
        for item, dependent in self._live_dependents(owner):
            kept = [r for r in _references(dependent) if r.get("uid") != uid]
            self._set_references(item, dependent, kept)
        self._drop_finalizer(storage_key, owner, ORPHAN_FINALIZER)

    def _check_owners(self, storage_key: StorageKey, obj: JsonObject) -> None:
        namespace = obj["metadata"].get("namespace", "")
        solid, dangling, waiting = [], [], []
        for reference in _references(obj):
            state, owner = self._owner(reference, namespace)
            if state == "unknown":
                return
            if state == "absent":
                dangling.append(reference)
            elif (
                owner is not None
                and owner["metadata"].get("deletionTimestamp")
                and (FOREGROUND_FINALIZER in _finalizers(owner))
            ):
                waiting.append(reference)
            else:
                solid.append(reference)
        if not dangling and not waiting:
            return
        item = _item(storage_key, obj)
        if solid:
            if dangling:
                self._set_references(item, obj, [*solid, *waiting])
            return
        if obj["metadata"].get("deletionTimestamp"):
            return
        if waiting:
            has_own = bool(self._dependents.get(obj["metadata"].get("uid", "")))
            self._delete(item, policy="Foreground" if has_own else "Background")
        else:
            self._delete(item, policy="Background")

    # -- writes ------------------------------------------------------------------------------

    def _delete(self, item: ItemKey, *, policy: str) -> None:
        storage_key, namespace, name = item
        try:
            self.cluster.delete(
                self._by_key(storage_key),
                namespace=namespace,
                name=name,
                options=DeleteOptions(propagation_policy=policy),
            )
        except ApiError as error:
            if error.reason is not Reason.NOT_FOUND:
                raise

    def _set_references(self, item: ItemKey, obj: JsonObject, references: list[JsonObject]) -> None:
        storage_key, namespace, name = item
        metadata = {**obj["metadata"], "ownerReferences": references}
        if not references:
            metadata.pop("ownerReferences")
        self.cluster.update(
            self._by_key(storage_key),
            namespace=namespace,
            name=name,
            body={**obj, "metadata": metadata},
        )

    def _drop_finalizer(self, storage_key: StorageKey, obj: JsonObject, finalizer: str) -> None:
        metadata = dict(obj["metadata"])
        metadata["finalizers"] = [f for f in _finalizers(obj) if f != finalizer]
        if not metadata["finalizers"]:
            del metadata["finalizers"]
        self.cluster.update(
            self._by_key(storage_key),
            namespace=metadata.get("namespace", ""),
            name=metadata["name"],
            body={**obj, "metadata": metadata},
        )
