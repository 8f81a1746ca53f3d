"""The Deployment controller's stand-in: ReplicaSets per template, rolled by maxSurge and
maxUnavailable, and the status `kubectl rollout status` reads.

Each distinct pod template gets a ReplicaSet `<deployment>-<pod-template-hash>` with that
hash in its labels and selector and the revision in `deployment.kubernetes.io/revision`.
A rolling update scales the new ReplicaSet up while the total stays within replicas +
maxSurge, and the old ones down while at least replicas − maxUnavailable stay available
(unhealthy old Pods go first); `Recreate` empties the old ones before the new one grows.
Old ReplicaSets scaled to zero beyond `revisionHistoryLimit` are deleted, oldest first.
Status: observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas,
unavailableReplicas, and the Available and Progressing conditions with kube's reasons.
A paused Deployment gets no new ReplicaSet and no rollout (a lone live ReplicaSet still
scales; Progressing is Unknown, `DeploymentPaused`); `kubectl rollout undo` works as kubectl
does it, by writing an old template back. Left out: progress deadlines and proportional
scaling of several live ReplicaSets.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from localkube.cluster import Cluster
from localkube.controllers.events import EventRecorder
from localkube.controllers.rollout import (
    HASH_LABEL,
    REVISION,
    deployment_status,
    revision_of,
    spec_replicas,
    status_count,
    surge_and_unavailable,
    template_hash,
    without_hash,
)
from localkube.controllers.runtime import Controller, ControllerSettings
from localkube.deleting import DeleteOptions
from localkube.matching import controlled_by, controller_ref, owner_reference
from localkube.shapes import JsonObject
from localkube.store import Change

DEPLOYMENTS = ("apps", "deployments")
REPLICASETS = ("apps", "replicasets")
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"


class DeploymentController(Controller):
    name = "deployment-controller"
    watches = frozenset({DEPLOYMENTS, REPLICASETS})

    def __init__(self, *, cluster: Cluster, settings: ControllerSettings) -> None:
        super().__init__(cluster=cluster, settings=settings)
        self.events = EventRecorder(cluster=cluster, component=self.name)

    def keys_for(self, change: Change) -> Iterable[Hashable]:
        metadata = change.object["metadata"]
        if change.storage_key == DEPLOYMENTS:
            return [(metadata["namespace"], metadata["name"])]
        reference = controller_ref(change.object)
        if reference is not None and reference.get("kind") == "Deployment":
            return [(metadata["namespace"], str(reference.get("name")))]
        return ()

    def all_keys(self) -> Iterable[Hashable]:
        return [
            (d["metadata"]["namespace"], d["metadata"]["name"])
            for d in self.store.items(DEPLOYMENTS, None)
        ]

    # -- one sync ----------------------------------------------------------------------------

    def sync(self, key: Hashable) -> float | None:
        assert isinstance(key, tuple)
        namespace, name = key
        deployment = self.store.get(DEPLOYMENTS, (namespace, name))
        if deployment is None or deployment["metadata"].get("deletionTimestamp"):
            return None
        owned = [
            rs for rs in self.store.items(REPLICASETS, namespace) if controlled_by(rs, deployment)
        ]
        template = deployment["spec"]["template"]
        wanted = without_hash(template)
        new = next((rs for rs in owned if without_hash(rs["spec"]["template"]) == wanted), None)
        old = [rs for rs in owned if rs is not new]
        if deployment["spec"].get("paused"):
            self._sync_paused(deployment, new, old)
            return None
        created = False
        if new is None:
            new = self._create_replicaset(deployment, old)
            created = True
        else:
            new = self._keep_revision_newest(new, old)
        if (deployment["spec"].get("strategy") or {}).get("type") == "Recreate":
            new, old = self._recreate(deployment, new, old)
        else:
            new, old = self._roll(deployment, new, old)
        old = self._clean_up_history(deployment, old)
        self._write_status(deployment, new, old, created=created)
        return None

    def _sync_paused(
        self, deployment: JsonObject, new: JsonObject | None, old: list[JsonObject]
    ) -> None:
        """Paused: no new ReplicaSet and no rollout; a lone live ReplicaSet still scales."""
        everything = [rs for rs in [new, *old] if rs is not None]
        live = [rs for rs in everything if spec_replicas(rs) > 0] or ([new] if new else [])
        if len(live) == 1:
            scaled = self._scale(deployment, live[0], int(deployment["spec"].get("replicas", 1)))
            everything = [scaled if rs is live[0] else rs for rs in everything]
            new = scaled if live[0] is new else new
        self._write_status(
            deployment, new, [rs for rs in everything if rs is not new], created=False
        )

    def _create_replicaset(self, deployment: JsonObject, old: list[JsonObject]) -> JsonObject:
        spec = deployment["spec"]
        pod_hash = template_hash(without_hash(spec["template"]))
        template = spec["template"]
        labels = {**(template["metadata"].get("labels") or {}), HASH_LABEL: pod_hash}
        selector = dict(spec.get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: pod_hash}
        surge, _ = surge_and_unavailable(deployment)
        replicas = int(spec.get("replicas", 1))
        if spec.get("strategy", {}).get("type") == "Recreate":
            start = 0 if any(spec_replicas(rs) for rs in old) else replicas
        else:
            room = replicas + surge - sum(spec_replicas(rs) for rs in old)
            start = max(0, min(replicas, room))
        revision = max((revision_of(rs) for rs in old), default=0) + 1
        name = f"{deployment['metadata']['name']}-{pod_hash}"
        body = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "labels": labels,
                "annotations": {
                    DESIRED: str(replicas),
                    MAX_REPLICAS: str(replicas + surge),
                    REVISION: str(revision),
                },
                "ownerReferences": [
                    owner_reference(deployment, api_version="apps/v1", kind="Deployment")
                ],
            },
            "spec": {
                "replicas": start,
                "minReadySeconds": int(spec.get("minReadySeconds") or 0),
                "selector": selector,
                "template": {
                    **template,
                    "metadata": {**template["metadata"], "labels": labels},
                },
            },
        }
        created = self.cluster.create(
            self.served(REPLICASETS), namespace=deployment["metadata"]["namespace"], body=body
        )
        if start:
            self._event(deployment, f"Scaled up replica set {name} from 0 to {start}")
        return created

    def _keep_revision_newest(self, new: JsonObject, old: list[JsonObject]) -> JsonObject:
        newest_old = max((revision_of(rs) for rs in old), default=0)
        if revision_of(new) > newest_old:
            return new
        annotations = {**(new["metadata"].get("annotations") or {}), REVISION: str(newest_old + 1)}
        return self._update_replicaset(new, annotations=annotations)

    def _update_replicaset(
        self, rs: JsonObject, *, replicas: int | None = None, annotations: JsonObject | None = None
    ) -> JsonObject:
        metadata = dict(rs["metadata"])
        if annotations is not None:
            metadata["annotations"] = annotations
        spec = dict(rs["spec"])
        if replicas is not None:
            spec["replicas"] = replicas
        return self.cluster.update(
            self.served(REPLICASETS),
            namespace=metadata["namespace"],
            name=metadata["name"],
            body={**rs, "metadata": metadata, "spec": spec},
        )

    def _scale(self, deployment: JsonObject, rs: JsonObject, replicas: int) -> JsonObject:
        current = spec_replicas(rs)
        if current == replicas:
            return rs
        surge, _ = surge_and_unavailable(deployment)
        wanted = int(deployment["spec"].get("replicas", 1))
        annotations = {
            **(rs["metadata"].get("annotations") or {}),
            DESIRED: str(wanted),
            MAX_REPLICAS: str(wanted + surge),
        }
        scaled = self._update_replicaset(rs, replicas=replicas, annotations=annotations)
        direction = "up" if replicas > current else "down"
        self._event(
            deployment,
            f"Scaled {direction} replica set {rs['metadata']['name']} from {current} to {replicas}",
        )
        return scaled

    def _event(self, deployment: JsonObject, message: str) -> None:
        self.events.record(
            {**deployment, "kind": "Deployment", "apiVersion": "apps/v1"},
            reason="ScalingReplicaSet",
            message=message,
        )

    # -- strategies --------------------------------------------------------------------------

    def _recreate(
        self, deployment: JsonObject, new: JsonObject, old: list[JsonObject]
    ) -> tuple[JsonObject, list[JsonObject]]:
        old = [self._scale(deployment, rs, 0) for rs in old]
        if any(status_count(rs, "replicas") for rs in old):
            return new, old
        return self._scale(deployment, new, int(deployment["spec"].get("replicas", 1))), old

    def _roll(
        self, deployment: JsonObject, new: JsonObject, old: list[JsonObject]
    ) -> tuple[JsonObject, list[JsonObject]]:
        replicas = int(deployment["spec"].get("replicas", 1))
        surge, unavailable = surge_and_unavailable(deployment)
        total = spec_replicas(new) + sum(spec_replicas(rs) for rs in old)
        if spec_replicas(new) > replicas:
            new = self._scale(deployment, new, replicas)
        elif spec_replicas(new) < replicas and total < replicas + surge:
            grown = min(replicas, spec_replicas(new) + replicas + surge - total)
            new = self._scale(deployment, new, grown)
        everything = spec_replicas(new) + sum(spec_replicas(rs) for rs in old)
        min_available = replicas - unavailable
        new_unavailable = max(0, spec_replicas(new) - status_count(new, "availableReplicas"))
        room = everything - min_available - new_unavailable
        if room <= 0:
            return new, old
        oldest_first = sorted(old, key=lambda rs: str(rs["metadata"].get("creationTimestamp")))
        result = {rs["metadata"]["name"]: rs for rs in old}
        # Unhealthy old Pods first: they do not count as available anyway.
        for rs in oldest_first:
            if room <= 0:
                break
            unhealthy = spec_replicas(rs) - status_count(rs, "availableReplicas")
            cut = min(room, max(0, unhealthy))
            if cut:
                result[rs["metadata"]["name"]] = self._scale(
                    deployment, rs, spec_replicas(rs) - cut
                )
                room -= cut
        available = status_count(new, "availableReplicas") + sum(
            status_count(rs, "availableReplicas") for rs in result.values()
        )
        budget = min(room, available - min_available)
        for rs in sorted(
            result.values(), key=lambda r: str(r["metadata"].get("creationTimestamp"))
        ):
            if budget <= 0:
                break
            cut = min(budget, spec_replicas(rs))
            if cut:
                result[rs["metadata"]["name"]] = self._scale(
                    deployment, rs, spec_replicas(rs) - cut
                )
                budget -= cut
        return new, list(result.values())

    def _clean_up_history(self, deployment: JsonObject, old: list[JsonObject]) -> list[JsonObject]:
        limit = int(deployment["spec"].get("revisionHistoryLimit", 10))
        idle = sorted(
            (rs for rs in old if spec_replicas(rs) == 0 and status_count(rs, "replicas") == 0),
            key=revision_of,
        )
        doomed = idle[: max(0, len(idle) - limit)]
        for rs in doomed:
            self.cluster.delete(
                self.served(REPLICASETS),
                namespace=rs["metadata"]["namespace"],
                name=rs["metadata"]["name"],
                options=DeleteOptions(),
            )
        gone = {rs["metadata"]["name"] for rs in doomed}
        return [rs for rs in old if rs["metadata"]["name"] not in gone]

    # -- status ------------------------------------------------------------------------------

    def _write_status(
        self,
        deployment: JsonObject,
        new: JsonObject | None,
        old: list[JsonObject],
        *,
        created: bool,
    ) -> None:
        status = deployment_status(deployment, new, old, created=created)
        revision = (new["metadata"].get("annotations") or {}).get(REVISION) if new else None
        annotations = deployment["metadata"].get("annotations") or {}
        current = deployment
        if revision and annotations.get(REVISION) != revision:
            metadata = {
                **deployment["metadata"],
                "annotations": {**annotations, REVISION: revision},
            }
            current = self.cluster.update(
                self.served(DEPLOYMENTS),
                namespace=metadata["namespace"],
                name=metadata["name"],
                body={**deployment, "metadata": metadata},
            )
        if status != (deployment.get("status") or {}):
            self.cluster.update(
                self.served(DEPLOYMENTS),
                namespace=current["metadata"]["namespace"],
                name=current["metadata"]["name"],
                body={**current, "status": status},
                subresource="status",
            )
