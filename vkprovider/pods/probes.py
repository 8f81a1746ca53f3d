"""Readiness and liveness probes -> ECI's ReadinessProbe / LivenessProbe.

ECI runs the probes itself, with the same fields as Kubernetes (exec,
httpGet, tcpSocket, delays, period, thresholds). A named port is resolved
against the container's ports; a name that matches none, or a probe kind ECI
does not have (grpc), fails the Pod with a `PodSpecError` naming the field;
so do the parts of a probe ECI's probe has no parameter for (an httpGet
`host` or `httpHeaders`, a probe-level `terminationGracePeriodSeconds`).
Startup probes have no ECI counterpart at all (`vkprovider.pods.containerfields`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alibabacloud_eci20180808 import models as eci

from vkprovider.pods.errors import PodSpecError

_TIMINGS = (
    ("initialDelaySeconds", "initial_delay_seconds"),
    ("periodSeconds", "period_seconds"),
    ("timeoutSeconds", "timeout_seconds"),
    ("successThreshold", "success_threshold"),
    ("failureThreshold", "failure_threshold"),
)


def named_port(container: Mapping[str, Any], value: Any, where: str) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    for port in container.get("ports") or []:
        if port.get("name") == value:
            return int(port["containerPort"])
    raise PodSpecError(where, f"port {value!r} is neither a number nor a named container port")


def probe(
    container: Mapping[str, Any], kind: str, where: str
) -> (
    eci.CreateContainerGroupRequestContainerReadinessProbe
    | eci.CreateContainerGroupRequestContainerLivenessProbe
    | None
):
    """The ECI probe for `container[kind]` ("readinessProbe" or "livenessProbe"), if any."""
    spec = container.get(kind)
    if not spec:
        return None
    here = f"{where}.{kind}"
    readiness = kind == "readinessProbe"
    prefix = "ReadinessProbe" if readiness else "LivenessProbe"
    model: Any = getattr(eci, f"CreateContainerGroupRequestContainer{prefix}")
    values: dict[str, Any] = {
        python: int(spec[name]) for name, python in _TIMINGS if spec.get(name) is not None
    }
    for unsupported in ("terminationGracePeriodSeconds",):
        if spec.get(unsupported) is not None:
            raise PodSpecError(f"{here}.{unsupported}", "is not supported on ECI probes")
    if "httpGet" in spec:
        get = spec["httpGet"]
        for unsupported in ("host", "httpHeaders"):
            if get.get(unsupported):
                raise PodSpecError(
                    f"{here}.httpGet.{unsupported}", "is not supported on ECI probes"
                )
        values["http_get"] = getattr(eci, f"CreateContainerGroupRequestContainer{prefix}HttpGet")(
            path=get.get("path") or "/",
            port=named_port(container, get.get("port"), f"{here}.httpGet.port"),
            scheme=get.get("scheme") or "HTTP",
        )
    elif "tcpSocket" in spec:
        values["tcp_socket"] = getattr(
            eci, f"CreateContainerGroupRequestContainer{prefix}TcpSocket"
        )(port=named_port(container, spec["tcpSocket"].get("port"), f"{here}.tcpSocket.port"))
    elif "exec" in spec:
        values["exec"] = getattr(eci, f"CreateContainerGroupRequestContainer{prefix}Exec")(
            command=list(spec["exec"].get("command") or [])
        )
    else:
        kinds = ", ".join(k for k in spec if k not in dict(_TIMINGS)) or "no handler"
        raise PodSpecError(here, f"{kinds} is not supported (supported: exec, httpGet, tcpSocket)")
    result: Any = model(**values)
    return result
