"""Container fields beyond image/command/env: security context, lifecycle hooks,
GPUs and ephemeral storage, stdin/tty, and the fields ECI cannot express.

ECI's container model is narrower than Kubernetes': a security context with
added capabilities, user/group, non-root, privileged and a read-only root;
postStart/preStop hooks (exec, httpGet, tcpSocket) on app containers only;
a GPU count; no startup probe, no per-container restart policy. Each Pod
field maps to its ECI parameter, or raises `PodSpecError` naming the field,
so a Pod never runs with less isolation or fewer checks than it asked for.
Pod-level `runAsUser`/`runAsGroup`/`runAsNonRoot` apply to every container
that does not set its own, as Kubernetes defines them. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from alibabacloud_eci20180808 import models as eci

from vkprovider.pods.errors import PodSpecError
from vkprovider.pods.probes import named_port
from vkprovider.quantities import memory_gib, parse_quantity

GPU_RESOURCE: Final = "nvidia.com/gpu"
KNOWN_RESOURCES: Final = ("cpu", "memory", "ephemeral-storage", GPU_RESOURCE)
INHERITED_FROM_POD: Final = ("runAsUser", "runAsGroup", "runAsNonRoot")
APP_ONLY_SECURITY: Final = ("privileged", "runAsGroup", "runAsNonRoot")
SECURITY_FIELDS: Final = ("capabilities", "readOnlyRootFilesystem", "runAsUser", *APP_ONLY_SECURITY)
NEVER_ON_ECI: Final = {
    "startupProbe": "ECI has no startup probe",
    "restartPolicy": "ECI has no per-container restart policy (sidecar init containers)",
    "volumeDevices": "ECI has no raw block devices",
}
"""Container fields with no ECI parameter, and why. (`resizePolicy` is accepted: it says
what an in-place resize would do, and ECI never resizes in place, so any policy holds;
API servers with in-place resize on default it on every container.)"""
PERMISSIVE_DEFAULTS: Final = (("procMount", "Default"), ("allowPrivilegeEscalation", True))
"""Security context values that ask for no more than a container's default."""
INIT_NEVER: Final = ("livenessProbe", "readinessProbe", "lifecycle")
"""Fields ECI's init containers lack (Kubernetes allows them only on sidecars)."""


def refuse_unexpressible(container: Mapping[str, Any], *, where: str, init: bool) -> None:
    for name, why in NEVER_ON_ECI.items():
        if container.get(name):
            raise PodSpecError(f"{where}.{name}", f"is not supported: {why}")
    if init:
        for name in INIT_NEVER:
            if container.get(name):
                raise PodSpecError(f"{where}.{name}", "is not supported on ECI init containers")
        for name in ("stdin", "stdinOnce", "tty"):
            if container.get(name):
                raise PodSpecError(f"{where}.{name}", "is not supported on ECI init containers")
    for index, port in enumerate(container.get("ports") or []):
        host_port = port.get("hostPort")
        if host_port and host_port != port.get("containerPort"):
            raise PodSpecError(
                f"{where}.ports[{index}].hostPort",
                f"{host_port} is not supported: it differs from containerPort, and an ECI "
                "instance's ports are its own",
            )


def extra_resources(container: Mapping[str, Any], *, where: str) -> tuple[int | None, float]:
    """(GPU count, ephemeral storage GiB) of a container; other extended resources raise."""
    resources = container.get("resources") or {}
    gpu: int | None = None
    storage = 0.0
    for kind in ("requests", "limits"):
        for name, value in (resources.get(kind) or {}).items():
            here = f"{where}.resources.{kind}[{name}]"
            if name not in KNOWN_RESOURCES:
                raise PodSpecError(
                    here,
                    f"resource {name!r} is not supported on ECI (supported: "
                    f"{', '.join(KNOWN_RESOURCES)})",
                )
            try:
                if name == GPU_RESOURCE:
                    count = parse_quantity(value)
                    if count != int(count) or count < 0:
                        raise ValueError(f"{value!r} is not a whole number of GPUs")
                    gpu = max(gpu or 0, int(count))
                elif name == "ephemeral-storage":
                    storage = max(storage, memory_gib(value))
            except ValueError as exc:
                raise PodSpecError(here, str(exc)) from exc
    return gpu or None, storage


