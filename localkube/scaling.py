"""The `scale` subresource of Deployments and ReplicaSets: an autoscaling/v1 `Scale` view.

`kubectl scale` reads and writes `.../deployments/x/scale`; the view carries the parent's
metadata, `spec.replicas`, and in its status the observed replicas and the selector as a
string (what an autoscaler lists Pods with). A write changes only the parent's
`spec.replicas`, with the view's resourceVersion as precondition when it has one.
"""

from __future__ import annotations

from typing import Any

from localkube.cluster import Cluster
from localkube.errors import Cause, bad_request, invalid
from localkube.matching import selector_string
from localkube.patching import PatchType, json_merge_patch, json_patch, strategic_merge_patch
from localkube.resources import ResourceType
from localkube.shapes import JsonObject


def view(obj: JsonObject) -> JsonObject:
    metadata = obj["metadata"]
    spec = obj.get("spec") or {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            key: metadata[key]
            for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if key in metadata
        },
        "spec": {"replicas": int(spec.get("replicas", 0))},
        "status": {
            "replicas": int((obj.get("status") or {}).get("replicas", 0)),
            "selector": selector_string(spec.get("selector")),
        },
    }


def read(cluster: Cluster, resource: ResourceType, *, namespace: str, name: str) -> JsonObject:
    return view(cluster.get(resource, namespace=namespace, name=name))


def _write(
    cluster: Cluster,
    resource: ResourceType,
    *,
    namespace: str,
    name: str,
    scale: Any,
    dry_run: bool,
) -> JsonObject:
    if not isinstance(scale, dict):
        raise bad_request("the body of the request must be a JSON object")
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise invalid(
            kind="Scale",
            group="autoscaling",
            name=name,
            causes=[
                Cause(
                    "FieldValueInvalid",
                    f"Invalid value: {replicas}: must be greater than or equal to 0",
                    "spec.replicas",
                )
            ],
        )
    existing = cluster.get(resource, namespace=namespace, name=name)
    metadata = dict(existing["metadata"])
    wanted = (scale.get("metadata") or {}).get("resourceVersion")
    if wanted:
        metadata["resourceVersion"] = wanted
    body = {**existing, "metadata": metadata, "spec": {**existing["spec"], "replicas": replicas}}
    updated = cluster.update(resource, namespace=namespace, name=name, body=body, dry_run=dry_run)
    return view(updated)


def replace(
    cluster: Cluster,
    resource: ResourceType,
    *,
    namespace: str,
    name: str,
    body: Any,
    dry_run: bool,
) -> JsonObject:
    return _write(cluster, resource, namespace=namespace, name=name, scale=body, dry_run=dry_run)


def patch(
    cluster: Cluster,
    resource: ResourceType,
    *,
    namespace: str,
    name: str,
    patch_type: PatchType,
    body: Any,
    dry_run: bool,
) -> JsonObject:
    current = read(cluster, resource, namespace=namespace, name=name)
    if patch_type is PatchType.JSON:
        patched = json_patch(current, body)
    elif patch_type is PatchType.MERGE:
        if not isinstance(body, dict):
            raise bad_request("merge patch must be a JSON object")
        patched = json_merge_patch(current, body)
    elif patch_type is PatchType.STRATEGIC:
        patched = strategic_merge_patch(current, body)
    else:
        raise bad_request(f"patch type {patch_type} is not supported for scale")
    return _write(cluster, resource, namespace=namespace, name=name, scale=patched, dry_run=dry_run)
