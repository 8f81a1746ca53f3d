"""The ReplicaSet controller's stand-in: keeps `spec.replicas` active Pods of the template.

Pods are the ReplicaSet's when their controller ownerReference carries its uid (orphans the
selector matches are adopted, as kube does). Missing Pods are created from the template
(`generateName: <rs>-`, the ReplicaSet as controlling owner); extra ones are deleted,
unscheduled, then pending, then not-ready, then the youngest first (kube's ranking, short).
Status counts what `kubectl get rs` and the Deployment controller read: replicas,
fullyLabeledReplicas, readyReplicas, availableReplicas (ready for `minReadySeconds`),
observedGeneration.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import UTC, datetime, timedelta

from localkube import objects
from localkube.cluster import Cluster
from localkube.controllers.events import EventRecorder
from localkube.controllers.podcontrol import create_owned_pod
from localkube.controllers.runtime import Controller, ControllerSettings
from localkube.deleting import DeleteOptions
from localkube.matching import (
    condition,
    controlled_by,
    controller_ref,
    is_active_pod,
    is_ready_pod,
    labels_of,
    owner_reference,
    selects,
)
from localkube.shapes import JsonObject
from localkube.store import Change

PODS = ("", "pods")
REPLICASETS = ("apps", "replicasets")


def available_since(pod: JsonObject, min_ready_seconds: int, now: datetime) -> bool:
    """Ready, and for at least `min_ready_seconds` (kube's IsPodAvailable)."""
    if not is_ready_pod(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    ready = condition(pod, "Ready") or {}
    since = ready.get("lastTransitionTime")
    if not isinstance(since, str):
        return False
    return objects.parse_rfc3339(since) + timedelta(seconds=min_ready_seconds) <= now


def _deletion_rank(pod: JsonObject) -> tuple[int, int, int, float]:
    """Sort key of kube's ActivePods ranking, short: delete unscheduled before scheduled,
    pending before running, not-ready before ready, then the youngest first."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(str(status.get("phase")), 1)
    created = pod["metadata"].get("creationTimestamp")
    age = -objects.parse_rfc3339(created).timestamp() if isinstance(created, str) else 0.0
    return (
        1 if spec.get("nodeName") else 0,
        phase_rank,
        1 if is_ready_pod(pod) else 0,
        age,
    )


class ReplicaSetController(Controller):
    name = "replicaset-controller"
    watches = frozenset({REPLICASETS, PODS})

    def __init__(self, *, cluster: Cluster, settings: ControllerSettings) -> None:
        super().__init__(cluster=cluster, settings=settings)
        self.events = EventRecorder(cluster=cluster, component=self.name)

    def keys_for(self, change: Change) -> Iterable[Hashable]:
        metadata = change.object["metadata"]
        if change.storage_key == REPLICASETS:
            return [(metadata["namespace"], metadata["name"])]
        keys = []
        for pod in (change.object, change.previous):
            reference = controller_ref(pod) if pod is not None else None
            if reference is not None and reference.get("kind") == "ReplicaSet":
                keys.append((metadata["namespace"], str(reference.get("name"))))
        if not keys and controller_ref(change.object) is None:
            keys += [
                (rs["metadata"]["namespace"], rs["metadata"]["name"])
                for rs in self.store.items(REPLICASETS, metadata["namespace"])
                if selects((rs.get("spec") or {}).get("selector"), labels_of(change.object))
            ]
        return keys

    def all_keys(self) -> Iterable[Hashable]:
        return [
            (rs["metadata"]["namespace"], rs["metadata"]["name"])
            for rs in self.store.items(REPLICASETS, None)
        ]

    def _pods(self, rs: JsonObject) -> list[JsonObject]:
        """The ReplicaSet's Pods, adopting matching orphans first."""
        selector = (rs.get("spec") or {}).get("selector")
        owned = []
        for pod in self.store.items(PODS, rs["metadata"]["namespace"]):
            if controlled_by(pod, rs):
                owned.append(pod)
            elif (
                controller_ref(pod) is None
                and is_active_pod(pod)
                and not rs["metadata"].get("deletionTimestamp")
                and selects(selector, labels_of(pod))
            ):
                owned.append(self._adopt(rs, pod))
        return owned

    def _adopt(self, rs: JsonObject, pod: JsonObject) -> JsonObject:
        references = [
            *(pod["metadata"].get("ownerReferences") or []),
            owner_reference(rs, api_version="apps/v1", kind="ReplicaSet"),
        ]
        return self.cluster.update(
            self.served(PODS),
            namespace=pod["metadata"]["namespace"],
            name=pod["metadata"]["name"],
            body={**pod, "metadata": {**pod["metadata"], "ownerReferences": references}},
        )

    def sync(self, key: Hashable) -> float | None:
        assert isinstance(key, tuple)
        namespace, name = key
        rs = self.store.get(REPLICASETS, (namespace, name))
        if rs is None:
            return None
        pods = self._pods(rs)
        active = [p for p in pods if is_active_pod(p)]
        wanted = int((rs.get("spec") or {}).get("replicas", 1))
        if not rs["metadata"].get("deletionTimestamp"):
            if len(active) < wanted:
                for _ in range(wanted - len(active)):
                    active.append(self._create_pod(rs))
            elif len(active) > wanted:
                doomed = sorted(active, key=_deletion_rank)[: len(active) - wanted]
                for pod in doomed:
                    self._delete_pod(rs, pod)
                gone = {p["metadata"]["name"] for p in doomed}
                active = [p for p in active if p["metadata"]["name"] not in gone]
        return self._write_status(rs, active)

    def _create_pod(self, rs: JsonObject) -> JsonObject:
        return create_owned_pod(
            cluster=self.cluster,
            pods=self.served(PODS),
            events=self.events,
            owner=rs,
            api_version="apps/v1",
            kind="ReplicaSet",
            template=(rs.get("spec") or {}).get("template") or {},
        )

    def _delete_pod(self, rs: JsonObject, pod: JsonObject) -> None:
        self.cluster.delete(
            self.served(PODS),
            namespace=pod["metadata"]["namespace"],
            name=pod["metadata"]["name"],
            options=DeleteOptions(),
        )
        self.events.record(
            {**rs, "kind": "ReplicaSet", "apiVersion": "apps/v1"},
            reason="SuccessfulDelete",
            message=f"Deleted pod: {pod['metadata']['name']}",
        )

    def _write_status(self, rs: JsonObject, active: list[JsonObject]) -> float | None:
        spec = rs.get("spec") or {}
        min_ready = int(spec.get("minReadySeconds") or 0)
        now = datetime.now(UTC)
        template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        ready = [p for p in active if is_ready_pod(p)]
        available = [p for p in ready if available_since(p, min_ready, now)]
        status: JsonObject = {
            "replicas": len(active),
            "fullyLabeledReplicas": sum(
                1
                for p in active
                if all(labels_of(p).get(k) == v for k, v in template_labels.items())
            ),
            "readyReplicas": len(ready),
            "availableReplicas": len(available),
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        status = {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")}
        if status != (rs.get("status") or {}):
            current = self.store.get(
                REPLICASETS, (rs["metadata"]["namespace"], rs["metadata"]["name"])
            )
            if current is not None:
                self.cluster.update(
                    self.served(REPLICASETS),
                    namespace=rs["metadata"]["namespace"],
                    name=rs["metadata"]["name"],
                    body={**current, "status": status},
                    subresource="status",
                )
        # Pods ready but not yet available for minReadySeconds: look again when they are.
        return float(min_ready) if len(available) < len(ready) else None
