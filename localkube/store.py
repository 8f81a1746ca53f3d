"""Objects, the one global resourceVersion, and the bounded history that watches replay.

Stored dicts are never mutated after they are stored: every write stores a fresh object, so
readers (lists, watches, snapshots) can hand stored dicts out without copying. Writers copy
first. The history keeps the last `history_window` changes; a watch or a continue token older
than that gets 410 Gone, as kube-apiserver does after etcd compaction.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, NamedTuple

from localkube.shapes import JsonObject, ResourceVersion

StorageKey = tuple[str, str]
"""(group, plural): objects of one resource, whatever version they are served at."""
ObjectKey = tuple[str, str]
"""(namespace, name); namespace is "" for cluster-scoped objects."""


class ChangeType(StrEnum):
    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"


@dataclass(frozen=True)
class Change:
    """One write, as history and watchers see it."""

    resource_version: ResourceVersion
    type: ChangeType
    storage_key: StorageKey
    object: JsonObject
    previous: JsonObject | None


DROP = None
"""Put on a subscriber's queue to make its watch end (fault injection, shutdown)."""


class Subscription:
    """A watcher's inbox of changes to one resource (every resource when the key is None)."""

    def __init__(self, storage_key: StorageKey | None) -> None:
        self.storage_key = storage_key
        self.queue: asyncio.Queue[Change | None] = asyncio.Queue()


class Snapshot(NamedTuple):
    """A resource's objects at one past resourceVersion, sorted by key."""

    keys: list[ObjectKey]
    objects: list[JsonObject]


KEPT_SNAPSHOTS: Final = 4
"""Paged lists in progress whose snapshots are kept (a page of any other is rebuilt)."""


def object_key(obj: JsonObject) -> ObjectKey:
    metadata = obj["metadata"]
    return (metadata.get("namespace", ""), metadata["name"])


class Store:
    """All objects of all resources, plus history and live subscriptions."""

    def __init__(self, *, history_window: int) -> None:
        self._objects: dict[StorageKey, dict[ObjectKey, JsonObject]] = {}
        self._resource_version = 0
        self._history: deque[Change] = deque(maxlen=max(1, history_window))
        self._compacted = 0
        self._subscriptions: set[Subscription] = set()
        self._snapshots: OrderedDict[tuple[StorageKey, str | None, int], Snapshot] = OrderedDict()

    @property
    def resource_version(self) -> ResourceVersion:
        return ResourceVersion(self._resource_version)

    @property
    def oldest_retained(self) -> ResourceVersion:
        """Smallest resourceVersion a watch may start from without 410."""
        return ResourceVersion(self._compacted)

    def get(self, storage_key: StorageKey, key: ObjectKey) -> JsonObject | None:
        return self._objects.get(storage_key, {}).get(key)

    def items(self, storage_key: StorageKey, namespace: str | None) -> list[JsonObject]:
        """Objects sorted by (namespace, name), as etcd's key order gives them."""
        objects = self._objects.get(storage_key, {})
        keys = sorted(k for k in objects if namespace is None or k[0] == namespace)
        return [objects[k] for k in keys]

    def count_in_namespace(self, namespace: str) -> int:
        return sum(
            1 for objects in self._objects.values() for (ns, _) in objects if ns == namespace
        )

    def storage_keys(self) -> list[StorageKey]:
        return list(self._objects)

    def write(self, storage_key: StorageKey, obj: JsonObject) -> JsonObject:
        """Store `obj` (add or replace) stamped with the next resourceVersion; returns it."""
        key = object_key(obj)
        previous = self._objects.get(storage_key, {}).get(key)
        stamped = self._stamp(obj)
        self._objects.setdefault(storage_key, {})[key] = stamped
        change_type = ChangeType.ADDED if previous is None else ChangeType.MODIFIED
        self._record(Change(self.resource_version, change_type, storage_key, stamped, previous))
        return stamped

    def delete(self, storage_key: StorageKey, obj: JsonObject) -> JsonObject:
        """Remove the object; the DELETED event carries `obj` at a new resourceVersion."""
        key = object_key(obj)
        previous = self._objects.get(storage_key, {}).pop(key)
        stamped = self._stamp(obj)
        self._record(
            Change(self.resource_version, ChangeType.DELETED, storage_key, stamped, previous)
        )
        return stamped

    def drop_resource(self, storage_key: StorageKey) -> list[JsonObject]:
        """Delete every object of a resource (its CRD went away), then end its watches."""
        deleted = [self.delete(storage_key, obj) for obj in self.items(storage_key, None)]
        for subscription in [s for s in self._subscriptions if s.storage_key == storage_key]:
            subscription.queue.put_nowait(DROP)
            self._subscriptions.discard(subscription)
        return deleted

    def _stamp(self, obj: JsonObject) -> JsonObject:
        self._resource_version += 1
        stamped = dict(obj)
        stamped["metadata"] = {**obj["metadata"], "resourceVersion": str(self._resource_version)}
        return stamped

    def _record(self, change: Change) -> None:
        if len(self._history) == self._history.maxlen:
            self._compacted = self._history[0].resource_version
        self._history.append(change)
        for subscription in self._subscriptions:
            if subscription.storage_key in (change.storage_key, None):
                subscription.queue.put_nowait(change)

    def changes_after(self, storage_key: StorageKey, resource_version: int) -> Iterator[Change]:
        """Retained changes with a resourceVersion strictly greater than the given one."""
        for change in self._history:
            if change.resource_version > resource_version and change.storage_key == storage_key:
                yield change

    def snapshot(
        self, storage_key: StorageKey, namespace: str | None, resource_version: int
    ) -> Snapshot:
        """Objects as they were at `resource_version` (caller checks it is retained).

        A past version's objects never change, so the last few snapshots are kept: the
        pages of one paged list are read from one snapshot, not each from a new one."""
        pinned = (storage_key, namespace, resource_version)
        cached = self._snapshots.get(pinned)
        if cached is not None:
            self._snapshots.move_to_end(pinned)
            return cached
        state = {object_key(o): o for o in self.items(storage_key, namespace)}
        for change in reversed(self._history):
            if change.resource_version <= resource_version:
                break
            if change.storage_key != storage_key:
                continue
            key = object_key(change.object)
            if namespace is not None and key[0] != namespace:
                continue
            if change.type is ChangeType.ADDED:
                state.pop(key, None)
            elif change.previous is not None:
                state[key] = change.previous
        keys = sorted(state)
        snapshot = Snapshot(keys, [state[k] for k in keys])
        self._snapshots[pinned] = snapshot
        if len(self._snapshots) > KEPT_SNAPSHOTS:
            self._snapshots.popitem(last=False)
        return snapshot

    def compact(self) -> None:
        """Forget all history: watches and continue tokens from before now get 410."""
        self._history.clear()
        self._snapshots.clear()
        self._compacted = self._resource_version

    def subscribe(self, storage_key: StorageKey | None) -> Subscription:
        subscription = Subscription(storage_key)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def drop_subscriptions(self) -> int:
        """End every open watch; returns how many were ended.

        Watches subscribe to one resource; the all-resources subscription (storage key None)
        belongs to the in-process controllers, which are no watch and stay subscribed.
        """
        watches = {s for s in self._subscriptions if s.storage_key is not None}
        for subscription in watches:
            subscription.queue.put_nowait(DROP)
        self._subscriptions -= watches
        return len(watches)
