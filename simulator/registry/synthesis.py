"""Manifests for images the catalog does not list: the open registry's size model.

A user's own manifests name images of their choosing (`nginx:1.25`, `redis:7`,
`ghcr.io/org/app:v1`). The registry is open by default: any syntactically
valid public reference pulls, and this module decides what it is made of.

The answer is a pure function of the normalised reference: every number comes
from the sha256 of `vk-eci synthesized <reference>`, never from `random` or
`hash()`, so the same reference gets the same digests, layer count and sizes
in every process, on every restart and on every machine.

The model (its numbers are documented in `simulator/data/README.md`):

* a **base layer by family**, shared by every image of that family, so caches
  and pulls show layer reuse: `*-alpine` tags and `alpine` itself share an
  alpine base, `ubuntu` (and tags naming jammy, noble, focal) an Ubuntu base,
  `*-slim` tags and everything else a Debian slim base, tags naming a Debian
  release (bookworm, trixie, ...) without `slim` the full Debian base, and
  `distroless` images a distroless base;
* **application layers** on top: 2 to 6 of them, their compressed total drawn
  (log-uniform) from the family's range, split unevenly between them;
* uncompressed sizes are twice the compressed ones, as in the catalog.

Values only: no catalog, no store, no I/O.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from simulator.registry.images import MB, Image, Layer, layer_digest_for
from simulator.registry.references import ImageReference, repository_of

__all__ = ["FAMILIES", "UNCOMPRESSED_FACTOR", "Family", "family_of", "synthesize"]

UNCOMPRESSED_FACTOR = 2
"""Uncompressed bytes per compressed byte of a synthesized layer (the catalog's default)."""


@dataclass(frozen=True)
class Family:
    """A kind of base image: its shared base layer and the range of what sits on top."""

    name: str
    base_layer: str | None
    """Stable name of the shared base layer (same name, same digest); None: no base."""
    base_mb: float
    """Compressed MB of the base layer."""
    app_mb_range: tuple[float, float]
    """Compressed MB of all application layers together, smallest and largest."""


FAMILIES: dict[str, Family] = {
    "alpine": Family("alpine", "alpine-3", 3.6, (4.0, 60.0)),
    "debian-slim": Family("debian-slim", "debian-trixie-slim", 29.8, (15.0, 250.0)),
    "debian": Family("debian", "debian-trixie", 48.5, (30.0, 400.0)),
    "ubuntu": Family("ubuntu", "ubuntu-24.04", 29.8, (20.0, 400.0)),
    "distroless": Family("distroless", "distroless-static", 0.8, (5.0, 80.0)),
}
"""The families and their numbers. The Debian slim and Ubuntu base layers are the ones
the built-in catalog's nginx/redis and flink:2.3.0 use (same names, same sizes), so a
synthesized image shares them with catalog images too."""

_MIN_APP_LAYERS = 2
_MAX_APP_LAYERS = 6
_UBUNTU_WORDS = ("ubuntu", "jammy", "noble", "focal", "bionic")
_DEBIAN_WORDS = ("bookworm", "bullseye", "buster", "trixie", "debian")


def family_of(reference: ImageReference) -> Family:
    """The family a normalised reference belongs to, from its repository name and tag."""
    repository = repository_of(reference)
    name = repository.rsplit("/", 1)[-1]
    tag = reference.partition("@")[0][len(repository) :].lstrip(":")
    words = f"{name} {tag}"
    if name == "alpine" or "alpine" in tag:
        return FAMILIES["alpine"]
    if "distroless" in repository:
        return FAMILIES["distroless"]
    if name == "ubuntu" or any(word in words for word in _UBUNTU_WORDS):
        return FAMILIES["ubuntu"]
    if "slim" in tag:
        return FAMILIES["debian-slim"]
    if name == "debian" or any(word in tag for word in _DEBIAN_WORDS):
        return FAMILIES["debian"]
    return FAMILIES["debian-slim"]


class _Draws:
    """Deterministic numbers in [0, 1) from a reference: sha256 in counter mode."""

    def __init__(self, reference: str) -> None:
        self._seed = f"vk-eci synthesized {reference}".encode()
        self._counter = 0

    def next(self) -> float:
        self._counter += 1
        digest = hashlib.sha256(self._seed + b"#%d" % self._counter).digest()
        return int.from_bytes(digest[:8], "big") / 2**64


def _layer(digest_name: str, compressed_mb: float) -> Layer:
    compressed = round(compressed_mb * MB)
    return Layer(
        digest=layer_digest_for(digest_name),
        compressed_bytes=compressed,
        uncompressed_bytes=compressed * UNCOMPRESSED_FACTOR,
    )


def synthesize(reference: ImageReference) -> Image:
    """The image a pull of `reference` (normalised, not in the catalog) gets."""
    family = family_of(reference)
    draws = _Draws(reference)
    layers: list[Layer] = []
    if family.base_layer is not None:
        layers.append(_layer(f"vk-eci base layer {family.base_layer}", family.base_mb))
    count = _MIN_APP_LAYERS + int(draws.next() * (_MAX_APP_LAYERS - _MIN_APP_LAYERS + 1))
    low, high = family.app_mb_range
    total_mb = math.exp(math.log(low) + draws.next() * (math.log(high) - math.log(low)))
    weights = [0.2 + draws.next() for _ in range(count)]
    for index, weight in enumerate(weights, start=1):
        share = round(total_mb * weight / sum(weights), 2)
        layers.append(_layer(f"vk-eci synthesized layer {reference} #{index}", share))
    _, at, digest = reference.partition("@")
    return Image(
        reference=reference,
        layers=tuple(layers),
        pinned_digest=digest if at else None,
        synthesized=True,
    )
