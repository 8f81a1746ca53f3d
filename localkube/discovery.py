"""Discovery documents (`/version`, `/api`, `/apis`, ...) built from the live registry.

kubectl and client libraries find resources, short names and categories only through these
documents, so a CRD's kinds appear here the moment it is established and disappear with it.
"""

from __future__ import annotations

from localkube.resources import Registry
from localkube.shapes import JsonObject

KUBE_VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0+localkube"}


def version() -> JsonObject:
    return {
        **KUBE_VERSION,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def core_versions(*, server_address: str) -> JsonObject:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def _group(registry: Registry, name: str, versions: list[str]) -> JsonObject:
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def group_list(registry: Registry) -> JsonObject:
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_group(registry, g, v) for g, v in registry.groups().items()],
    }


def group(registry: Registry, name: str) -> JsonObject | None:
    versions = registry.groups().get(name)
    if not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(registry, name, versions)}


def resource_list(registry: Registry, *, group: str, version: str) -> JsonObject | None:
    served = registry.in_group_version(group=group, version=version)
    if not served:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": [entry for r in served for entry in r.discovery_entries()],
    }
