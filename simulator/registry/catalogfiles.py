"""The catalog file format: JSON documents of images and private registry accounts.

A catalog file lists images (reference, layer sizes in MB, aliases, whether
private), the accounts of private registries and the ACR Enterprise instances
(`acr_instances`: id, name, region, account, custom domains). This module turns one
document into `Image`, `RegistryCredential` and `AcrInstance` values, or raises
`CatalogFileError` naming the file, the entry and what was expected; adding
them to a catalog (and checking them against what it holds) is
`simulator.registry.catalog`'s job.

Parsing only: it reads no files and keeps no state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

from simulator.registry.acr import AcrInstance
from simulator.registry.images import (
    MB,
    Image,
    Layer,
    LayerDigest,
    RegistryCredential,
    layer_digest_for,
)
from simulator.registry.references import (
    DIGEST_PATTERN,
    InvalidImageReference,
    normalize_reference,
    normalize_server,
)

__all__ = [
    "UNCOMPRESSED_FACTOR",
    "AcrInstanceDocument",
    "CatalogDocument",
    "CatalogFileError",
    "ImageDocument",
    "LayerDocument",
    "RegistryAccountDocument",
    "acr_instances_from_document",
    "image_from_document",
    "missing_from_document",
    "registry_accounts_from_document",
]


class CatalogFileError(ValueError):
    """A catalog file (or document) is malformed; the message names the file and entry."""


class LayerDocument(TypedDict):
    """A layer given as an object; a bare number in `layers_mb` is `{"mb": number}`."""

    mb: float
    base: NotRequired[str]
    """Name of a base layer shared by several images: same name, same digest."""
    digest: NotRequired[str]
    uncompressed_mb: NotRequired[float]


class ImageDocument(TypedDict):
    ref: str
    layers_mb: list[float | LayerDocument]
    aliases: NotRequired[list[str]]
    uncompressed_mb: NotRequired[list[float]]
    """Uncompressed sizes in layer order; default: twice the compressed size."""
    private: NotRequired[bool]
    """True: pulls need a credential for the image's registry host."""


class RegistryAccountDocument(TypedDict):
    server: str
    username: str
    password: str


class AcrInstanceDocument(TypedDict):
    instance_id: str
    """`cri-` and letters or digits."""
    name: str
    """Lowercase letters, digits and hyphens: the first label of the default domains."""
    region_id: str
    username: str
    password: str
    custom_domains: NotRequired[list[str]]


class CatalogDocument(TypedDict):
    images: NotRequired[list[ImageDocument]]
    registries: NotRequired[list[RegistryAccountDocument]]
    """Accounts of private registries (server, username, password)."""
    acr_instances: NotRequired[list[AcrInstanceDocument]]
    """ACR Enterprise instances; an image on one of their domains is private to it."""
    missing: NotRequired[list[str]]
    """References whose pulls fail with `manifest unknown`, listed or not."""


UNCOMPRESSED_FACTOR = 2.0
"""Uncompressed size when a file gives none: about twice compressed (images.json facts)."""


