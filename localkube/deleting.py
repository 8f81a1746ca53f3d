"""Deletion rules: preconditions, graceful deletion of bound pods, finalizers, responses.

kube-apiserver never removes a Pod bound to a node by itself: it stamps `deletionTimestamp`
and `deletionGracePeriodSeconds` and waits for the kubelet (here: the agent) to delete it
again with grace 0. Objects with finalizers wait until their finalizers are gone. These
functions decide; `Cluster` performs the writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from localkube import objects
from localkube.errors import Cause, QualifiedResource, bad_request, invalid, precondition_failed
from localkube.queries import go_int
from localkube.resources import ResourceType
from localkube.shapes import JsonObject

NAMESPACES = ("", "namespaces")
CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")
PODS = ("", "pods")
RETURNS_DELETED_OBJECT = frozenset({PODS, NAMESPACES, CRDS})
"""Resources whose DELETE answers with the object; the rest answer with a Success Status."""


@dataclass(frozen=True)
class DeleteOptions:
    grace_period_seconds: int | None = None
    uid: str | None = None
    resource_version: str | None = None
    propagation_policy: str | None = None
    """Foreground, Background or Orphan; None for the resource's default."""

    @classmethod
    def from_body(
        cls,
        body: JsonObject | None,
        *,
        grace_query: str | None,
        propagation_query: str | None = None,
    ) -> DeleteOptions:
        body = body or {}
        preconditions = body.get("preconditions") or {}
        if not isinstance(preconditions, dict):
            raise bad_request(
                "json: cannot unmarshal into Go struct field DeleteOptions.preconditions of "
                "type v1.Preconditions"
            )
        grace = body.get("gracePeriodSeconds")
        if grace is None:
            grace = go_int(grace_query)
        if grace is not None and (not isinstance(grace, int) or isinstance(grace, bool)):
            raise bad_request(
                "json: cannot unmarshal into Go struct field DeleteOptions.gracePeriodSeconds "
                "of type int64"
            )
        policy = body.get("propagationPolicy") or propagation_query
        if policy is None and isinstance(body.get("orphanDependents"), bool):
            policy = "Orphan" if body["orphanDependents"] else "Background"
        if policy is not None and policy not in PROPAGATION_FINALIZERS:
            raise invalid(
                kind="DeleteOptions",
                group="",
                name="",
                causes=[
                    Cause(
                        "FieldValueNotSupported",
                        f'Unsupported value: "{policy}": supported values: "Foreground", '
                        '"Background", "Orphan"',
                        "propagationPolicy",
                    )
                ],
            )
        return cls(
            grace_period_seconds=grace,
            uid=preconditions.get("uid"),
            resource_version=preconditions.get("resourceVersion"),
            propagation_policy=policy,
        )


# -- ownerReferences: what the garbage collector is asked to do ----------------------------

FOREGROUND_FINALIZER = "foregroundDeletion"
ORPHAN_FINALIZER = "orphan"
PROPAGATION_FINALIZERS = {
    "Foreground": FOREGROUND_FINALIZER,
    "Background": None,
    "Orphan": ORPHAN_FINALIZER,
}
ORPHAN_BY_DEFAULT = frozenset({("batch", "jobs")})
"""batch/v1 Jobs keep their Pods unless told otherwise (kubectl sends Background)."""


def propagation_finalizer(resource: ResourceType, options: DeleteOptions) -> str | None:
    """The finalizer a delete leaves for the garbage collector, if any."""
    policy = options.propagation_policy
    if policy is None:
        policy = "Orphan" if resource.key in ORPHAN_BY_DEFAULT else "Background"
    if resource.key in (NAMESPACES, CRDS):
        return None
    return PROPAGATION_FINALIZERS[policy]


def with_propagation_finalizer(
    resource: ResourceType, existing: JsonObject, finalizer: str, grace: int
) -> JsonObject | None:
    """The object marked deleted and holding `finalizer`, or None when it already is."""
    marked = marked_for_deletion(resource, existing, grace) or existing
    finalizers = list(marked["metadata"].get("finalizers") or [])
    if finalizer in finalizers and marked is existing:
        return None
    if finalizer not in finalizers:
        finalizers.append(finalizer)
    return {**marked, "metadata": {**marked["metadata"], "finalizers": finalizers}}


