"""What an ImageCache asks for, checked beyond what the CRD schema can say.

The API server already enforced types and ranges (when our CRD is installed; an older CRD may
let anything through, so ranges are checked again). Here: image reference syntax, duplicate
images, `namespace:secretName` syntax. The result is a frozen value the rest of the package
trusts; a problem is an `InvalidImageCache` naming the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vkprovider.imagecaches.annotations import CacheOptions, parse_options
from vkprovider.imagecaches.errors import InvalidImageCache
from vkprovider.imagecaches.kinds import AUTO_MATCH_ANNOTATIONS
from vkprovider.imagecaches.references import validate_reference
from vkprovider.imagecaches.secrets import SecretRef, parse_secret_ref

DEFAULT_SIZE_GIB = 20
SIZE_RANGE_GIB = (20, 32768)
RETENTION_RANGE_DAYS = (1, 65536)


@dataclass(frozen=True, kw_only=True)
class ImageCacheSpec:
    """A valid ImageCache spec plus the annotations that change how it is built."""

    images: tuple[str, ...]
    pull_secrets: tuple[SecretRef, ...]
    size_gib: int
    retention_days: int | None
    auto_match: bool
    options: CacheOptions = dataclasses.field(default_factory=CacheOptions)
    """The other annotations ECI documents (flash, network, registries) and unknown `imc-*`."""


def _integer(value: object, *, field: str, bounds: tuple[int, int]) -> int:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidImageCache(
            f"{field}: {value!r} is not an integer in [{low}, {high}]", field=field
        )
    return value


def _truthy(annotations: Mapping[str, str]) -> bool:
    return any(annotations.get(key, "").strip().lower() == "true" for key in AUTO_MATCH_ANNOTATIONS)


def parse_spec(spec: Mapping[str, Any] | None, *, annotations: Mapping[str, str]) -> ImageCacheSpec:
    """Check `spec` (raw JSON) and return it as an `ImageCacheSpec`."""
    if not isinstance(spec, Mapping):
        raise InvalidImageCache("spec: missing", field="spec")
    images = spec.get("images")
    if not isinstance(images, list) or not images:
        raise InvalidImageCache("spec.images: at least one image is required", field="spec.images")
    seen: dict[str, int] = {}
    for index, image in enumerate(images):
        field = f"spec.images[{index}]"
        if not isinstance(image, str):
            raise InvalidImageCache(f"{field}: {image!r} is not a string", field=field)
        validate_reference(image, field=field)
        if image in seen:
            raise InvalidImageCache(
                f"{field}: {image!r} is listed twice (also spec.images[{seen[image]}])",
                field=field,
            )
        seen[image] = index
    raw_secrets = spec.get("imagePullSecrets") or []
    if not isinstance(raw_secrets, list):
        raise InvalidImageCache(
            "spec.imagePullSecrets: expected a list of namespace:secretName",
            field="spec.imagePullSecrets",
        )
    secrets = []
    for index, text in enumerate(raw_secrets):
        field = f"spec.imagePullSecrets[{index}]"
        if not isinstance(text, str):
            raise InvalidImageCache(f"{field}: {text!r} is not a string", field=field)
        secrets.append(parse_secret_ref(text, field=field))
    size = spec.get("imageCacheSize")
    retention = spec.get("retentionDays")
    return ImageCacheSpec(
        images=tuple(images),
        pull_secrets=tuple(secrets),
        size_gib=DEFAULT_SIZE_GIB
        if size is None
        else _integer(size, field="spec.imageCacheSize", bounds=SIZE_RANGE_GIB),
        retention_days=None
        if retention is None
        else _integer(retention, field="spec.retentionDays", bounds=RETENTION_RANGE_DAYS),
        auto_match=_truthy(annotations),
        options=parse_options(annotations),
    )
