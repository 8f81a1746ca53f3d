"""What a registry serves: images, their layers, and the credentials for private ones.

Frozen values shared by the catalog, the time model and storage sizing. Layer
digests are deterministic (the sha256 of a stable name), so a base layer
shared by several images has one digest everywhere and every process, test
and restart agrees on it.

Values only: no lookups (that is `simulator.registry.catalog`), no I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import NewType

from simulator.registry.references import ImageReference, normalize_server, repository_of

__all__ = [
    "DEMO_PRIVATE_CREDENTIAL",
    "DEMO_PRIVATE_IMAGE",
    "MB",
    "PAUSE_IMAGE_REFERENCE",
    "Image",
    "Layer",
    "LayerDigest",
    "RegistryCredential",
    "layer_digest_for",
]

LayerDigest = NewType("LayerDigest", str)
"""A layer's content digest: `sha256:<64 hex>`."""

MB = 1_000_000
"""Catalog files give sizes in MB of 10^6 bytes, as registries publish them."""

PAUSE_IMAGE_REFERENCE = ImageReference("registry-vpc.cn-beijing.aliyuncs.com/acs/pause-amd64:3.0")
"""The sandbox image every ECI instance (and every cache build) pulls first."""

DEMO_PRIVATE_IMAGE = ImageReference("registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/private-app:1.0")
"""A private repository in the built-in catalog, for tests and the demo."""


def layer_digest_for(stable_name: str) -> LayerDigest:
    """The deterministic digest of a simulated layer: sha256 of its stable name."""
    return LayerDigest("sha256:" + hashlib.sha256(stable_name.encode()).hexdigest())


@dataclass(frozen=True)
class Layer:
    """One image layer: content digest and sizes in bytes."""

    digest: LayerDigest
    compressed_bytes: int
    """Bytes downloaded from the registry."""
    uncompressed_bytes: int
    """Bytes written to disk once inflated."""


@dataclass(frozen=True)
class Image:
    """An image as the registry serves it (`reference` is normalised)."""

    reference: ImageReference
    layers: tuple[Layer, ...]
    private_server: str | None = None
    """Registry server whose credential a pull needs; None for public images."""
    aliases: tuple[ImageReference, ...] = ()
    """Other references that name the same manifest (e.g. `:latest`)."""
    pinned_digest: str | None = None
    """The manifest digest a digest reference asked for (a synthesized image has it)."""
    synthesized: bool = False
    """True: not in the catalog; the open registry made its manifest up (deterministically)."""

    @property
    def compressed_bytes(self) -> int:
        """The image's size as a registry lists it (sum of compressed layers)."""
        return sum(layer.compressed_bytes for layer in self.layers)

    @property
    def uncompressed_bytes(self) -> int:
        """The image's size on disk once unpacked."""
        return sum(layer.uncompressed_bytes for layer in self.layers)

    @property
    def layer_digests(self) -> frozenset[LayerDigest]:
        return frozenset(layer.digest for layer in self.layers)

    @property
    def manifest_digest(self) -> str:
        """Deterministic manifest digest (what `image@sha256:...` and an image ID name)."""
        if self.pinned_digest is not None:
            return self.pinned_digest
        text = "\n".join(layer.digest for layer in self.layers)
        return "sha256:" + hashlib.sha256(f"vk-eci manifest\n{text}".encode()).hexdigest()

    @property
    def repository(self) -> str:
        return repository_of(self.reference)

    @property
    def image_id(self) -> str:
        """What a kubelet reports as `imageID`: `docker.io/library/nginx@sha256:...`."""
        return f"{self.repository}@{self.manifest_digest}"


@dataclass(frozen=True)
class RegistryCredential:
    """What `ImageRegistryCredential` carries: a server and an account on it."""

    server: str
    username: str
    password: str = field(repr=False)

    def matches_server(self, server: str) -> bool:
        return normalize_server(self.server) == normalize_server(server)


DEMO_PRIVATE_CREDENTIAL = RegistryCredential(
    server="registry.cn-hangzhou.aliyuncs.com",
    username="vk-eci-demo",
    password="vk-eci-demo-password",
)
"""The account the built-in private repository accepts (documented, not a secret)."""
