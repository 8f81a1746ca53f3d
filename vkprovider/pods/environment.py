"""Environment of a container: literal values, ConfigMaps, Secrets and Pod fields.

Kubernetes resolves `valueFrom` in the kubelet; for ECI the agent does it
before CreateContainerGroup (the controller fetches the referenced objects,
`referenced_objects` says which). `status.podIP`/`status.hostIP` are passed to
ECI as field references, because only ECI knows them. Anything else raises
`PodSpecError` naming the field and what is supported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vkprovider.pods.errors import MissingReference, PodSpecError
from vkprovider.types import RawObject

STATIC_FIELD_PATHS = {
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
}
ECI_FIELD_PATHS = {"status.podIP", "status.hostIP"}


@dataclass(frozen=True)
class ReferencedObjects:
    """ConfigMap and Secret data the Pod refers to (env and volumes), by object name.

    `config_maps`/`secrets` hold text (env values); `config_map_files`/`secret_files`
    hold the exact bytes a volume file gets (a ConfigMap's `data` and `binaryData`,
    a Secret's decoded `data`). An object that does not exist is absent from all four.
    Secret values stay out of `repr` (tracebacks that show locals, debug output).
    """

    config_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    secrets: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    config_map_files: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict)
    secret_files: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict, repr=False)


def referenced_objects(pod: RawObject) -> tuple[set[str], set[str]]:
    """Names of the ConfigMaps and Secrets the Pod's containers take env from."""
    config_maps: set[str] = set()
    secrets: set[str] = set()
    for container in _all_containers(pod):
        for var in container.get("env") or []:
            source = var.get("valueFrom") or {}
            if "configMapKeyRef" in source:
                config_maps.add(source["configMapKeyRef"].get("name", ""))
            if "secretKeyRef" in source:
                secrets.add(source["secretKeyRef"].get("name", ""))
        for source in container.get("envFrom") or []:
            if "configMapRef" in source:
                config_maps.add(source["configMapRef"].get("name", ""))
            if "secretRef" in source:
                secrets.add(source["secretRef"].get("name", ""))
    return config_maps, secrets


def _all_containers(pod: RawObject) -> list[dict[str, Any]]:
    spec = pod.get("spec") or {}
    return [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]


def _static_field(pod: RawObject, path: str) -> str | None:
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    simple = {
        "metadata.name": meta.get("name"),
        "metadata.namespace": meta.get("namespace"),
        "metadata.uid": meta.get("uid"),
        "spec.nodeName": spec.get("nodeName"),
        "spec.serviceAccountName": spec.get("serviceAccountName") or "default",
    }
    if path in simple:
        return str(simple[path] or "")
    for prefix, source in (("metadata.labels", "labels"), ("metadata.annotations", "annotations")):
        if path.startswith(prefix + "['") and path.endswith("']"):
            return str((meta.get(source) or {}).get(path[len(prefix) + 2 : -2], ""))
    return None


def resolve_env(
    pod: RawObject, container: Mapping[str, Any], where: str, objects: ReferencedObjects
) -> list[tuple[str, str | None, str | None]]:
    """(name, value, ECI field path) for every env var, envFrom first as Kubernetes does."""
    result: dict[str, tuple[str, str | None, str | None]] = {}
    for index, source in enumerate(container.get("envFrom") or []):
        prefix = source.get("prefix", "")
        for kind, table in (("configMapRef", objects.config_maps), ("secretRef", objects.secrets)):
            if kind not in source:
                continue
            ref = source[kind]
            data = table.get(ref.get("name", ""))
            if data is None:
                if ref.get("optional"):
                    continue
                raise MissingReference(
                    f"{where}.envFrom[{index}].{kind}",
                    f"{ref.get('name')!r} not found",
                    kind="ConfigMap" if kind == "configMapRef" else "Secret",
                    name=str(ref.get("name") or ""),
                )
            for key, value in data.items():
                result[prefix + key] = (prefix + key, value, None)
    for index, var in enumerate(container.get("env") or []):
        name = var["name"]
        if "valueFrom" not in var:
            result[name] = (name, str(var.get("value", "")), None)
            continue
        source = var["valueFrom"] or {}
        here = f"{where}.env[{index}].valueFrom"
        if "fieldRef" in source:
            path = source["fieldRef"].get("fieldPath", "")
            static = _static_field(pod, path)
            if static is not None:
                result[name] = (name, static, None)
            elif path in ECI_FIELD_PATHS:
                result[name] = (name, None, path)
            else:
                raise PodSpecError(
                    f"{here}.fieldRef.fieldPath",
                    f"{path!r} is not supported on ECI (supported: "
                    f"{', '.join(sorted(STATIC_FIELD_PATHS | ECI_FIELD_PATHS))}, labels, "
                    "annotations)",
                )
            continue
        for kind, table in (
            ("configMapKeyRef", objects.config_maps),
            ("secretKeyRef", objects.secrets),
        ):
            if kind not in source:
                continue
            ref = source[kind]
            data = table.get(ref.get("name", ""))
            if data is None or ref.get("key") not in data:
                if ref.get("optional"):
                    break
                raise MissingReference(
                    f"{here}.{kind}",
                    f"key {ref.get('key')!r} of {ref.get('name')!r} not found",
                    kind="ConfigMap" if kind == "configMapKeyRef" else "Secret",
                    name=str(ref.get("name") or ""),
                )
            result[name] = (name, data[ref["key"]], None)
            break
        else:
            unsupported = ", ".join(sorted(source)) or "empty valueFrom"
            raise PodSpecError(
                here,
                f"{unsupported} is not supported (supported: fieldRef, configMapKeyRef, "
                "secretKeyRef)",
            )
    return list(result.values())
