"""Creating the Pods of a controller's template, as kube-controller-manager's PodControl does.

A ReplicaSet and a Job make their Pods the same way: the template's metadata without a name,
`generateName` from the owner's name, the owner as controller in `ownerReferences`, and a
`SuccessfulCreate` Event on the owner naming the new Pod. One place, so both stay alike.
"""

from __future__ import annotations

from localkube.cluster import Cluster
from localkube.controllers.events import EventRecorder
from localkube.matching import owner_reference
from localkube.resources import ResourceType
from localkube.shapes import JsonObject


def create_owned_pod(
    *,
    cluster: Cluster,
    pods: ResourceType,
    events: EventRecorder,
    owner: JsonObject,
    api_version: str,
    kind: str,
    template: JsonObject,
) -> JsonObject:
    """Create one Pod from `template`, owned by `owner` (of `api_version`/`kind`)."""
    metadata = dict(template.get("metadata") or {})
    metadata.pop("name", None)
    metadata["generateName"] = f"{owner['metadata']['name']}-"
    metadata["ownerReferences"] = [owner_reference(owner, api_version=api_version, kind=kind)]
    pod = cluster.create(
        pods,
        namespace=owner["metadata"]["namespace"],
        body={"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"]},
    )
    events.record(
        {**owner, "kind": kind, "apiVersion": api_version},
        reason="SuccessfulCreate",
        message=f"Created pod: {pod['metadata']['name']}",
    )
    return pod
