"""Pod spec -> CreateContainerGroupRequest (pure: no I/O).

The controller first fetches the ConfigMaps/Secrets the Pod refers to
(`referenced_objects`) and its registry credentials, then calls
`build_create_request`. A spec the agent cannot honour raises `PodSpecError`
naming the field, the value and what is supported, so the Pod fails with a
clear message instead of running differently from what was asked.

CPU and memory: each container gets `max(requests, limits)` as its ECI
Cpu (cores) / Memory (GiB); the group asks for the sum of its containers (or
the largest init container, if bigger), rounded *up* to the nearest ECI
instance spec (cpu in `ECI_CPU_SPECS`, memory to a multiple of 0.5 GiB and
at least half a GiB per core as ECI requires). A Pod declaring nothing gets
`default_cpu` / `default_memory_gib` (2 vCPU, 4 GiB: ECI's own default).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from alibabacloud_eci20180808 import models as eci

from vkprovider.pods import annotations as ann
from vkprovider.pods.environment import ReferencedObjects, referenced_objects, resolve_env
from vkprovider.pods.errors import PodSpecError
from vkprovider.pods.probes import probe
from vkprovider.quantities import cpu_cores, memory_gib
from vkprovider.registrysecrets import RegistryCredential
from vkprovider.settings import EciSettings
from vkprovider.types import ImageCacheId, RawObject

ECI_CPU_SPECS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 16.0, 24.0, 32.0, 52.0, 64.0)
SUPPORTED_VOLUME_KINDS = ("emptyDir", "projected (service account token, skipped)")


@dataclass(frozen=True)
class CreatePlan:
    """What to send: the SDK request plus parameters the SDK model lacks."""

    request: eci.CreateContainerGroupRequest
    extra_query: dict[str, str]
    explicit_cache_id: ImageCacheId | None
    auto_cache: bool


@dataclass(frozen=True)
class Defaults:
    default_cpu: float = 2.0
    default_memory_gib: float = 4.0


def container_group_name(pod: RawObject) -> str:
    """ECI names: lowercase letters, digits and hyphens, at most 128 characters."""
    meta = pod["metadata"]
    raw = f"{meta['namespace']}-{meta['name']}".lower()
    cleaned = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in raw).strip("-")
    return cleaned[:128] or "pod"


TAG_VALUE_LIMIT = 128
"""ECI tag values are at most 128 characters; a longer Pod name is cut (the UID tag,
never cut, is what links a group to its Pod)."""


def tags(pod: RawObject, *, node_name: str) -> list[eci.CreateContainerGroupRequestTag]:
    meta = pod["metadata"]
    values = [
        (ann.TAG_NAMESPACE, meta["namespace"]),
        (ann.TAG_NAME, meta["name"]),
        (ann.TAG_UID, meta["uid"]),
        (ann.TAG_NODE, node_name),
    ]
    return [
        eci.CreateContainerGroupRequestTag(key=key, value=str(value)[:TAG_VALUE_LIMIT])
        for key, value in values
    ]


def build_create_request(
    pod: RawObject,
    *,
    settings: EciSettings,
    node_name: str,
    objects: ReferencedObjects | None = None,
    credentials: Sequence[RegistryCredential] = (),
    defaults: Defaults | None = None,
) -> CreatePlan:
    """The CreateContainerGroup call for `pod`; raises `PodSpecError`."""
    objects = objects or ReferencedObjects()
    defaults = defaults or Defaults()
    meta = pod["metadata"]
    spec = pod.get("spec") or {}
    annotations: Mapping[str, str] = meta.get("annotations") or {}
    volumes = _volumes(spec)
    volume_names = {v.name for v in volumes}

    containers, total_cpu, total_memory = _app_containers(pod, spec, objects, volume_names)
    init_containers, init_peak_cpu, init_peak_memory = _init_containers(
        pod, spec, objects, volume_names
    )
    group_cpu = max(total_cpu, init_peak_cpu) or defaults.default_cpu
    group_memory = max(total_memory, init_peak_memory) or defaults.default_memory_gib
    group_cpu, group_memory = round_to_spec(group_cpu, group_memory)

    explicit, auto, extra = _image_cache_choice(annotations)
    request = eci.CreateContainerGroupRequest(
        region_id=settings.region_id,
        zone_id=settings.zone_id or None,
        client_token=meta["uid"],
        container_group_name=container_group_name(pod),
        restart_policy=spec.get("restartPolicy") or "Always",
        cpu=group_cpu,
        memory=group_memory,
        container=containers,
        init_container=init_containers or None,
        volume=volumes or None,
        tag=tags(pod, node_name=node_name),
        image_registry_credential=[
            eci.CreateContainerGroupRequestImageRegistryCredential(
                server=c.server, user_name=c.username, password=c.password
            )
            for c in credentials
        ]
        or None,
        image_snapshot_id=explicit or None,
        auto_match_image_cache=True if (auto and not explicit) else None,
        termination_grace_period_seconds=spec.get("terminationGracePeriodSeconds"),
        active_deadline_seconds=spec.get("activeDeadlineSeconds"),
        host_name=spec.get("hostname"),
    )
    return CreatePlan(
        request=request,
        extra_query=extra,
        explicit_cache_id=ImageCacheId(explicit) if explicit else None,
        auto_cache=auto and not explicit,
    )


@dataclass(frozen=True)
class _Models:
    """The SDK classes of one kind of container (app or init); same fields, other names."""

    container: type[Any]
    env_var: type[Any]
    field_ref: type[Any]
    volume_mount: type[Any]
    mount_sub_path: bool
    """Whether mounts carry `subPath` (init containers' mounts never have, so far)."""


_APP = _Models(
    container=eci.CreateContainerGroupRequestContainer,
    env_var=eci.CreateContainerGroupRequestContainerEnvironmentVar,
    field_ref=eci.CreateContainerGroupRequestContainerEnvironmentVarFieldRef,
    volume_mount=eci.CreateContainerGroupRequestContainerVolumeMount,
    mount_sub_path=True,
)
_INIT = _Models(
    container=eci.CreateContainerGroupRequestInitContainer,
    env_var=eci.CreateContainerGroupRequestInitContainerEnvironmentVar,
    field_ref=eci.CreateContainerGroupRequestInitContainerEnvironmentVarFieldRef,
    volume_mount=eci.CreateContainerGroupRequestInitContainerVolumeMount,
    mount_sub_path=False,
)


def _container(
    pod: RawObject,
    container: Mapping[str, Any],
    *,
    where: str,
    models: _Models,
    objects: ReferencedObjects,
    volume_names: set[str],
    cpu: float,
    memory: float,
    **extra: Any,
) -> Any:
    """One container of either kind: the fields both kinds share, plus `extra`."""
    mounts = []
    for mount in container.get("volumeMounts") or []:
        if mount.get("name") not in volume_names:
            continue
        sub_path = {"sub_path": mount.get("subPath")} if models.mount_sub_path else {}
        mounts.append(
            models.volume_mount(
                name=mount["name"],
                mount_path=mount["mountPath"],
                read_only=bool(mount.get("readOnly", False)),
                **sub_path,
            )
        )
    env = [
        models.env_var(
            key=key,
            value=value,
            field_ref=models.field_ref(field_path=field_path) if field_path else None,
        )
        for key, value, field_path in resolve_env(pod, container, where, objects)
    ]
    return models.container(
        name=container["name"],
        image=container.get("image"),
        image_pull_policy=container.get("imagePullPolicy") or "IfNotPresent",
        command=list(container.get("command") or []) or None,
        arg=list(container.get("args") or []) or None,
        working_dir=container.get("workingDir"),
        cpu=cpu or None,
        memory=memory or None,
        environment_var=env or None,
        volume_mount=mounts or None,
        **extra,
    )


def _app_containers(
    pod: RawObject, spec: Mapping[str, Any], objects: ReferencedObjects, volume_names: set[str]
) -> tuple[list[eci.CreateContainerGroupRequestContainer], float, float]:
    """The app containers, with the sum of their cores and GiB."""
    containers = []
    total_cpu = 0.0
    total_memory = 0.0
    for index, container in enumerate(spec.get("containers") or []):
        where = f"spec.containers[{index}]"
        cpu, memory = _resources(container, where)
        total_cpu += cpu
        total_memory += memory
        ports = [
            eci.CreateContainerGroupRequestContainerPort(
                port=int(port["containerPort"]), protocol=port.get("protocol", "TCP")
            )
            for port in container.get("ports") or []
        ]
        containers.append(
            _container(
                pod,
                container,
                where=where,
                models=_APP,
                objects=objects,
                volume_names=volume_names,
                cpu=cpu,
                memory=memory,
                port=ports or None,
                stdin=container.get("stdin"),
                tty=container.get("tty"),
                readiness_probe=probe(container, "readinessProbe", where),
                liveness_probe=probe(container, "livenessProbe", where),
            )
        )
    if not containers:
        raise PodSpecError("spec.containers", "a Pod needs at least one container")
    return containers, total_cpu, total_memory


def _init_containers(
    pod: RawObject, spec: Mapping[str, Any], objects: ReferencedObjects, volume_names: set[str]
) -> tuple[list[eci.CreateContainerGroupRequestInitContainer], float, float]:
    """The init containers (run one at a time), with the largest cores and GiB among them."""
    init_containers = []
    peak_cpu = 0.0
    peak_memory = 0.0
    for index, container in enumerate(spec.get("initContainers") or []):
        where = f"spec.initContainers[{index}]"
        cpu, memory = _resources(container, where)
        peak_cpu = max(peak_cpu, cpu)
        peak_memory = max(peak_memory, memory)
        init_containers.append(
            _container(
                pod,
                container,
                where=where,
                models=_INIT,
                objects=objects,
                volume_names=volume_names,
                cpu=cpu,
                memory=memory,
            )
        )
    return init_containers, peak_cpu, peak_memory


def _image_cache_choice(
    annotations: Mapping[str, str],
) -> tuple[str | None, bool, dict[str, str]]:
    """(explicit cache id, automatic matching?, extra query parameters) from the annotations."""
    explicit = next((annotations[k] for k in ann.EXPLICIT_CACHE if annotations.get(k)), None)
    auto = any(ann.truthy(annotations.get(k, "")) for k in ann.AUTO_CACHE)
    extra: dict[str, str] = {}
    if auto and not explicit:
        if ann.truthy(annotations.get(ann.PERFECT_MATCH, "")):
            extra[ann.EXTRA_PERFECT_MATCH] = "true"
        count = annotations.get(ann.MATCH_COUNT_REQUEST)
        if count:
            if not str(count).isdigit() or int(count) < 1:
                raise PodSpecError(
                    f"metadata.annotations[{ann.MATCH_COUNT_REQUEST}]",
                    f"{count!r} is not a positive integer",
                )
            extra[ann.EXTRA_MATCH_COUNT] = str(int(count))
    return explicit, auto, extra


def round_to_spec(cpu: float, memory_gib: float) -> tuple[float, float]:
    """Round a (cores, GiB) ask up to the nearest ECI instance spec."""
    spec_cpu = next((c for c in ECI_CPU_SPECS if c >= cpu - 1e-9), ECI_CPU_SPECS[-1])
    memory = max(memory_gib, spec_cpu * 0.5, 0.5)
    memory = math.ceil(memory * 2 - 1e-9) / 2
    return spec_cpu, memory


def _resources(container: Mapping[str, Any], where: str) -> tuple[float, float]:
    resources = container.get("resources") or {}
    cpu = 0.0
    memory = 0.0
    for kind in ("requests", "limits"):
        values = resources.get(kind) or {}
        try:
            if "cpu" in values:
                cpu = max(cpu, cpu_cores(values["cpu"]))
            if "memory" in values:
                memory = max(memory, memory_gib(values["memory"]))
        except ValueError as exc:
            raise PodSpecError(f"{where}.resources.{kind}", str(exc)) from exc
    return cpu, memory


def _volumes(spec: Mapping[str, Any]) -> list[eci.CreateContainerGroupRequestVolume]:
    volumes = []
    for index, volume in enumerate(spec.get("volumes") or []):
        if "emptyDir" in volume:
            empty = volume["emptyDir"] or {}
            volumes.append(
                eci.CreateContainerGroupRequestVolume(
                    name=volume["name"],
                    type="EmptyDirVolume",
                    empty_dir_volume=eci.CreateContainerGroupRequestVolumeEmptyDirVolume(
                        medium=empty.get("medium") or None,
                        size_limit=empty.get("sizeLimit") or None,
                    ),
                )
            )
        elif "projected" in volume and volume["name"].startswith("kube-api-access-"):
            continue  # the service account token volume a real API server injects
        else:
            kinds = ", ".join(k for k in volume if k != "name") or "unknown"
            raise PodSpecError(
                f"spec.volumes[{index}]",
                f"volume {volume.get('name')!r} of type {kinds} is not supported "
                f"(supported: {', '.join(SUPPORTED_VOLUME_KINDS)})",
            )
    return volumes


__all__ = [
    "CreatePlan",
    "PodSpecError",
    "ReferencedObjects",
    "RegistryCredential",
    "build_create_request",
    "referenced_objects",
    "round_to_spec",
]
