"""Errors of the embedded API server, each rendered as the `Status` body kube-apiserver sends.

Every failure a client can see leaves through `ApiError`, so the HTTP layer has one place
that turns it into JSON. Messages copy kube-apiserver's wording because clients (kubectl,
kubernetes_asyncio users, our own agent) match on `reason` and show `message` to people.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from localkube.shapes import JsonObject


class Reason(StrEnum):
    """`Status.reason` values (k8s.io/apimachinery metav1.StatusReason)."""

    NOT_FOUND = "NotFound"
    ALREADY_EXISTS = "AlreadyExists"
    CONFLICT = "Conflict"
    INVALID = "Invalid"
    GONE = "Gone"
    EXPIRED = "Expired"
    BAD_REQUEST = "BadRequest"
    METHOD_NOT_ALLOWED = "MethodNotAllowed"
    NOT_ACCEPTABLE = "NotAcceptable"
    UNSUPPORTED_MEDIA_TYPE = "UnsupportedMediaType"
    REQUEST_ENTITY_TOO_LARGE = "RequestEntityTooLarge"
    TOO_MANY_REQUESTS = "TooManyRequests"
    INTERNAL_ERROR = "InternalError"
    FORBIDDEN = "Forbidden"
    UNAUTHORIZED = "Unauthorized"
    UNKNOWN = ""
    """metav1.StatusReasonUnknown: a status with no more specific reason (kube omits it, e.g.
    on a 500 that is no API status)."""
    TIMEOUT = "Timeout"
    SERVICE_UNAVAILABLE = "ServiceUnavailable"


@dataclass(frozen=True)
class Cause:
    """One `details.causes` entry: what is wrong with which field."""

    reason: str
    message: str
    field: str

    def to_json(self) -> JsonObject:
        return {"reason": self.reason, "message": self.message, "field": self.field}


@dataclass(frozen=True)
class QualifiedResource:
    """A resource as errors name it: plural plus group (empty for core)."""

    resource: str
    group: str = ""

    def __str__(self) -> str:
        return f"{self.resource}.{self.group}" if self.group else self.resource


@dataclass
class ApiError(Exception):
    """A failure answered with a kube-shaped `Status` body and HTTP `code`."""

    code: int
    reason: Reason
    message: str
    details: JsonObject | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.reason}: {self.message}"

    def status_body(self) -> JsonObject:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
        }
        if self.reason is not Reason.UNKNOWN:
            body["reason"] = str(self.reason)
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _details(
    *, name: str, resource: QualifiedResource, extra: JsonObject | None = None
) -> JsonObject:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if resource.group:
        details["group"] = resource.group
    details["kind"] = resource.resource
    if extra:
        details.update(extra)
    return details


def not_found(*, resource: QualifiedResource, name: str) -> ApiError:
    return ApiError(
        code=404,
        reason=Reason.NOT_FOUND,
        message=f'{resource} "{name}" not found',
        details=_details(name=name, resource=resource),
    )


def not_found_path() -> ApiError:
    """A URL that names no resource at all (kube answers this for unknown paths)."""
    return ApiError(
        code=404,
        reason=Reason.NOT_FOUND,
        message="the server could not find the requested resource",
        details={},
    )


def already_exists(*, resource: QualifiedResource, name: str) -> ApiError:
    return ApiError(
        code=409,
        reason=Reason.ALREADY_EXISTS,
        message=f'{resource} "{name}" already exists',
        details=_details(name=name, resource=resource),
    )


def conflict(*, resource: QualifiedResource, name: str) -> ApiError:
    return ApiError(
        code=409,
        reason=Reason.CONFLICT,
        message=(
            f'Operation cannot be fulfilled on {resource} "{name}": the object has been '
            "modified; please apply your changes to the latest version and try again"
        ),
        details=_details(name=name, resource=resource),
    )


def precondition_failed(*, resource: QualifiedResource, name: str, message: str) -> ApiError:
    return ApiError(
        code=409,
        reason=Reason.CONFLICT,
        message=f'Operation cannot be fulfilled on {resource} "{name}": {message}',
        details=_details(name=name, resource=resource),
    )


def invalid(*, kind: str, group: str, name: str, causes: list[Cause]) -> ApiError:
    """422 Invalid; `kind` is the Kind (e.g. `ImageCache`), as kube names it here."""
    qualified = f"{kind}.{group}" if group else kind
    rendered = [
        f"{cause.field}: {cause.message}" if cause.field else cause.message for cause in causes
    ]
    joined = rendered[0] if len(rendered) == 1 else "[" + ", ".join(rendered) + "]"
    details: dict[str, Any] = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = [cause.to_json() for cause in causes]
    return ApiError(
        code=422,
        reason=Reason.INVALID,
        message=f'{qualified} "{name}" is invalid: {joined}',
        details=details,
    )


def invalid_patch(*, shown: str, reason: str) -> ApiError:
    """422 Invalid for a patch whose result the typed decoder refuses. kube names no kind and
    no object here (`"" is invalid`), and its one cause is the field `patch`."""
    shown_quoted = json.dumps(shown, ensure_ascii=False)
    cause = Cause("FieldValueInvalid", f"Invalid value: {shown_quoted}: {reason}", "patch")
    return ApiError(
        code=422,
        reason=Reason.INVALID,
        message=f' "" is invalid: patch: {cause.message}',
        details={"causes": [cause.to_json()]},
    )


def expired(message: str) -> ApiError:
    return ApiError(code=410, reason=Reason.EXPIRED, message=message)


def too_old_resource_version(*, requested: int, oldest: int) -> ApiError:
    return expired(f"too old resource version: {requested} ({oldest})")


CONTINUE_EXPIRED_MESSAGE = (
    "The provided continue parameter is too old to display a consistent list result. "
    "You can start a new list without the continue parameter, or use the continue token "
    "in this response to retrieve the remainder of the results. Continuing with the "
    "provided token results in an inconsistent list - objects that were created, modified, "
    "or deleted between the time the first chunk was returned and now may show up in the list."
)


def bad_request(message: str) -> ApiError:
    return ApiError(code=400, reason=Reason.BAD_REQUEST, message=message)


def method_not_allowed(*, verb: str, resource: QualifiedResource) -> ApiError:
    return ApiError(
        code=405,
        reason=Reason.METHOD_NOT_ALLOWED,
        message=f'{verb} is not supported on resources of kind "{resource}"',
        details={"group": resource.group, "kind": resource.resource}
        if resource.group
        else {"kind": resource.resource},
    )


def unsupported_media_type(content_type: str) -> ApiError:
    return ApiError(
        code=415,
        reason=Reason.UNSUPPORTED_MEDIA_TYPE,
        message=f"the body of the request was in an unknown format - accepted media types "
        f'include: application/json, application/yaml (got "{content_type}")',
    )


def unsupported_patch_type(*, custom: bool) -> ApiError:
    """A PATCH whose Content-Type is no patch format kube knows (custom kinds: no strategic)."""
    accepted = ["application/json-patch+json", "application/merge-patch+json"]
    if not custom:
        accepted.append("application/strategic-merge-patch+json")
    accepted.append("application/apply-patch+yaml")
    return ApiError(
        code=415,
        reason=Reason.UNSUPPORTED_MEDIA_TYPE,
        message="the body of the request was in an unknown format - accepted media types "
        "include: " + ", ".join(accepted),
    )


def not_acceptable(accept: str) -> ApiError:
    return ApiError(
        code=406,
        reason=Reason.NOT_ACCEPTABLE,
        message=f"only the following media types are accepted: application/json, "
        f"application/yaml (requested {accept})",
    )


def forbidden(*, resource: QualifiedResource, name: str, message: str) -> ApiError:
    return ApiError(
        code=403,
        reason=Reason.FORBIDDEN,
        message=f'{resource} "{name}" is forbidden: {message}',
        details=_details(name=name, resource=resource),
    )


def too_many_requests(*, retry_after_seconds: int) -> ApiError:
    return ApiError(
        code=429,
        reason=Reason.TOO_MANY_REQUESTS,
        message="Too many requests, please try again later.",
        details={"retryAfterSeconds": retry_after_seconds},
        headers={"Retry-After": str(retry_after_seconds)},
    )


def internal_error(message: str) -> ApiError:
    return ApiError(
        code=500,
        reason=Reason.INTERNAL_ERROR,
        message=f"Internal error occurred: {message}",
        details={"causes": [{"message": message}]},
    )
