"""What the body of a create, update or patch becomes before `Cluster` sees it.

kube-apiserver reads a write's body in a fixed order, and so does this module: the media
type (JSON, YAML, protobuf for built-in kinds; 415 otherwise), the typed decode of built-in
kinds (`typecheck`: wrong types and bad quantities are 400s), `apiVersion`/`kind` of custom
resources (400 `Object 'Kind' is missing in '...'`), then `fieldValidation`: unknown and
duplicate fields are refused with `Strict`, reported as `Warning` headers with `Warn` (the
default) and ignored with `Ignore`. It never changes what an object means.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from localkube import bodies, typecheck, validation
from localkube.errors import ApiError, bad_request
from localkube.resources import ResourceType

WARNINGS_KEY = web.RequestKey("localkube.warnings", list[str])
"""Where a request's `Warning` header values (RFC 7234 code 299, as kube sends) are kept."""
VALIDATION_MODES = ("Ignore", "Warn", "Strict")


def field_validation(request: web.Request) -> str:
    mode = request.query.get("fieldValidation") or "Warn"
    if mode not in VALIDATION_MODES:
        raise bad_request(
            f'fieldValidation must be one of "Ignore", "Warn", or "Strict", got "{mode}"'
        )
    return mode


async def write_body(
    request: web.Request, resource: ResourceType, *, subresource: str | None = None
) -> Any:
    """The body of a POST or PUT, decoded, typed and field-validated. A subresource other
    than `status` carries another kind (Scale, Eviction, ...): it is decoded, not typed."""
    mode = field_validation(request)
    body = await bodies.read_body(request, protobuf=not resource.is_custom)
    if body is None:
        if resource.is_custom:
            raise bad_request("Object 'Kind' is missing in ''")
        raise typecheck.cannot_handle(resource, None, "unexpected end of JSON input")
    if not isinstance(body, dict):
        if resource.is_custom:
            return body
        raise typecheck.cannot_handle(resource, body, typecheck.not_an_object(body))
    if resource.is_custom:
        require_type_meta(body)
    if subresource not in (None, "status"):
        return body
    typed = typecheck.decode(resource, body)
    unknown = list(typed.unknown)
    if resource.schema is not None:
        unknown += validation.unknown_fields(typed.obj, resource.schema)
    _report(request, mode, unknown=unknown, duplicates=request.get(bodies.DUPLICATES_KEY, []))
    return typed.obj


async def patch_body(
    request: web.Request,
    resource: ResourceType,
    *,
    merge: bool,
    strategic: bool = False,
    apply: bool = False,
) -> Any:
    """The body of a PATCH; merge, strategic and apply patches are field-validated (a custom
    resource's against its schema, a built-in kind's against its wire shape)."""
    mode = field_validation(request)
    fmt = bodies.BodyFormat.YAML if "yaml" in request.content_type else bodies.BodyFormat.JSON
    patch = await bodies.read_body(request, fmt=fmt)
    unknown: list[str] = []
    if (merge or apply) and resource.schema is not None and isinstance(patch, dict):
        unknown = validation.unknown_fields(patch, resource.schema)
    elif (merge or strategic or apply) and not resource.is_custom and isinstance(patch, dict):
        try:
            unknown = typecheck.decode(resource, patch, patch=not apply).unknown
        except ApiError:
            unknown = []  # the patched object is decoded (and refused) in `Cluster.patch`
    _report(request, mode, unknown=unknown, duplicates=request.get(bodies.DUPLICATES_KEY, []))
    return patch


def require_type_meta(body: dict[str, Any]) -> None:
    """Custom resources decode as unstructured objects, which must say what they are."""
    for field, label in (("kind", "Kind"), ("apiVersion", "apiVersion")):
        if not body.get(field):
            raise bad_request(
                f"Object '{label}' is missing in '{json.dumps(body, separators=(',', ':'))}'"
            )


def _report(request: web.Request, mode: str, *, unknown: list[str], duplicates: list[str]) -> None:
    if mode == "Ignore":
        return
    problems = [f'unknown field "{path}"' for path in unknown] + [
        f'duplicate field "{key}"' for key in duplicates
    ]
    if not problems:
        return
    if mode == "Strict":
        raise bad_request("strict decoding error: " + ", ".join(problems))
    escaped = [problem.replace('"', '\\"') for problem in problems]
    request[WARNINGS_KEY] = [f'299 - "{problem}"' for problem in escaped]