def _security_context(
    container: Mapping[str, Any], pod_context: Mapping[str, Any], *, where: str, init: bool
) -> dict[str, Any]:
    """The container's effective security context as ECI keyword arguments."""
    own: Mapping[str, Any] = container.get("securityContext") or {}
    here = f"{where}.securityContext"
    for name, value in own.items():
        if (name, value) in PERMISSIVE_DEFAULTS:
            continue  # asks for what every ECI container has anyway
        if name not in SECURITY_FIELDS:
            raise PodSpecError(f"{here}.{name}", "is not supported on ECI")
    effective = {k: pod_context[k] for k in INHERITED_FROM_POD if pod_context.get(k) is not None}
    effective.update({k: v for k, v in own.items() if v is not None})
    capabilities = effective.get("capabilities") or {}
    if capabilities.get("drop"):
        raise PodSpecError(f"{here}.capabilities.drop", "is not supported on ECI (only add)")
    if init:
        for name in APP_ONLY_SECURITY:
            if effective.get(name):
                raise PodSpecError(f"{here}.{name}", "is not supported on ECI init containers")
    context_model: Any = (
        eci.CreateContainerGroupRequestInitContainerSecurityContext
        if init
        else eci.CreateContainerGroupRequestContainerSecurityContext
    )
    capability_model: Any = (
        eci.CreateContainerGroupRequestInitContainerSecurityContextCapability
        if init
        else eci.CreateContainerGroupRequestContainerSecurityContextCapability
    )
    values: dict[str, Any] = {}
    if capabilities.get("add"):
        values["capability"] = capability_model(add=list(capabilities["add"]))
    if effective.get("readOnlyRootFilesystem") is not None:
        values["read_only_root_filesystem"] = bool(effective["readOnlyRootFilesystem"])
    if effective.get("runAsUser") is not None:
        values["run_as_user"] = int(effective["runAsUser"])
    result: dict[str, Any] = {"security_context": context_model(**values)} if values else {}
    if not init:
        if effective.get("privileged") is not None:
            result["security_context_privileged"] = bool(effective["privileged"])
        if effective.get("runAsGroup") is not None:
            result["security_context_run_as_group"] = int(effective["runAsGroup"])
        if effective.get("runAsNonRoot") is not None:
            result["security_context_run_as_non_root"] = bool(effective["runAsNonRoot"])
    return result


def _hook(
    container: Mapping[str, Any], hook: Mapping[str, Any], *, where: str, prefix: str
) -> dict[str, Any]:
    """One lifecycle handler as ECI's flat `Lifecycle<Hook>Handler*` arguments."""
    if "exec" in hook:
        return {f"{prefix}_exec": list((hook["exec"] or {}).get("command") or [])}
    if "httpGet" in hook:
        get = hook["httpGet"] or {}
        header_model: Any = getattr(
            eci,
            "CreateContainerGroupRequestContainerLifecycle"
            + ("PostStart" if "post_start" in prefix else "PreStop")
            + "HandlerHttpGetHttpHeader",
        )
        headers = [
            header_model(name=h.get("name"), value=h.get("value"))
            for h in get.get("httpHeaders") or []
        ]
        return {
            f"{prefix}_http_get_host": get.get("host") or None,
            f"{prefix}_http_get_path": get.get("path") or None,
            f"{prefix}_http_get_port": named_port(
                container, get.get("port"), f"{where}.httpGet.port"
            ),
            f"{prefix}_http_get_scheme": get.get("scheme") or None,
            f"{prefix}_http_get_http_header": headers or None,
        }
    if "tcpSocket" in hook:
        socket = hook["tcpSocket"] or {}
        return {
            f"{prefix}_tcp_socket_host": socket.get("host") or None,
            f"{prefix}_tcp_socket_port": named_port(
                container, socket.get("port"), f"{where}.tcpSocket.port"
            ),
        }
    kinds = ", ".join(sorted(hook)) or "no handler"
    raise PodSpecError(
        where, f"{kinds} is not supported on ECI (supported: exec, httpGet, tcpSocket)"
    )


def _lifecycle(container: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    lifecycle: Mapping[str, Any] = container.get("lifecycle") or {}
    result: dict[str, Any] = {}
    for name, prefix in (
        ("postStart", "lifecycle_post_start_handler"),
        ("preStop", "lifecycle_pre_stop_handler"),
    ):
        if lifecycle.get(name):
            result.update(
                _hook(container, lifecycle[name], where=f"{where}.lifecycle.{name}", prefix=prefix)
            )
    unknown = sorted(set(lifecycle) - {"postStart", "preStop"})
    if unknown:
        raise PodSpecError(f"{where}.lifecycle.{unknown[0]}", "is not supported on ECI")
    return result


def container_extras(
    container: Mapping[str, Any],
    pod_context: Mapping[str, Any],
    *,
    where: str,
    init: bool,
    gpu: int | None,
) -> dict[str, Any]:
    """ECI container keyword arguments for everything this module maps."""
    refuse_unexpressible(container, where=where, init=init)
    extras = _security_context(container, pod_context, where=where, init=init)
    extras["gpu"] = gpu
    extras["termination_message_path"] = container.get("terminationMessagePath")
    extras["termination_message_policy"] = container.get("terminationMessagePolicy")
    if not init:
        extras.update(_lifecycle(container, where=where))
        extras["stdin"] = container.get("stdin")
        extras["stdin_once"] = container.get("stdinOnce")
        extras["tty"] = container.get("tty")
    return extras
