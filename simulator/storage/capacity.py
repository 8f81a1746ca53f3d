"""Emulated block storage capacity: how much disk a set of images needs.

A cache build writes the unpacked layers of its images onto a temporary disk
and snapshots it; an instance created from the cache gets a disk made from
that snapshot (the disks themselves: `simulator.storage.disks`). This module
keeps the accounting honest:

* capacity: a cache's disk (`ImageCacheSize`, GiB, 20 .. 32768, default 20)
  must hold the images *unpacked*: the sum of their uncompressed layers, each
  shared layer counted once. That is how "ECI asks for twice the image size"
  is modelled: an image's size as a registry lists it is compressed, and
  unpacked it takes about twice that (the catalog's default ratio). A disk too
  small fails with an error naming what is needed and what was given, in GiB;
* dedup: a layer shared by several images (or several caches) is stored once;
  `storage_report` says how many bytes that saved.

Values only (frozen dataclasses); the service persists them. No I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from simulator.errors import InvalidParameter
from simulator.registry.images import Image, Layer

__all__ = [
    "DEFAULT_CACHE_SIZE_GIB",
    "GIB",
    "MAX_CACHE_SIZE_GIB",
    "MIN_CACHE_SIZE_GIB",
    "CacheFootprint",
    "ImageCacheTooSmall",
    "StorageReport",
    "check_cache_size",
    "gib_needed",
    "gib_text",
    "storage_report",
    "unique_layers",
]

GIB = 1024**3
MIN_CACHE_SIZE_GIB = 20
"""Smallest `ImageCacheSize` ECI accepts (GiB)."""
MAX_CACHE_SIZE_GIB = 32768
"""Largest `ImageCacheSize` ECI accepts (GiB)."""
DEFAULT_CACHE_SIZE_GIB = 20
"""`ImageCacheSize` when none is given (GiB)."""


class ImageCacheTooSmall(InvalidParameter):
    """The images do not fit the requested `ImageCacheSize`."""


def gib_needed(size_bytes: int) -> int:
    """Whole GiB needed to hold `size_bytes` (rounded up)."""
    return math.ceil(size_bytes / GIB)


def gib_text(size_bytes: int) -> str:
    """`size_bytes` in GiB with two decimals, for error messages."""
    return f"{size_bytes / GIB:.2f} GiB"


def unique_layers(images: Iterable[Image]) -> list[Layer]:
    """Layers of `images` in order of first appearance, each shared layer once."""
    seen: dict[str, Layer] = {}
    for image in images:
        for layer in image.layers:
            seen.setdefault(layer.digest, layer)
    return list(seen.values())


@dataclass(frozen=True)
class StorageReport:
    """What a set of images (or caches) costs on disk, and what dedup saved."""

    images: int
    layer_references: int
    """Layers counted per image (a shared layer once per image holding it)."""
    layers: int
    """Distinct layers actually stored."""
    logical_bytes: int
    """Sum of the images' uncompressed sizes, as if nothing were shared."""
    stored_bytes: int
    """Uncompressed bytes actually stored (each layer once)."""
    compressed_bytes: int
    """Compressed size of the stored layers (what a registry would send)."""

    @property
    def deduplicated_bytes(self) -> int:
        """Bytes not stored twice thanks to shared layers."""
        return self.logical_bytes - self.stored_bytes

    def to_json(self) -> dict[str, int]:
        return {
            "images": self.images,
            "layer_references": self.layer_references,
            "layers": self.layers,
            "logical_bytes": self.logical_bytes,
            "stored_bytes": self.stored_bytes,
            "compressed_bytes": self.compressed_bytes,
            "deduplicated_bytes": self.deduplicated_bytes,
        }


def storage_report(images: Iterable[Image]) -> StorageReport:
    """Account `images` stored together (e.g. one cache, or every cache's layer store)."""
    distinct = {image.reference: image for image in images}.values()
    layers = unique_layers(distinct)
    return StorageReport(
        images=len(distinct),
        layer_references=sum(len(image.layers) for image in distinct),
        layers=len(layers),
        logical_bytes=sum(image.uncompressed_bytes for image in distinct),
        stored_bytes=sum(layer.uncompressed_bytes for layer in layers),
        compressed_bytes=sum(layer.compressed_bytes for layer in layers),
    )


@dataclass(frozen=True)
class CacheFootprint:
    """A cache's size check: what its images need against the disk asked for."""

    size_gib: int
    """The disk size the cache gets (`ImageCacheSize`)."""
    required_bytes: int
    """Unpacked bytes of its images, shared layers once."""
    report: StorageReport

    @property
    def required_gib(self) -> int:
        return gib_needed(self.required_bytes)

    @property
    def free_bytes(self) -> int:
        return self.size_gib * GIB - self.required_bytes


def check_cache_size(*, images: Iterable[Image], size_gib: int | None) -> CacheFootprint:
    """Check `ImageCacheSize` (None: the default) against `images`, or raise naming both."""
    size = DEFAULT_CACHE_SIZE_GIB if size_gib is None else size_gib
    if isinstance(size, bool) or not MIN_CACHE_SIZE_GIB <= size <= MAX_CACHE_SIZE_GIB:
        raise InvalidParameter(
            f"ImageCacheSize: {size} is not valid, expected an integer number of GiB "
            f"from {MIN_CACHE_SIZE_GIB} to {MAX_CACHE_SIZE_GIB}"
        )
    report = storage_report(images)
    footprint = CacheFootprint(size_gib=size, required_bytes=report.stored_bytes, report=report)
    if footprint.free_bytes < 0:
        raise ImageCacheTooSmall(
            f"ImageCacheSize: {size} GiB is too small for these images: they need "
            f"{footprint.required_gib} GiB unpacked ({gib_text(report.stored_bytes)}, shared "
            f"layers counted once; about twice their compressed "
            f"{gib_text(report.compressed_bytes)}); ask for at least "
            f"{max(MIN_CACHE_SIZE_GIB, footprint.required_gib)} GiB"
        )
    return footprint
