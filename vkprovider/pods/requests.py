"""Pod spec -> CreateContainerGroupRequest (pure: no I/O).

The controller first fetches the ConfigMaps/Secrets the Pod refers to
(`referenced_objects`: env and volumes) and its registry credentials, then
calls `build_create_request`. A spec the agent cannot honour raises
`PodSpecError` naming the field, the value and what is supported, so the Pod
does not run instead of running differently from what was asked. The parts
live beside this module: volumes (`volumes`, `volumefiles`), container
fields (`containerfields`, `probes`, `environment`), Pod fields
(`podfields`), ECI annotations (`ecioptions`) and the spec table
(`instancespecs`); this module puts them together.

CPU and memory: each container gets `max(requests, limits)` as its ECI
Cpu (cores) / Memory (GiB); the group asks for the sum of its containers (or
the largest init container, if bigger), rounded *up* to the smallest spec ECI
sells (`instancespecs.smallest_spec`). A Pod declaring nothing gets ECI's
own default, 2 vCPU / 4 GiB. With `k8s.aliyun.com/eci-use-specs` the group
asks for no vCPU/memory pair: ECI tries the listed specs in order
(`InstanceType`). Ephemeral storage beyond ECI's included 30 GiB is asked
for as `EphemeralStorage` (or as `k8s.aliyun.com/eci-extra-ephemeral-storage`
says, if more); `nvidia.com/gpu` limits become the container's Gpu count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from alibabacloud_eci20180808 import models as eci

from vkprovider.pods import annotations as ann
from vkprovider.pods.containerfields import container_extras, extra_resources
from vkprovider.pods.ecioptions import request_options
from vkprovider.pods.environment import ReferencedObjects, resolve_env
from vkprovider.pods.environment import referenced_objects as env_objects
from vkprovider.pods.errors import PodSpecError
from vkprovider.pods.instancespecs import (
    DEFAULT_CPU,
    DEFAULT_MEMORY_GIB,
    InstanceSpec,
    NoSellableSpec,
    smallest_spec,
)
from vkprovider.pods.podfields import pod_fields, pod_security_context
from vkprovider.pods.probes import probe
from vkprovider.pods.volumes import eci_volumes, volume_mounts, volume_objects
from vkprovider.quantities import cpu_cores, memory_gib
from vkprovider.registrysecrets import RegistryCredential
from vkprovider.settings import EciSettings
from vkprovider.types import ImageCacheId, RawObject

INCLUDED_EPHEMERAL_STORAGE_GIB = 30
"""Temporary storage every ECI instance has without asking (ECI's spec table notes)."""


def referenced_objects(pod: RawObject) -> tuple[set[str], set[str]]:
    """Names of the ConfigMaps and Secrets the Pod reads, through env or volumes."""
    env_config_maps, env_secrets = env_objects(pod)
    volume_config_maps, volume_secrets = volume_objects(pod)
    return env_config_maps | volume_config_maps, env_secrets | volume_secrets


@dataclass(frozen=True)
class CreatePlan:
    """What to send: the SDK request plus parameters the SDK model lacks."""

    request: eci.CreateContainerGroupRequest
    extra_query: dict[str, str]
    explicit_cache_id: ImageCacheId | None
    auto_cache: bool


@dataclass(frozen=True)
class Defaults:
    default_cpu: float = DEFAULT_CPU
    default_memory_gib: float = DEFAULT_MEMORY_GIB


def container_group_name(pod: RawObject) -> str:
    """ECI names: lowercase letters, digits and hyphens, at most 128 characters."""
    meta = pod["metadata"]
    raw = f"{meta['namespace']}-{meta['name']}".lower()
    cleaned = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in raw).strip("-")
    return cleaned[:128].rstrip("-") or "pod"  # ECI: no hyphen at either end


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
    fields = pod_fields(pod)
    options = request_options(annotations)
    pod_context = pod_security_context(spec)

    instance = _instance_spec(spec, defaults, listed="instance_type" in options)
    containers, total = _containers(pod, spec, objects, pod_context, init=False)
    init_containers, init_peak = _containers(pod, spec, objects, pod_context, init=True)
    storage = max(total.storage, init_peak.storage) - INCLUDED_EPHEMERAL_STORAGE_GIB
    if storage > 0:
        options["ephemeral_storage"] = max(
            options.get("ephemeral_storage") or 0, math.ceil(storage)
        )
    if "instance_type" not in options:
        options["cpu"], options["memory"] = instance.cpu, instance.memory_gib
    volumes = eci_volumes(pod, objects=objects, spec=instance)

    explicit, auto, extra = _image_cache_choice(annotations)
    request = eci.CreateContainerGroupRequest(
        region_id=settings.region_id,
        zone_id=settings.zone_id or None,
        client_token=meta["uid"],
        container_group_name=container_group_name(pod),
        restart_policy=spec.get("restartPolicy") or "Always",
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
        **fields,
        **options,
    )
    return CreatePlan(
        request=request,
        extra_query=extra,
        explicit_cache_id=ImageCacheId(explicit) if explicit else None,
        auto_cache=auto and not explicit,
    )


