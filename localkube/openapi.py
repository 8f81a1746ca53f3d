"""A minimal `/openapi/v3`: just enough for kubectl to trust the server's field validation.

kubectl (1.27+) downloads OpenAPI v3 before `apply`/`create` to learn whether the server
supports the `fieldValidation` query parameter; without a document it refuses to send
anything unless run with `--validate=false`. We publish, per served group/version, the PATCH
operation of each kind with its `x-kubernetes-group-version-kind` and the `fieldValidation`
parameter, and no schemas: kubectl then validates server-side and computes strategic merge
patches from its built-in types, as it does against clusters without schemas.
`/openapi/v2` stays 404 (kubectl copes once v3 answers).
"""

from __future__ import annotations

import hashlib
import json

from localkube.resources import Registry, ResourceType
from localkube.shapes import JsonObject

QUERY_PARAMETERS = ("dryRun", "fieldManager", "fieldValidation", "force")


def _prefix(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def _item_path(resource: ResourceType) -> str:
    base = "/" + _prefix(resource.group, resource.version)
    if resource.namespaced:
        base += "/namespaces/{namespace}"
    return f"{base}/{resource.plural}/{{name}}"


def group_version_document(registry: Registry, *, group: str, version: str) -> JsonObject | None:
    served = registry.in_group_version(group=group, version=version)
    if not served:
        return None
    paths: JsonObject = {}
    for resource in served:
        paths[_item_path(resource)] = {
            "patch": {
                "description": f"partially update the specified {resource.kind}",
                "operationId": f"patch{resource.kind}",
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": {
                    "group": resource.group,
                    "version": resource.version,
                    "kind": resource.kind,
                },
                "parameters": [
                    {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                    for name in QUERY_PARAMETERS
                ],
                "responses": {"200": {"description": "OK"}},
            }
        }
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": paths,
        "components": {},
    }


def _hash(document: JsonObject) -> str:
    return hashlib.sha512(json.dumps(document, sort_keys=True).encode()).hexdigest()[:64].upper()


def root_document(registry: Registry) -> JsonObject:
    versions = [("", "v1")] + [
        (group, version) for group, versions in registry.groups().items() for version in versions
    ]
    paths: JsonObject = {}
    for group, version in versions:
        document = group_version_document(registry, group=group, version=version)
        if document is None:
            continue
        prefix = _prefix(group, version)
        paths[prefix] = {"serverRelativeURL": f"/openapi/v3/{prefix}?hash={_hash(document)}"}
    return {"paths": paths}
