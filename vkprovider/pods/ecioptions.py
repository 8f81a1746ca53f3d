"""ECI's Pod annotations that select CreateContainerGroup fields.

ECI's virtual node reads these annotations from a Pod when it creates the
instance (and never again: edits after creation change nothing); the agent
does the same. Each annotation here maps to one request parameter, by name as
ECI documents them ("ECI Pod Annotation"). A malformed value raises
`PodSpecError` naming the annotation, the value and what is expected: the Pod
does not run rather than run on terms it did not ask for. Annotations that
ECI documents but that have no request parameter in the SDK are not read.

`eci-use-specs` also decides whether the group asks for a vCPU/memory pair
(the agent's rounding) or lets ECI try the listed specs in order
(`InstanceType`); see `vkprovider.pods.requests`. `acr-instance-ids` names ACR
Enterprise instances for password-free pulls (`AcrRegistryInfo.N`, parsed by
`vkprovider.acrinstances`, as on an ImageCache). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from alibabacloud_eci20180808 import models as eci

from vkprovider.acrinstances import ACR_INSTANCE_IDS, parse_acr_instance_ids
from vkprovider.pods import annotations as ann
from vkprovider.pods.errors import PodSpecError
from vkprovider.pods.instancespecs import use_specs
from vkprovider.quantities import memory_gib, parse_quantity

SPOT_STRATEGY: Final = "k8s.aliyun.com/eci-spot-strategy"
SPOT_PRICE_LIMIT: Final = "k8s.aliyun.com/eci-spot-price-limit"
SPOT_DURATION: Final = "k8s.aliyun.com/eci-spot-duration"
EXTRA_EPHEMERAL_STORAGE: Final = "k8s.aliyun.com/eci-extra-ephemeral-storage"
ENABLE_IPV6: Final = "k8s.aliyun.com/eci-enable-ipv6"
IPV6_COUNT: Final = "k8s.aliyun.com/eci-ipv6-count"

SPOT_STRATEGIES: Final = ("NoSpot", "SpotAsPriceGo", "SpotWithPriceLimit")
_PRICE = re.compile(r"^\d+(\.\d{1,3})?$")
_BOOLEANS = {"true": True, "false": False}


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return value.strip()


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return parse


def _integer(minimum: int, maximum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not value.strip().isdigit() or not minimum <= int(value) <= maximum:
            raise ValueError(f"{value!r} is not an integer from {minimum} to {maximum}")
        return int(value)

    return parse


def _flag(value: str) -> bool:
    if value.strip().lower() not in _BOOLEANS:
        raise ValueError(f'{value!r} is not "true" or "false"')
    return _BOOLEANS[value.strip().lower()]


def _gib(value: str) -> int:
    """A storage quantity ("50Gi") as whole GiB (ECI's unit), rounded up."""
    size = memory_gib(value)
    whole = int(size) if size == int(size) else int(size) + 1
    if whole < 1:
        raise ValueError(f"{value!r} is less than 1Gi")
    return whole


def _bits_per_second(value: str) -> int:
    """A bandwidth quantity ("40M" = 40 Mbit/s), as Kubernetes' bandwidth annotations use."""
    rate = parse_quantity(value)
    if rate <= 0:
        raise ValueError(f"{value!r} is not a positive bandwidth (e.g. 40M)")
    return int(rate)


def _acr_instances(value: str) -> list[eci.CreateContainerGroupRequestAcrRegistryInfo]:
    return [
        eci.CreateContainerGroupRequestAcrRegistryInfo(
            instance_id=ref.instance_id, region_id=ref.region_id
        )
        for ref in parse_acr_instance_ids(value)
    ]


def _instance_types(value: str) -> str:
    return ",".join(use_specs(value))


def _categories(value: str) -> list[str]:
    categories = [item.strip() for item in value.split(",")]
    for item in categories:
        if item not in ("economy", "general"):
            raise ValueError(f"{item!r} is not economy or general")
    return categories


@dataclass(frozen=True)
class _Option:
    annotation: str
    field: str
    """The SDK request attribute (`CreateContainerGroupRequest`)."""
    parse: Callable[[str], Any]


OPTIONS: Final = (
    _Option(ann.USE_SPECS, "instance_type", _instance_types),
    _Option(SPOT_STRATEGY, "spot_strategy", _choice(*SPOT_STRATEGIES)),
    _Option(SPOT_DURATION, "spot_duration", _integer(0, 6)),
    _Option(EXTRA_EPHEMERAL_STORAGE, "ephemeral_storage", _gib),
    _Option("k8s.aliyun.com/eci-security-group", "security_group_id", _text),
    _Option("k8s.aliyun.com/eci-vswitch", "v_switch_id", _text),
    _Option(
        "k8s.aliyun.com/eci-schedule-strategy",
        "schedule_strategy",
        _choice("VSwitchOrdered", "VSwitchRandom"),
    ),
    _Option("k8s.aliyun.com/eci-ram-role-name", "ram_role_name", _text),
    _Option("k8s.aliyun.com/eci-cpu-option-core", "cpu_options_core", _integer(1, 256)),
    _Option("k8s.aliyun.com/eci-cpu-option-ht", "cpu_options_threads_per_core", _integer(1, 2)),
    _Option("k8s.aliyun.com/eci-gpu-driver-version", "gpu_driver_version", _text),
    _Option("k8s.aliyun.com/eci-compute-category", "compute_category", _categories),
    _Option("k8s.aliyun.com/eci-eip-instanceid", "eip_instance_id", _text),
    _Option("k8s.aliyun.com/eci-with-eip", "auto_create_eip", _flag),
    _Option("k8s.aliyun.com/eip-bandwidth", "eip_bandwidth", _integer(1, 10000)),
    _Option(
        "k8s.aliyun.com/eip-common-bandwidth-package-id", "eip_common_bandwidth_package", _text
    ),
    _Option("k8s.aliyun.com/eip-isp", "eip_isp", _choice("BGP", "BGP_PRO")),
    _Option(IPV6_COUNT, "ipv_6address_count", _integer(1, 1)),
    _Option("kubernetes.io/ingress-bandwidth", "ingress_bandwidth", _bits_per_second),
    _Option("kubernetes.io/egress-bandwidth", "egress_bandwidth", _bits_per_second),
    _Option("k8s.aliyun.com/eci-core-pattern", "core_pattern", _text),
    _Option(ACR_INSTANCE_IDS, "acr_registry_info", _acr_instances),
)
"""Annotation -> request field, in the order they are checked."""


def _where(annotation: str) -> str:
    return f"metadata.annotations[{annotation}]"


def request_options(annotations: Mapping[str, str]) -> dict[str, Any]:
    """The CreateContainerGroupRequest keyword arguments the Pod's ECI annotations select."""
    options: dict[str, Any] = {}
    for option in OPTIONS:
        raw = annotations.get(option.annotation)
        if raw is None:
            continue
        try:
            options[option.field] = option.parse(str(raw))
        except ValueError as exc:
            raise PodSpecError(_where(option.annotation), f"{raw!r}: {exc}") from None
    if ENABLE_IPV6 in annotations:
        try:
            if _flag(str(annotations[ENABLE_IPV6])):
                options["ipv_6address_count"] = 1
        except ValueError as exc:
            raise PodSpecError(_where(ENABLE_IPV6), str(exc)) from None
    _spot_price(annotations, options)
    return options


def _spot_price(annotations: Mapping[str, str], options: dict[str, Any]) -> None:
    """`eci-spot-price-limit` belongs with (and only with) `SpotWithPriceLimit`."""
    limit = annotations.get(SPOT_PRICE_LIMIT)
    with_limit = options.get("spot_strategy") == "SpotWithPriceLimit"
    if limit is None:
        if with_limit:
            raise PodSpecError(
                _where(SPOT_PRICE_LIMIT),
                f'is required when {SPOT_STRATEGY} is SpotWithPriceLimit (e.g. "0.5")',
            )
        return
    if not with_limit:
        raise PodSpecError(
            _where(SPOT_PRICE_LIMIT),
            f"is only valid with {SPOT_STRATEGY}: SpotWithPriceLimit",
        )
    if not _PRICE.match(str(limit).strip()) or float(limit) <= 0:
        raise PodSpecError(
            _where(SPOT_PRICE_LIMIT),
            f"{limit!r} is not a positive hourly price with at most three decimals",
        )
    options["spot_price_limit"] = float(limit)
