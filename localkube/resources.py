"""The registry of kinds the server serves: built-ins at start, custom resources as CRDs come.

Discovery, routing, tables and errors all read the same `ResourceType`, so a kind is served
the moment it is registered here and vanishes from every path when it is removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from localkube.errors import QualifiedResource
from localkube.shapes import JsonObject

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
STATUS_VERBS = ("get", "patch", "update")


class Scope(StrEnum):
    NAMESPACED = "Namespaced"
    CLUSTER = "Cluster"


@dataclass(frozen=True)
class ResourceType:
    """One served resource (a plural under one group/version) and how it behaves."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    scope: Scope
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    has_status: bool = False
    """True when `/status` is a subresource: main writes keep status, status writes the rest."""
    tracks_generation: bool = False
    """True when `metadata.generation` is set at 1 and bumped on every non-metadata change."""
    schema: JsonObject | None = field(default=None, compare=False)
    """openAPIV3Schema of a custom resource (None for built-ins: no pruning or validation)."""
    printer_columns: tuple[JsonObject, ...] = field(default=(), compare=False)
    """additionalPrinterColumns of a custom resource."""
    is_custom: bool = False
    storage: tuple[str, str] | None = None
    """(group, plural) of the store this resource shares, when it is another's view."""
    verbs: tuple[str, ...] = ALL_VERBS
    has_scale: bool = False
    """True when `/scale` (an autoscaling/v1 Scale of `spec.replicas`) is a subresource."""

    @property
    def namespaced(self) -> bool:
        return self.scope is Scope.NAMESPACED

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> QualifiedResource:
        return QualifiedResource(resource=self.plural, group=self.group)

    @property
    def key(self) -> tuple[str, str]:
        """Storage key: objects are shared across versions of the same group+plural."""
        return self.storage or (self.group, self.plural)

    def discovery_entries(self) -> list[JsonObject]:
        main: JsonObject = {
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": list(self.verbs),
        }
        if self.short_names:
            main["shortNames"] = list(self.short_names)
        if self.categories:
            main["categories"] = list(self.categories)
        entries = [main]
        if self.key == ("", "pods"):
            entries.append(
                {
                    "name": "pods/binding",
                    "singularName": "",
                    "namespaced": True,
                    "kind": "Binding",
                    "verbs": ["create"],
                }
            )
            for name, kind in (
                ("pods/attach", "PodAttachOptions"),
                ("pods/exec", "PodExecOptions"),
            ):
                entries.append(
                    {
                        "name": name,
                        "singularName": "",
                        "namespaced": True,
                        "kind": kind,
                        "verbs": ["create", "get"],
                    }
                )
            entries.append(
                {
                    "name": "pods/log",
                    "singularName": "",
                    "namespaced": True,
                    "kind": "Pod",
                    "verbs": ["get"],
                }
            )
            entries.append(
                {
                    "name": "pods/portforward",
                    "singularName": "",
                    "namespaced": True,
                    "kind": "PodPortForwardOptions",
                    "verbs": ["create", "get"],
                }
            )
        if self.has_scale:
            entries.append(
                {
                    "name": f"{self.plural}/scale",
                    "singularName": "",
                    "namespaced": self.namespaced,
                    "group": "autoscaling",
                    "version": "v1",
                    "kind": "Scale",
                    "verbs": list(STATUS_VERBS),
                }
            )
        if self.has_status:
            entries.append(
                {
                    "name": f"{self.plural}/status",
                    "singularName": "",
                    "namespaced": self.namespaced,
                    "kind": self.kind,
                    "verbs": list(STATUS_VERBS),
                }
            )
        return entries


def _core(
    plural: str,
    kind: str,
    scope: Scope,
    *,
    short_names: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    has_status: bool = False,
    tracks_generation: bool = False,
    group: str = "",
) -> ResourceType:
    return ResourceType(
        group=group,
        version="v1",
        plural=plural,
        singular=kind.lower(),
        kind=kind,
        scope=scope,
        short_names=short_names,
        categories=categories,
        has_status=has_status,
        tracks_generation=tracks_generation,
    )


