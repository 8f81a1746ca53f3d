"""Events the stand-in controllers report, aggregated as client-go's recorder does.

The same reason and message about the same object again bumps `count` and
`lastTimestamp` of the existing Event instead of creating another, so a Pod retried every
resync shows one `FailedScheduling` line with a growing count, as on a real cluster.
"""

from __future__ import annotations

import secrets

from localkube import objects
from localkube.cluster import Cluster
from localkube.errors import ApiError
from localkube.patching import PatchType
from localkube.resources import ResourceType
from localkube.shapes import JsonObject

EVENTS = ("", "events")


class EventRecorder:
    """Writes core/v1 Events for one component (`default-scheduler`, `deployment-controller`)."""

    def __init__(self, *, cluster: Cluster, component: str) -> None:
        self.cluster = cluster
        self.component = component
        self._names: dict[tuple[str, str, str, str], str] = {}

    def _events(self) -> ResourceType:
        found = self.cluster.registry.get(group="", version="v1", plural="events")
        assert found is not None
        return found

    def record(
        self, involved: JsonObject, *, reason: str, message: str, warning: bool = False
    ) -> None:
        metadata = involved["metadata"]
        namespace = str(metadata.get("namespace") or "default")
        key = (str(metadata.get("uid", "")), reason, message, namespace)
        now = objects.now_rfc3339()
        events = self._events()
        name = self._names.get(key)
        if name is not None:
            existing = self.cluster.store.get(EVENTS, (namespace, name))
            if existing is not None:
                count = int(existing.get("count") or 1) + 1
                try:
                    self.cluster.patch(
                        events,
                        namespace=namespace,
                        name=name,
                        patch_type=PatchType.MERGE,
                        patch={"count": count, "lastTimestamp": now},
                    )
                except ApiError:
                    pass
                else:
                    return
        name = f"{metadata['name']}.{secrets.token_hex(8)}"
        body: JsonObject = {
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": {
                "kind": involved.get("kind", ""),
                "namespace": namespace,
                "name": metadata["name"],
                "uid": metadata.get("uid", ""),
                "apiVersion": involved.get("apiVersion", ""),
                "resourceVersion": metadata.get("resourceVersion", ""),
            },
            "reason": reason,
            "message": message,
            "source": {"component": self.component},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": "Warning" if warning else "Normal",
            "eventTime": None,
            "reportingComponent": self.component,
            "reportingInstance": "",
        }
        try:
            self.cluster.create(events, namespace=namespace, body=body)
        except ApiError:
            return  # e.g. the namespace is terminating: kube's recorder drops it too
        self._names[key] = name
