"""The annotations ECI documents on an ImageCache, as CreateImageCache options.

`imc-enable-reuse` (newer name of `auto-match-imagecache`) → AutoMatchImageCache,
`imc-enable-flash` → Flash, `vswitch-ids` → VSwitchId, `security-group-id`,
`resource-group-id`, `acr-instance-ids` → AcrRegistryInfo.N.InstanceId (and RegionId,
`vkprovider.acrinstances`),
`plain-http-registry`, `insecure-registry` (all `k8s.aliyun.com/`). A
malformed value is an `InvalidImageCache` naming the annotation. An
`imc-*` annotation ECI does not document is not an error (a newer ECI may know
it) but is reported back: `unknown` lists it, and the status says so in a
Warning event. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vkprovider.acrinstances import ACR_INSTANCE_IDS, AcrInstanceRef, parse_acr_instance_ids
from vkprovider.imagecaches.errors import InvalidImageCache
from vkprovider.imagecaches.kinds import AUTO_MATCH_ANNOTATIONS

PREFIX = "k8s.aliyun.com/"
FLASH = PREFIX + "imc-enable-flash"
VSWITCH_IDS = PREFIX + "vswitch-ids"
SECURITY_GROUP_ID = PREFIX + "security-group-id"
RESOURCE_GROUP_ID = PREFIX + "resource-group-id"
PLAIN_HTTP_REGISTRY = PREFIX + "plain-http-registry"
INSECURE_REGISTRY = PREFIX + "insecure-registry"
IMC_PREFIX = PREFIX + "imc-"
"""Annotations of ECI's image cache feature start so; an unknown one is warned about."""
KNOWN = frozenset({*AUTO_MATCH_ANNOTATIONS, FLASH})
"""The `imc-*` (and older) annotations this agent understands on an ImageCache."""
MAX_VSWITCHES = 10
"""CreateImageCache's VSwitchId takes up to 10 comma-separated ids."""


@dataclass(frozen=True, kw_only=True)
class CacheOptions:
    """What the annotations add to a CreateImageCache / UpdateImageCache call."""

    flash: bool = False
    vswitch_id: str | None = None
    """Comma-separated vSwitch ids, as ECI takes them."""
    security_group_id: str | None = None
    resource_group_id: str | None = None
    acr_instances: tuple[AcrInstanceRef, ...] = ()
    plain_http_registry: str | None = None
    insecure_registry: str | None = None
    unknown: tuple[str, ...] = ()
    """`imc-*` annotations ECI does not document (sorted); ignored, and warned about."""


def _boolean(annotations: Mapping[str, str], key: str) -> bool:
    text = annotations.get(key)
    if text is None:
        return False
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise InvalidImageCache(
            f'annotation {key}: "{text}" is not valid, expected "true" or "false"',
            field=f"metadata.annotations[{key}]",
        )
    return value == "true"


def _ids(annotations: Mapping[str, str], key: str, *, limit: int | None = None) -> tuple[str, ...]:
    text = annotations.get(key)
    if text is None:
        return ()
    ids = tuple(part.strip() for part in text.split(","))
    if not all(ids) or (limit is not None and len(ids) > limit):
        most = f"1 to {limit}" if limit is not None else "one or more"
        raise InvalidImageCache(
            f'annotation {key}: "{text}" is not valid, expected {most} ids separated by commas',
            field=f"metadata.annotations[{key}]",
        )
    return ids


def _acr_instances(annotations: Mapping[str, str]) -> tuple[AcrInstanceRef, ...]:
    text = annotations.get(ACR_INSTANCE_IDS)
    if text is None:
        return ()
    try:
        return parse_acr_instance_ids(text)
    except ValueError as exc:
        raise InvalidImageCache(
            f'annotation {ACR_INSTANCE_IDS}: "{text}" is not valid: {exc}',
            field=f"metadata.annotations[{ACR_INSTANCE_IDS}]",
        ) from None


def _text(annotations: Mapping[str, str], key: str) -> str | None:
    value = (annotations.get(key) or "").strip()
    return value or None


def parse_options(annotations: Mapping[str, str]) -> CacheOptions:
    """The CreateImageCache options `annotations` ask for (see the module docstring)."""
    vswitches = _ids(annotations, VSWITCH_IDS, limit=MAX_VSWITCHES)
    return CacheOptions(
        flash=_boolean(annotations, FLASH),
        vswitch_id=",".join(vswitches) or None,
        security_group_id=_text(annotations, SECURITY_GROUP_ID),
        resource_group_id=_text(annotations, RESOURCE_GROUP_ID),
        acr_instances=_acr_instances(annotations),
        plain_http_registry=_text(annotations, PLAIN_HTTP_REGISTRY),
        insecure_registry=_text(annotations, INSECURE_REGISTRY),
        unknown=tuple(
            sorted(k for k in annotations if k.startswith(IMC_PREFIX) and k not in KNOWN)
        ),
    )