BUILTINS: tuple[ResourceType, ...] = (
    _core("namespaces", "Namespace", Scope.CLUSTER, short_names=("ns",), has_status=True),
    _core("nodes", "Node", Scope.CLUSTER, short_names=("no",), has_status=True),
    _core(
        "pods",
        "Pod",
        Scope.NAMESPACED,
        short_names=("po",),
        categories=("all",),
        has_status=True,
        tracks_generation=True,
    ),
    _core("events", "Event", Scope.NAMESPACED, short_names=("ev",)),
    _core("secrets", "Secret", Scope.NAMESPACED),
    _core("configmaps", "ConfigMap", Scope.NAMESPACED, short_names=("cm",)),
    _core("serviceaccounts", "ServiceAccount", Scope.NAMESPACED, short_names=("sa",)),
    _core(
        "services",
        "Service",
        Scope.NAMESPACED,
        short_names=("svc",),
        categories=("all",),
        has_status=True,
    ),
    _core("leases", "Lease", Scope.NAMESPACED, group="coordination.k8s.io"),
    ResourceType(
        group="events.k8s.io",
        version="v1",
        plural="events",
        singular="event",
        kind="Event",
        scope=Scope.NAMESPACED,
        short_names=("ev",),
        storage=("", "events"),
    ),
    ResourceType(
        group="authentication.k8s.io",
        version="v1",
        plural="tokenreviews",
        singular="tokenreview",
        kind="TokenReview",
        scope=Scope.CLUSTER,
        verbs=("create",),
    ),
    ResourceType(
        group="authorization.k8s.io",
        version="v1",
        plural="subjectaccessreviews",
        singular="subjectaccessreview",
        kind="SubjectAccessReview",
        scope=Scope.CLUSTER,
        verbs=("create",),
    ),
    ResourceType(
        group="apiextensions.k8s.io",
        version="v1",
        plural="customresourcedefinitions",
        singular="customresourcedefinition",
        kind="CustomResourceDefinition",
        scope=Scope.CLUSTER,
        short_names=("crd", "crds"),
        categories=("api-extensions",),
        has_status=True,
        tracks_generation=True,
    ),
)


def _workload(
    group: str,
    plural: str,
    kind: str,
    *,
    short_names: tuple[str, ...],
    has_scale: bool = False,
) -> ResourceType:
    """apps/v1 and batch/v1 kinds: status and scale subresources, generation tracked."""
    return ResourceType(
        group=group,
        version="v1",
        plural=plural,
        singular=kind.lower(),
        kind=kind,
        scope=Scope.NAMESPACED,
        short_names=short_names,
        categories=("all",),
        has_status=True,
        tracks_generation=True,
        has_scale=has_scale,
    )


WORKLOADS: tuple[ResourceType, ...] = (
    _workload("apps", "deployments", "Deployment", short_names=("deploy",), has_scale=True),
    _workload("apps", "replicasets", "ReplicaSet", short_names=("rs",), has_scale=True),
    _workload("batch", "jobs", "Job", short_names=()),
    _workload("batch", "cronjobs", "CronJob", short_names=("cj",)),
)
"""The controller-managed kinds `localkube.controllers` drive (served with or without them)."""


class Registry:
    """Served resources, looked up by (group, version, plural)."""

    def __init__(self) -> None:
        self._by_path: dict[tuple[str, str, str], ResourceType] = {}
        for resource in (*BUILTINS, *WORKLOADS):
            self.add(resource)

    def add(self, resource: ResourceType) -> None:
        self._by_path[(resource.group, resource.version, resource.plural)] = resource

    def remove(self, *, group: str, plural: str) -> None:
        for path in [p for p in self._by_path if p[0] == group and p[2] == plural]:
            del self._by_path[path]

    def get(self, *, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_path.get((group, version, plural))

    def all(self) -> list[ResourceType]:
        return list(self._by_path.values())

    def groups(self) -> dict[str, list[str]]:
        """Group name -> served versions, in registration order (core group excluded)."""
        groups: dict[str, list[str]] = {}
        for group, version, _ in self._by_path:
            if group and version not in groups.setdefault(group, []):
                groups[group].append(version)
        return groups

    def in_group_version(self, *, group: str, version: str) -> list[ResourceType]:
        return [r for (g, v, _), r in self._by_path.items() if g == group and v == version]
