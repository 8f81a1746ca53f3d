"""`resourceFieldRef`: a container's CPU or memory as the downward API exposes it.

Used by env vars and downward API volume files alike. A kubelet answers with
the container's value, divided by `divisor` and rounded up; a limit the
container does not set is the node's allocatable, which on ECI is the
instance's own spec; a request it does not set is its limit (as Kubernetes
defaults it), else 0. A divisor of "0" (how the API server stores an unset one)
means 1. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from vkprovider.pods.errors import PodSpecError
from vkprovider.pods.instancespecs import InstanceSpec
from vkprovider.quantities import parse_quantity
from vkprovider.types import RawObject

RESOURCE_FIELDS: Final = ("limits.cpu", "limits.memory", "requests.cpu", "requests.memory")


def resource_value(
    pod: RawObject,
    ref: Mapping[str, Any],
    *,
    where: str,
    spec: InstanceSpec,
    default_container: str | None = None,
) -> str:
    """The value of `ref` (a `resourceFieldRef`), as the text a kubelet writes."""
    resource = str(ref.get("resource") or "")
    if resource not in RESOURCE_FIELDS:
        raise PodSpecError(
            f"{where}.resource",
            f"{resource!r} is not supported (supported: {', '.join(RESOURCE_FIELDS)})",
        )
    pod_spec = pod.get("spec") or {}
    containers = [*(pod_spec.get("initContainers") or []), *(pod_spec.get("containers") or [])]
    name = ref.get("containerName") or default_container
    container = next((c for c in containers if c.get("name") == name), None)
    if container is None:
        raise PodSpecError(f"{where}.containerName", f"no container named {name!r}")
    kind, what = resource.split(".")
    resources = container.get("resources") or {}
    value = (resources.get(kind) or {}).get(what)
    if value is None and kind == "requests":
        value = (resources.get("limits") or {}).get(what)
    if value is None and kind == "limits":
        value = spec.cpu if what == "cpu" else f"{spec.memory_gib}Gi"
    try:
        amount = parse_quantity(value if value is not None else 0)
        divisor = parse_quantity(ref.get("divisor") or "1")
    except ValueError as exc:
        raise PodSpecError(where, str(exc)) from None
    if divisor == 0:
        divisor = parse_quantity(1)  # the API server writes an unset divisor as "0"
    if divisor < 0:
        raise PodSpecError(f"{where}.divisor", f"{ref.get('divisor')!r} is negative")
    return str(math.ceil(amount / divisor))