def check_preconditions(
    resource: ResourceType, existing: JsonObject, options: DeleteOptions
) -> None:
    """kube-apiserver checks delete preconditions early (`rest.BeforeDelete`), naming the
    resource by its Kind, e.g. `Operation cannot be fulfilled on ConfigMap "x": ...`."""
    metadata = existing["metadata"]
    name = metadata["name"]
    by_kind = QualifiedResource(resource=resource.kind, group=resource.group)
    if options.uid is not None and options.uid != metadata.get("uid"):
        raise precondition_failed(
            resource=by_kind,
            name=name,
            message=f"the UID in the precondition ({options.uid}) does not match the UID in "
            f"record ({metadata.get('uid')}). The object might have been deleted and then "
            "recreated",
        )
    if options.resource_version is not None and options.resource_version != metadata.get(
        "resourceVersion"
    ):
        raise precondition_failed(
            resource=by_kind,
            name=name,
            message="the ResourceVersion in the precondition "
            f"({options.resource_version}) does not match the ResourceVersion in record "
            f"({metadata.get('resourceVersion')}). The object might have been modified",
        )


def grace_period(resource: ResourceType, existing: JsonObject, options: DeleteOptions) -> int:
    if resource.key != PODS:
        return 0
    spec = existing.get("spec") or {}
    phase = (existing.get("status") or {}).get("phase")
    if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
        return 0
    grace = options.grace_period_seconds
    if grace is None:
        grace = int(
            spec.get("terminationGracePeriodSeconds", objects.DEFAULT_TERMINATION_GRACE_SECONDS)
        )
    return 1 if grace < 0 else grace


def marked_for_deletion(
    resource: ResourceType, existing: JsonObject, grace: int
) -> JsonObject | None:
    """The object with deletionTimestamp/grace set, or None when that changes nothing."""
    metadata = dict(existing["metadata"])
    current_grace = metadata.get("deletionGracePeriodSeconds")
    if metadata.get("deletionTimestamp") and current_grace is not None and grace >= current_grace:
        return None
    when = datetime.now(UTC) + timedelta(seconds=grace)
    metadata["deletionTimestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata["deletionGracePeriodSeconds"] = grace
    if resource.tracks_generation and "generation" in metadata:
        metadata["generation"] = int(metadata["generation"]) + 1
    return {**existing, "metadata": metadata}


def finished_deleting(resource: ResourceType, obj: JsonObject) -> bool:
    metadata = obj["metadata"]
    if not metadata.get("deletionTimestamp") or metadata.get("finalizers"):
        return False
    if resource.key == NAMESPACES:
        return False
    if resource.key == PODS:
        return int(metadata.get("deletionGracePeriodSeconds") or 0) == 0
    return True


def check_finalizers(resource: ResourceType, existing: JsonObject, new: JsonObject) -> None:
    if not existing["metadata"].get("deletionTimestamp"):
        return
    old = set(existing["metadata"].get("finalizers") or [])
    added = [f for f in new["metadata"].get("finalizers") or [] if f not in old]
    if added:
        raise invalid(
            kind=resource.kind,
            group=resource.group,
            name=existing["metadata"]["name"],
            causes=[
                Cause(
                    "FieldValueForbidden",
                    "Forbidden: no new finalizers can be added if the object is being deleted, "
                    f"found new finalizers {added}",
                    "metadata.finalizers",
                )
            ],
        )


def deleted_response(resource: ResourceType, removed: JsonObject) -> JsonObject:
    if resource.key in RETURNS_DELETED_OBJECT:
        return {**removed, "apiVersion": resource.api_version}
    details: JsonObject = {"name": removed["metadata"]["name"]}
    if resource.group:
        details["group"] = resource.group
    details["kind"] = resource.plural
    details["uid"] = removed["metadata"].get("uid", "")
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    }
