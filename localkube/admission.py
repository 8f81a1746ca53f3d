"""Checks and stamps every write passes before it reaches the store (kube's admission steps).

URL/body agreement (name, namespace, apiVersion, kind), server-owned metadata carried over
from the stored object, and the openAPIV3Schema pipeline of custom resources (prune, default,
validate). Pure functions: they read, raise `ApiError`, or return a new object.
"""

from __future__ import annotations

from localkube import validation
from localkube.errors import bad_request, invalid
from localkube.resources import ResourceType
from localkube.shapes import JsonObject

SERVER_OWNED_METADATA = (
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "namespace",
    "name",
)


def with_server_metadata(
    resource: ResourceType, existing: JsonObject, body: JsonObject
) -> JsonObject:
    """`body` with apiVersion/kind and the metadata only the server may set, from `existing`."""
    new = dict(body)
    new["apiVersion"] = resource.api_version
    new["kind"] = resource.kind
    metadata = dict(new.get("metadata") or {})
    for owned in SERVER_OWNED_METADATA:
        if owned in existing["metadata"]:
            metadata[owned] = existing["metadata"][owned]
        else:
            metadata.pop(owned, None)
    new["metadata"] = metadata
    return new


def check_body_identity(
    resource: ResourceType, body: JsonObject, *, namespace: str, name: str | None
) -> None:
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise bad_request("metadata must be an object")
    if name is not None and metadata.get("name") not in (None, "", name):
        raise bad_request(
            f"the name of the object ({metadata.get('name')}) does not match the name on "
            f"the URL ({name})"
        )
    body_namespace = metadata.get("namespace")
    if resource.namespaced and body_namespace not in (None, "", namespace):
        raise bad_request(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    for field, expected in (("apiVersion", resource.api_version), ("kind", resource.kind)):
        if body.get(field) not in (None, "", expected) and not (
            field == "apiVersion" and resource.is_custom
        ):
            raise bad_request(
                f"the API version in the data ({body.get('apiVersion')}) does not match "
                f"the expected API version ({resource.api_version})"
                if field == "apiVersion"
                else f"the kind in the data ({body.get('kind')}) does not match the "
                f"expected kind ({resource.kind})"
            )


def schema_pipeline(resource: ResourceType, obj: JsonObject) -> JsonObject:
    if resource.schema is None:
        return obj
    pruned = validation.prune(obj, resource.schema, root=True)
    defaulted = validation.apply_defaults(pruned, resource.schema)
    causes = validation.validate(defaulted, resource.schema)
    if causes:
        raise invalid(
            kind=resource.kind,
            group=resource.group,
            name=obj["metadata"].get("name", ""),
            causes=causes,
        )
    result: JsonObject = defaulted
    return result