def _instance_spec(spec: Mapping[str, Any], defaults: Defaults, *, listed: bool) -> InstanceSpec:
    """The smallest sellable spec holding the app containers' sum or the largest init
    container, whichever is bigger (ECI's default when nothing is declared). With
    `listed` specs (eci-use-specs, e.g. a large ECS type) ECI decides, so an ask beyond
    the vCPU/memory table is not refused here."""
    asks = [
        [_resources(c, f"spec.{kind}[{i}]") for i, c in enumerate(spec.get(kind) or [])]
        for kind in ("containers", "initContainers")
    ]
    app_cpu, app_memory = sum(a[0] for a in asks[0]), sum(a[1] for a in asks[0])
    init_cpu = max((a[0] for a in asks[1]), default=0.0)
    init_memory = max((a[1] for a in asks[1]), default=0.0)
    cpu = max(app_cpu, init_cpu) or defaults.default_cpu
    memory = max(app_memory, init_memory) or defaults.default_memory_gib
    try:
        return smallest_spec(cpu, memory)
    except NoSellableSpec as exc:
        if listed:
            return InstanceSpec(cpu=cpu, memory_gib=memory)
        raise PodSpecError("spec.containers[*].resources", str(exc)) from None


@dataclass(frozen=True)
class _Models:
    """The SDK classes of one kind of container (app or init); same fields, other names."""

    container: type[Any]
    env_var: type[Any]
    field_ref: type[Any]
    volume_mount: type[Any]
    port: type[Any]


_APP = _Models(
    container=eci.CreateContainerGroupRequestContainer,
    env_var=eci.CreateContainerGroupRequestContainerEnvironmentVar,
    field_ref=eci.CreateContainerGroupRequestContainerEnvironmentVarFieldRef,
    volume_mount=eci.CreateContainerGroupRequestContainerVolumeMount,
    port=eci.CreateContainerGroupRequestContainerPort,
)
_INIT = _Models(
    container=eci.CreateContainerGroupRequestInitContainer,
    env_var=eci.CreateContainerGroupRequestInitContainerEnvironmentVar,
    field_ref=eci.CreateContainerGroupRequestInitContainerEnvironmentVarFieldRef,
    volume_mount=eci.CreateContainerGroupRequestInitContainerVolumeMount,
    port=eci.CreateContainerGroupRequestInitContainerPort,
)


@dataclass(frozen=True)
class _Size:
    """Cores, GiB of memory and GiB of ephemeral storage (a sum or a peak)."""

    cpu: float = 0.0
    memory: float = 0.0
    storage: float = 0.0


def _container(
    pod: RawObject,
    container: Mapping[str, Any],
    *,
    where: str,
    init: bool,
    objects: ReferencedObjects,
    pod_context: Mapping[str, Any],
) -> tuple[Any, _Size]:
    """One container of either kind, with its size."""
    models = _INIT if init else _APP
    cpu, memory = _resources(container, where)
    gpu, storage = extra_resources(container, where=where)
    env = [
        models.env_var(
            key=key,
            value=value,
            field_ref=models.field_ref(field_path=field_path) if field_path else None,
        )
        for key, value, field_path in resolve_env(pod, container, where, objects)
    ]
    ports = [
        models.port(port=int(port["containerPort"]), protocol=port.get("protocol", "TCP"))
        for port in container.get("ports") or []
    ]
    extra = container_extras(container, pod_context, where=where, init=init, gpu=gpu)
    if not init:
        extra["readiness_probe"] = probe(container, "readinessProbe", where)
        extra["liveness_probe"] = probe(container, "livenessProbe", where)
    mounts = volume_mounts(container, where=where, model=models.volume_mount, pod=pod)
    built = models.container(
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
        port=ports or None,
        **extra,
    )
    return built, _Size(cpu=cpu, memory=memory, storage=storage)


def _containers(
    pod: RawObject,
    spec: Mapping[str, Any],
    objects: ReferencedObjects,
    pod_context: Mapping[str, Any],
    *,
    init: bool,
) -> tuple[list[Any], _Size]:
    """App containers with the sum of their sizes, or init containers (run one at a
    time) with the largest of theirs."""
    kind = "initContainers" if init else "containers"
    built = []
    cpu = memory = storage = 0.0
    for index, container in enumerate(spec.get(kind) or []):
        one, size = _container(
            pod,
            container,
            where=f"spec.{kind}[{index}]",
            init=init,
            objects=objects,
            pod_context=pod_context,
        )
        built.append(one)
        if init:
            cpu, memory = max(cpu, size.cpu), max(memory, size.memory)
            storage = max(storage, size.storage)
        else:
            cpu, memory, storage = cpu + size.cpu, memory + size.memory, storage + size.storage
    if not init and not built:
        raise PodSpecError("spec.containers", "a Pod needs at least one container")
    return built, _Size(cpu=cpu, memory=memory, storage=storage)


def _image_cache_choice(
    annotations: Mapping[str, str],
) -> tuple[str | None, bool, dict[str, str]]:
    """(explicit cache id, automatic matching?, extra query parameters) from the annotations."""
    explicit = next((annotations[k] for k in ann.EXPLICIT_CACHE if annotations.get(k)), None)
    auto = _automatic_matching(annotations)
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


def _automatic_matching(annotations: Mapping[str, str]) -> bool:
    """On unless the Pod turns it off: ECI's virtual node treats `eci-auto-imc` as "true"
    when absent, so a Pod says `"false"` (in either annotation generation) to pull without a
    cache. An empty value counts as absent."""
    said = [str(annotations[k]).strip() for k in ann.AUTO_CACHE if k in annotations]
    return all(ann.truthy(value) for value in said if value)


def round_to_spec(cpu: float, memory_gib: float) -> tuple[float, float]:
    """Round a (cores, GiB) ask up to the smallest spec ECI sells (raises `NoSellableSpec`)."""
    spec: InstanceSpec = smallest_spec(cpu, memory_gib)
    return spec.cpu, spec.memory_gib


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


__all__ = [
    "CreatePlan",
    "PodSpecError",
    "ReferencedObjects",
    "RegistryCredential",
    "build_create_request",
    "referenced_objects",
    "round_to_spec",
]