def _number(value: object, *, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise CatalogFileError(f"{where}: expected a size in MB (a number >= 0), got {value!r}")
    return float(value)


def image_from_document(doc: Mapping[str, Any], *, where: str) -> Image:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("ref"), str):
        raise CatalogFileError(f'{where}: an image needs "ref" (a string)')
    try:
        reference = normalize_reference(doc["ref"])
    except InvalidImageReference as exc:
        raise CatalogFileError(f"{where}: {exc.message}") from exc
    where = f"{where} ({reference})"
    raw_layers = doc.get("layers_mb")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise CatalogFileError(f'{where}: "layers_mb" must be a non-empty list')
    uncompressed = doc.get("uncompressed_mb", [])
    if not isinstance(uncompressed, list) or len(uncompressed) not in (0, len(raw_layers)):
        raise CatalogFileError(f'{where}: "uncompressed_mb" must list one size per layer')
    layers: list[Layer] = []
    for index, raw in enumerate(raw_layers):
        spot = f"{where} layer {index + 1}"
        entry: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {"mb": raw}
        compressed_mb = _number(entry.get("mb"), where=spot)
        if "uncompressed_mb" in entry:
            uncompressed_mb = _number(entry["uncompressed_mb"], where=spot)
        elif uncompressed:
            uncompressed_mb = _number(uncompressed[index], where=spot)
        else:
            uncompressed_mb = compressed_mb * UNCOMPRESSED_FACTOR
        if "digest" in entry:
            digest = str(entry["digest"])
            if not DIGEST_PATTERN.fullmatch(digest):
                raise CatalogFileError(f"{spot}: digest {digest!r} is not sha256:<64 hex>")
            layer_digest = LayerDigest(digest)
        elif "base" in entry:
            layer_digest = layer_digest_for(f"vk-eci base layer {entry['base']}")
        else:
            layer_digest = layer_digest_for(f"vk-eci layer {reference} #{index + 1}")
        layers.append(
            Layer(
                digest=layer_digest,
                compressed_bytes=round(compressed_mb * MB),
                uncompressed_bytes=round(uncompressed_mb * MB),
            )
        )
    aliases = doc.get("aliases", [])
    if not isinstance(aliases, list):
        raise CatalogFileError(f'{where}: "aliases" must be a list of references')
    try:
        alias_refs = tuple(normalize_reference(str(alias)) for alias in aliases)
    except InvalidImageReference as exc:
        raise CatalogFileError(f"{where}: alias {exc.message}") from exc
    private = doc.get("private", False)
    if not isinstance(private, bool):
        raise CatalogFileError(f'{where}: "private" must be true or false')
    return Image(
        reference=reference,
        layers=tuple(layers),
        private_server=reference.split("/", 1)[0] if private else None,
        aliases=alias_refs,
    )


def registry_accounts_from_document(
    document: Mapping[str, Any], *, source: str
) -> list[RegistryCredential]:
    """The private registry accounts a document's `registries` list gives."""
    registries = document.get("registries", [])
    if not isinstance(registries, list):
        raise CatalogFileError(f'{source}: "registries" must be a list')
    accounts = []
    for index, account in enumerate(registries):
        fields = ("server", "username", "password")
        if not isinstance(account, Mapping) or not all(
            isinstance(account.get(name), str) for name in fields
        ):
            raise CatalogFileError(
                f"{source}: registries[{index}] needs server, username and password strings"
            )
        accounts.append(
            RegistryCredential(
                server=account["server"],
                username=account["username"],
                password=account["password"],
            )
        )
    return accounts


_INSTANCE_ID = re.compile(r"cri-[a-z0-9]+")
_INSTANCE_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def acr_instances_from_document(document: Mapping[str, Any], *, source: str) -> list[AcrInstance]:
    """The ACR Enterprise instances a document's `acr_instances` list gives."""
    entries = document.get("acr_instances", [])
    if not isinstance(entries, list):
        raise CatalogFileError(f'{source}: "acr_instances" must be a list')
    instances = []
    for index, entry in enumerate(entries):
        where = f"{source}: acr_instances[{index}]"
        fields = ("instance_id", "name", "region_id", "username", "password")
        if not isinstance(entry, Mapping) or not all(
            isinstance(entry.get(name), str) and entry[name] for name in fields
        ):
            raise CatalogFileError(f"{where} needs {', '.join(fields)} strings")
        if not _INSTANCE_ID.fullmatch(entry["instance_id"]):
            raise CatalogFileError(
                f'{where}: instance_id "{entry["instance_id"]}" is not cri- and letters or digits'
            )
        if not _INSTANCE_NAME.fullmatch(entry["name"]):
            raise CatalogFileError(
                f'{where}: name "{entry["name"]}" is not lowercase letters, digits and hyphens'
            )
        custom = entry.get("custom_domains", [])
        if not isinstance(custom, list) or not all(isinstance(d, str) and d for d in custom):
            raise CatalogFileError(f'{where}: "custom_domains" must be a list of domain names')
        instances.append(
            AcrInstance(
                instance_id=entry["instance_id"],
                name=entry["name"],
                region_id=entry["region_id"],
                username=entry["username"],
                password=entry["password"],
                custom_domains=tuple(normalize_server(domain) for domain in custom),
            )
        )
    return instances


def missing_from_document(document: Mapping[str, Any], *, source: str) -> list[str]:
    """The references a document's `missing` list marks missing, normalised."""
    missing = document.get("missing", [])
    if not isinstance(missing, list) or not all(isinstance(ref, str) for ref in missing):
        raise CatalogFileError(f'{source}: "missing" must be a list of image references')
    try:
        return [normalize_reference(reference) for reference in missing]
    except InvalidImageReference as exc:
        raise CatalogFileError(f"{source}: missing: {exc.message}") from exc
