"""The files of ConfigMap, Secret, downward API and projected volumes.

A kubelet writes these files on the node; ECI takes them in the request, as
a `ConfigFileVolume` (path, base64 content, mode). The agent therefore works
out their contents once, at creation, as the kubelet would at first mount:
every key (or the listed `items`, each with its own `path` and `mode`), a
missing object or key failing the Pod unless `optional`, downward API
fields rendered the kubelet's way. Later edits of the ConfigMap or Secret
are not pushed (ECI cannot update a ConfigFileVolume either).

Secret contents go from `ReferencedObjects` into the request and nowhere
else: no message raised here ever carries a value, only names and keys.
Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vkprovider.pods.environment import ReferencedObjects
from vkprovider.pods.errors import MissingReference, PodSpecError
from vkprovider.pods.instancespecs import InstanceSpec
from vkprovider.pods.resourcefields import resource_value
from vkprovider.types import RawObject

DOWNWARD_FIELDS = ("metadata.name", "metadata.namespace", "metadata.uid")
DOWNWARD_MAPS = ("metadata.labels", "metadata.annotations")


@dataclass(frozen=True)
class VolumeFile:
    path: str
    """Relative to the volume's root."""
    content: bytes
    mode: int | None = None
    """Permission bits (decimal, as Kubernetes writes them); None: the volume's default."""


def object_files(
    source: Mapping[str, Any], *, kind: str, where: str, objects: ReferencedObjects
) -> list[VolumeFile]:
    """Files of a `configMap` or `secret` source (a volume or a projection)."""
    is_secret = kind == "secret"
    name = str(source.get("secretName" if is_secret else "name") or "")
    table = objects.secret_files if is_secret else objects.config_map_files
    optional = bool(source.get("optional"))
    data = table.get(name)
    label = "Secret" if is_secret else "ConfigMap"
    if data is None:
        if optional:
            return []
        raise MissingReference(
            where,
            f"{label} {name!r} not found (and the volume is not optional)",
            kind=label,
            name=name,
        )
    items = source.get("items")
    if not items:
        return [VolumeFile(path=key, content=value) for key, value in sorted(data.items())]
    files = []
    for index, item in enumerate(items):
        key = str(item.get("key") or "")
        if key not in data:
            if optional:
                continue
            raise MissingReference(
                f"{where}.items[{index}].key",
                f"{label} {name!r} has no key {key!r}",
                kind=label,
                name=name,
            )
        files.append(
            VolumeFile(path=str(item.get("path") or key), content=data[key], mode=item.get("mode"))
        )
    return files


def _label_file(values: Mapping[str, str]) -> bytes:
    """Labels or annotations as the kubelet writes them: `key="value"` lines, sorted."""
    return "\n".join(f"{k}={json.dumps(values[k])}" for k in sorted(values)).encode()


def _field_value(pod: RawObject, path: str, where: str) -> bytes:
    meta = pod.get("metadata") or {}
    simple = {"metadata.name": "name", "metadata.namespace": "namespace", "metadata.uid": "uid"}
    if path in simple:
        return str(meta.get(simple[path]) or "").encode()
    for prefix in DOWNWARD_MAPS:
        values: Mapping[str, str] = meta.get(prefix.split(".")[1]) or {}
        if path == prefix:
            return _label_file(values)
        if path.startswith(prefix + "['") and path.endswith("']"):
            return str(values.get(path[len(prefix) + 2 : -2], "")).encode()
    raise PodSpecError(
        where,
        f"{path!r} is not supported in a downward API volume (supported: "
        f"{', '.join(DOWNWARD_FIELDS + DOWNWARD_MAPS)}, and single labels/annotations)",
    )


def downward_files(
    pod: RawObject, source: Mapping[str, Any], *, where: str, spec: InstanceSpec
) -> list[VolumeFile]:
    """Files of a `downwardAPI` source."""
    files = []
    for index, item in enumerate(source.get("items") or []):
        here = f"{where}.items[{index}]"
        if "fieldRef" in item:
            content = _field_value(
                pod, str(item["fieldRef"].get("fieldPath") or ""), f"{here}.fieldRef.fieldPath"
            )
        elif "resourceFieldRef" in item:
            content = resource_value(
                pod, item["resourceFieldRef"], where=f"{here}.resourceFieldRef", spec=spec
            ).encode()
        else:
            raise PodSpecError(here, "needs fieldRef or resourceFieldRef")
        files.append(VolumeFile(path=str(item["path"]), content=content, mode=item.get("mode")))
    return files


def projected_files(
    pod: RawObject,
    sources: Sequence[Mapping[str, Any]],
    *,
    where: str,
    objects: ReferencedObjects,
    spec: InstanceSpec,
) -> list[VolumeFile]:
    """Files of a `projected` volume's sources, in order (a later path replaces an earlier)."""
    files: dict[str, VolumeFile] = {}
    for index, source in enumerate(sources):
        here = f"{where}.sources[{index}]"
        if "configMap" in source:
            found = object_files(
                source["configMap"], kind="configMap", where=f"{here}.configMap", objects=objects
            )
        elif "secret" in source:
            secret = dict(source["secret"])
            secret["secretName"] = secret.get("name")
            found = object_files(secret, kind="secret", where=f"{here}.secret", objects=objects)
        elif "downwardAPI" in source:
            found = downward_files(
                pod, source["downwardAPI"], where=f"{here}.downwardAPI", spec=spec
            )
        else:
            kinds = ", ".join(sorted(source)) or "empty source"
            raise PodSpecError(
                here,
                f"{kinds} projections are not supported on ECI (supported: configMap, secret, "
                "downwardAPI; the agent does not mint service account tokens)",
            )
        for file in found:
            files[file.path] = file
    return list(files.values())
