"""The default scheduler's stand-in: binds Pods without `nodeName` to a node that fits.

A Pod of `schedulerName: default-scheduler` with no node is checked against every Node
(`fitting.check`); the first that fits, by name, gets it through `pods/binding`, as
kube-scheduler binds (scoring is left out: the virtual node is usually the only one).
When none fits, the Pod keeps `Pending` with `PodScheduled=False` (reason `Unschedulable`)
and a `FailedScheduling` Warning in kube-scheduler's words. A Pod is tried again when it
changes, when a Node's labels, taints, schedulability, capacity or readiness change, when
a bound Pod stops taking capacity, and every `unschedulable_retry_seconds` (kube's 5 min);
never in a loop of its own writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable

from localkube import objects
from localkube.cluster import Cluster
from localkube.controllers import fitting
from localkube.controllers.events import EventRecorder
from localkube.controllers.runtime import Controller, ControllerSettings
from localkube.matching import condition
from localkube.shapes import JsonObject
from localkube.store import Change, ChangeType

PODS = ("", "pods")
NODES = ("", "nodes")
SCHEDULER_NAME = "default-scheduler"


def _waiting(pod: JsonObject) -> bool:
    spec = pod.get("spec") or {}
    return (
        not spec.get("nodeName")
        and not spec.get("schedulingGates")
        and (spec.get("schedulerName") or SCHEDULER_NAME) == SCHEDULER_NAME
        and not pod["metadata"].get("deletionTimestamp")
        and (pod.get("status") or {}).get("phase", "Pending") == "Pending"
    )


def _takes_capacity(pod: JsonObject | None) -> bool:
    if pod is None or not (pod.get("spec") or {}).get("nodeName"):
        return False
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


def _node_signature(node: JsonObject | None) -> object:
    if node is None:
        return None
    ready = condition(node, "Ready")
    return (
        repr(node["metadata"].get("labels")),
        repr((node.get("spec") or {}).get("taints")),
        bool((node.get("spec") or {}).get("unschedulable")),
        repr((node.get("status") or {}).get("allocatable")),
        None if ready is None else ready.get("status"),
    )


class Scheduler(Controller):
    name = "scheduler"
    watches = frozenset({PODS, NODES})

    def __init__(self, *, cluster: Cluster, settings: ControllerSettings) -> None:
        super().__init__(cluster=cluster, settings=settings)
        self.events = EventRecorder(cluster=cluster, component=SCHEDULER_NAME)
        self._epoch = 0
        """Bumped whenever the answer for a waiting Pod may have changed."""
        self._last_retry = 0.0
        """Loop time of the last periodic retry of every waiting Pod."""
        self._tried: dict[tuple[str, str], tuple[str, object, int]] = {}
        self._waiting: set[tuple[str, str]] = {
            (p["metadata"]["namespace"], p["metadata"]["name"])
            for p in self.store.items(PODS, None)
            if _waiting(p)
        }
        """Pods waiting for a node, kept up to date from the changes (never a full scan)."""

    def _waiting_keys(self) -> list[tuple[str, str]]:
        return sorted(self._waiting)

    def keys_for(self, change: Change) -> Iterable[Hashable]:
        if change.storage_key == NODES:
            after = None if change.type is ChangeType.DELETED else change.object
            if _node_signature(after) != _node_signature(change.previous):
                self._epoch += 1
                return self._waiting_keys()
            return ()
        after = None if change.type is ChangeType.DELETED else change.object
        key = (change.object["metadata"]["namespace"], change.object["metadata"]["name"])
        if after is not None and _waiting(after):
            self._waiting.add(key)
        else:
            self._waiting.discard(key)
            self._tried.pop(key, None)
        if _takes_capacity(change.previous) and not _takes_capacity(after):
            self._epoch += 1
            return self._waiting_keys()
        return [key] if key in self._waiting else ()

    def all_keys(self) -> Iterable[Hashable]:
        now = asyncio.get_running_loop().time()
        if now - self._last_retry >= self.settings.unschedulable_retry_seconds:
            # The periodic retry: try again even though nothing was seen to change.
            self._last_retry = now
            self._epoch += 1
        return self._waiting_keys()

    def sync(self, key: Hashable) -> float | None:
        assert isinstance(key, tuple)
        namespace, name = key
        pod = self.store.get(PODS, (namespace, name))
        if pod is None or not _waiting(pod):
            self._tried.pop(key, None)
            return None
        attempt = (pod["metadata"]["uid"], pod["metadata"].get("generation"), self._epoch)
        if self._tried.get(key) == attempt:
            return None
        nodes = self.store.items(NODES, None)
        bound: dict[str, list[JsonObject]] = {}
        for other in self.store.items(PODS, None):
            if _takes_capacity(other):
                bound.setdefault(other["spec"]["nodeName"], []).append(other)
        verdicts = []
        for node in nodes:
            node_name = node["metadata"]["name"]
            verdict = fitting.check(pod, node, bound.get(node_name, []))
            if verdict.fits:
                self._bind(pod, node_name)
                self._tried.pop(key, None)
                return None
            verdicts.append(verdict)
        self._tried[key] = attempt
        self._report_unschedulable(pod, fitting.failure_message(verdicts))
        return None

    def _bind(self, pod: JsonObject, node_name: str) -> None:
        metadata = pod["metadata"]
        self.cluster.bind(
            self.served(PODS),
            namespace=metadata["namespace"],
            name=metadata["name"],
            node=node_name,
        )
        self.events.record(
            pod,
            reason="Scheduled",
            message=f"Successfully assigned {metadata['namespace']}/{metadata['name']} "
            f"to {node_name}",
        )

    def _report_unschedulable(self, pod: JsonObject, message: str) -> None:
        current = condition(pod, "PodScheduled")
        if current is None or current.get("status") != "False" or current.get("message") != message:
            status = dict(pod.get("status") or {})
            conditions = [
                c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"
            ]
            conditions.append(
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "lastProbeTime": None,
                    "lastTransitionTime": objects.now_rfc3339(),
                    "reason": "Unschedulable",
                    "message": message,
                }
            )
            status["conditions"] = conditions
            metadata = pod["metadata"]
            self.cluster.update(
                self.served(PODS),
                namespace=metadata["namespace"],
                name=metadata["name"],
                body={**pod, "status": status},
                subresource="status",
            )
        self.events.record(pod, reason="FailedScheduling", message=message, warning=True)
