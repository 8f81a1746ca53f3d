"""Turns a Kubernetes API URL into what it names: resource, namespace, name, subresource.

kube's URL grammar has one ambiguity we resolve its way: `/api/v1/namespaces/x/status` is
the status subresource of namespace `x`, while `/api/v1/namespaces/x/pods` lists pods in it.
Legacy `/watch/` prefixes map onto `?watch=true`.
"""

from __future__ import annotations

from dataclasses import dataclass

from localkube.errors import not_found_path
from localkube.resources import Registry, ResourceType

NAMESPACE_SUBRESOURCES = ("status", "finalize")


@dataclass(frozen=True)
class Target:
    resource: ResourceType
    namespace: str | None
    """None for cluster-scoped resources and for lists across all namespaces."""
    name: str | None
    subresource: str | None
    legacy_watch: bool


def parse(path: str, registry: Registry) -> Target:
    segments = [s for s in path.split("/") if s]
    if segments[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", segments[2:]
    elif len(segments) >= 3 and segments[0] == "apis":
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        raise not_found_path()
    legacy_watch = bool(rest) and rest[0] == "watch"
    if legacy_watch:
        rest = rest[1:]
    if not rest:
        raise not_found_path()
    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in NAMESPACE_SUBRESOURCES:
        namespace, rest = rest[1], rest[2:]
    plural = rest[0]
    name = rest[1] if len(rest) > 1 else None
    subresource = rest[2] if len(rest) > 2 else None
    if len(rest) > 3:
        raise not_found_path()
    resource = registry.get(group=group, version=version, plural=plural)
    if resource is None:
        raise not_found_path()
    if resource.namespaced != (namespace is not None) and not (
        resource.namespaced and name is None
    ):
        raise not_found_path()
    if (
        subresource is not None
        and not (subresource == "status" and resource.has_status)
        and not (subresource == "scale" and resource.has_scale)
        and not (
            subresource in ("binding", "log", "exec", "attach", "portforward")
            and resource.key == ("", "pods")
        )
    ):
        raise not_found_path()
    return Target(resource, namespace, name, subresource, legacy_watch)
