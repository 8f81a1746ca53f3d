"""The emulated image registry: which images exist, their layers, who may pull them.

A `Catalog` answers one question the way a registry would: given an image
reference and the credentials an instance was created with, which image (and
which layers) does a pull get, or why does it fail (`manifest unknown`,
unauthorised, invalid reference). References normalise the Docker way
(`nginx` is `docker.io/library/nginx:latest`).

Layer digests are deterministic (the sha256 of a stable name), so a base layer
shared by several images has one digest everywhere and every process, test
and restart agrees on it. The built-in catalog ships in the package
(`simulator/data/catalog.json`, made from the facts in the team's
`images.json`); more images come from files or `Catalog.add`.

This module reads catalog JSON files and nothing else: no store, no HTTP.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NewType, NotRequired, TypedDict

from simulator.errors import EciError, InvalidParameter

__all__ = [
    "DEMO_PRIVATE_CREDENTIAL",
    "DEMO_PRIVATE_IMAGE",
    "MB",
    "PAUSE_IMAGE_REFERENCE",
    "Catalog",
    "CatalogFileError",
    "Image",
    "ImagePullError",
    "ImageReference",
    "InvalidImageReference",
    "Layer",
    "LayerDigest",
    "ManifestUnknown",
    "RegistryCredential",
    "RegistryUnauthorized",
    "layer_digest_for",
    "normalize_reference",
    "normalize_server",
    "registry_host",
    "repository_of",
]

ImageReference = NewType("ImageReference", str)
"""A normalised image reference: `docker.io/library/nginx:latest`."""
LayerDigest = NewType("LayerDigest", str)
"""A layer's content digest: `sha256:<64 hex>`."""

MB = 1_000_000
"""Catalog files give sizes in MB of 10^6 bytes, as registries publish them."""

PAUSE_IMAGE_REFERENCE = ImageReference("registry-vpc.cn-beijing.aliyuncs.com/acs/pause-amd64:3.0")
"""The sandbox image every ECI instance (and every cache build) pulls first."""

DEMO_PRIVATE_IMAGE = ImageReference("registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/private-app:1.0")
"""A private repository in the built-in catalog, for tests and the demo."""


# --- errors -----------------------------------------------------------------------------------


class InvalidImageReference(InvalidParameter):
    """The reference does not follow the Docker grammar; the message names it and why."""


class ImagePullError(EciError):
    """A pull fails in the registry (the instance's container waits with `ErrImagePull`)."""

    code = "ImagePullFailed"
    http_status = 400


class ManifestUnknown(ImagePullError):
    """The registry has no such image (or no such tag or digest)."""

    code = "ManifestUnknown"
    http_status = 404


class RegistryUnauthorized(ImagePullError):
    """A private repository was pulled without the right credential."""

    code = "RegistryUnauthorized"
    http_status = 403


class CatalogFileError(ValueError):
    """A catalog file (or document) is malformed; the message names the file and entry."""


# --- references ---------------------------------------------------------------------------

DOCKER_HUB = "docker.io"
_DOCKER_HUB_ALIASES = frozenset(
    {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
)
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_DOMAIN_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*(?::[0-9]+)?")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})")
_MAX_NAME_LENGTH = 255


def _invalid(reference: str, why: str) -> InvalidImageReference:
    return InvalidImageReference(f'invalid image reference "{reference}": {why}')


def normalize_reference(reference: str) -> ImageReference:
    """Normalise an image reference the way Docker does, or raise `InvalidImageReference`.

    * no registry host: `docker.io` (`index.docker.io` is the same registry);
    * a Docker Hub name without a namespace gets `library/`;
    * neither tag nor digest: `:latest`; a digest is kept (`@sha256:...`), with
      the tag too when both are given;
    * a registry host is the first component when it has a `.` or a `:` (a
      port) or is `localhost`.
    """
    if not isinstance(reference, str) or not reference:
        raise _invalid(str(reference), "it is empty")
    if reference != reference.strip() or any(ch.isspace() for ch in reference):
        raise _invalid(reference, "it contains whitespace")
    name_and_tag, at, digest = reference.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        raise _invalid(reference, f'"{digest}" is not a digest like sha256:<64 hex digits>')
    tag = ""
    last_slash = name_and_tag.rfind("/")
    colon = name_and_tag.rfind(":")
    if colon > last_slash:
        name, tag = name_and_tag[:colon], name_and_tag[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise _invalid(reference, f'tag "{tag}" is not valid (letters, digits, _ . -)')
    else:
        name = name_and_tag
    if not name:
        raise _invalid(reference, "the repository name is empty")
    domain, path = _split_domain(name)
    if not _DOMAIN.fullmatch(domain):
        raise _invalid(reference, f'registry host "{domain}" is not valid')
    components = path.split("/")
    for component in components:
        if _PATH_COMPONENT.fullmatch(component):
            continue
        if component.lower() != component and _PATH_COMPONENT.fullmatch(component.lower()):
            raise _invalid(reference, "repository name must be lowercase")
        raise _invalid(reference, f'repository path component "{component}" is not valid')
    if domain.lower() in _DOCKER_HUB_ALIASES:
        domain = DOCKER_HUB
        if len(components) == 1:
            path = f"library/{path}"
    full_name = f"{domain}/{path}"
    if len(full_name) > _MAX_NAME_LENGTH:
        raise _invalid(reference, f"repository name is longer than {_MAX_NAME_LENGTH} characters")
    if not tag and not at:
        tag = "latest"
    normalised = full_name + (f":{tag}" if tag else "") + (f"@{digest}" if at else "")
    return ImageReference(normalised)


def _split_domain(name: str) -> tuple[str, str]:
    first, slash, rest = name.partition("/")
    if not slash:
        return DOCKER_HUB, name
    if "." in first or ":" in first or first == "localhost" or first.lower() != first:
        return first, rest
    return DOCKER_HUB, name


def registry_host(reference: str) -> str:
    """The registry host (with port) of a reference: `docker.io` for Docker Hub."""
    return normalize_reference(reference).split("/", 1)[0]


def repository_of(reference: str) -> str:
    """The repository of a reference, without tag or digest: `docker.io/library/nginx`."""
    normalised = normalize_reference(reference)
    name = normalised.partition("@")[0]
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > last_slash else name


def normalize_server(server: str) -> str:
    """Normalise a credential's `Server` so it compares with a registry host.

    `https://index.docker.io/v1/`, `index.docker.io` and `docker.io` are all
    Docker Hub; a scheme, a trailing slash and an API path are dropped.
    """
    value = server.strip()
    for scheme in ("https://", "http://"):
        if value.lower().startswith(scheme):
            value = value[len(scheme) :]
    host = value.split("/", 1)[0].lower()
    return DOCKER_HUB if host in _DOCKER_HUB_ALIASES else host


# --- values --------------------------------------------------------------------------------


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
        text = "\n".join(layer.digest for layer in self.layers)
        return "sha256:" + hashlib.sha256(f"vk-eci manifest\n{text}".encode()).hexdigest()

    @property
    def repository(self) -> str:
        return repository_of(self.reference)


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


# --- catalog files ---------------------------------------------------------------------------


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


class CatalogDocument(TypedDict):
    images: list[ImageDocument]
    registries: NotRequired[list[RegistryAccountDocument]]
    """Accounts of private registries (server, username, password)."""


UNCOMPRESSED_FACTOR = 2.0
"""Uncompressed size when a file gives none: about twice compressed (images.json facts)."""


def _number(value: object, *, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise CatalogFileError(f"{where}: expected a size in MB (a number >= 0), got {value!r}")
    return float(value)


def _image_from_document(doc: Mapping[str, Any], *, where: str) -> Image:
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
            if not _DIGEST.fullmatch(digest):
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


# --- the catalog ---------------------------------------------------------------------------


class Catalog:
    """Images by reference, layers by digest, and the accounts of private registries."""

    def __init__(self) -> None:
        self._images: dict[ImageReference, Image] = {}
        self._layers: dict[LayerDigest, Layer] = {}
        self._accounts: dict[str, RegistryCredential] = {}

    # building

    @classmethod
    def builtin(cls) -> Catalog:
        """The catalog shipped in the package (`simulator/data/catalog.json`)."""
        catalog = cls()
        text = resources.files("simulator.data").joinpath("catalog.json").read_text("utf-8")
        catalog.add_document(json.loads(text), source="built-in catalog")
        return catalog

    @classmethod
    def load(cls, paths: Iterable[Path], *, include_builtin: bool = True) -> Catalog:
        """The built-in catalog (unless told not to) plus every file in `paths`, in order."""
        catalog = cls.builtin() if include_builtin else cls()
        for path in paths:
            try:
                document = json.loads(Path(path).read_text("utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise CatalogFileError(f"{path}: cannot read the catalog: {exc}") from exc
            catalog.add_document(document, source=str(path))
        return catalog

    def add_document(self, document: Mapping[str, Any], *, source: str = "catalog") -> None:
        """Add the registries and images of one catalog document (the file format).

        All or nothing: when any entry is wrong, the catalog is left as it was.
        """
        staged = Catalog()
        staged._images = dict(self._images)
        staged._layers = dict(self._layers)
        staged._accounts = dict(self._accounts)
        staged._add_document(document, source=source)
        self._images, self._layers, self._accounts = (
            staged._images,
            staged._layers,
            staged._accounts,
        )

    def _add_document(self, document: Mapping[str, Any], *, source: str) -> None:
        if not isinstance(document, Mapping) or not isinstance(document.get("images"), list):
            raise CatalogFileError(f'{source}: expected an object with an "images" list')
        registries = document.get("registries", [])
        if not isinstance(registries, list):
            raise CatalogFileError(f'{source}: "registries" must be a list')
        for index, account in enumerate(registries):
            fields = ("server", "username", "password")
            if not isinstance(account, Mapping) or not all(
                isinstance(account.get(name), str) for name in fields
            ):
                raise CatalogFileError(
                    f"{source}: registries[{index}] needs server, username and password strings"
                )
            self.add_registry_account(
                RegistryCredential(
                    server=account["server"],
                    username=account["username"],
                    password=account["password"],
                )
            )
        for index, entry in enumerate(document["images"]):
            image = _image_from_document(entry, where=f"{source}: images[{index}]")
            try:
                self.add(image)
            except CatalogFileError as exc:
                raise CatalogFileError(f"{source}: images[{index}]: {exc}") from exc

    def add_registry_account(self, credential: RegistryCredential) -> None:
        """Make `credential.server` a private registry accepting that one account."""
        self._accounts[normalize_server(credential.server)] = credential

    def add(self, image: Image) -> None:
        """Add (or replace) an image and its aliases.

        A layer digest already known must keep its sizes: one digest is one
        content everywhere. A private image needs its registry's account first.
        """
        for layer in image.layers:
            known = self._layers.get(layer.digest)
            if known is not None and known != layer:
                raise CatalogFileError(
                    f"layer {layer.digest} of {image.reference} is already known with other "
                    f"sizes ({known.compressed_bytes} / {known.uncompressed_bytes} bytes)"
                )
        private = image.private_server
        if private is not None and normalize_server(private) not in self._accounts:
            raise CatalogFileError(
                f"{image.reference} is private but registry {image.private_server} "
                'has no account: add one under "registries"'
            )
        for layer in image.layers:
            self._layers[layer.digest] = layer
        self._images[image.reference] = image
        for alias in image.aliases:
            self._images[alias] = image

    # reading

    def __contains__(self, reference: object) -> bool:
        if not isinstance(reference, str):
            return False
        try:
            normalised = normalize_reference(reference)
        except InvalidImageReference:
            return False
        name, _, digest = normalised.partition("@")
        return self._find(name=name, digest=digest) is not None

    def images(self) -> list[Image]:
        """Every distinct image (aliases not repeated), by reference."""
        unique = {image.reference: image for image in self._images.values()}
        return [unique[reference] for reference in sorted(unique)]

    def layer(self, digest: str) -> Layer:
        return self._layers[LayerDigest(digest)]

    @property
    def pause_image(self) -> Image:
        """The sandbox image every instance and cache build pulls."""
        return self._images[PAUSE_IMAGE_REFERENCE]

    def is_private_registry(self, server: str) -> bool:
        return normalize_server(server) in self._accounts

    def resolve(self, reference: str, credentials: Sequence[RegistryCredential] = ()) -> Image:
        """What pulling `reference` with `credentials` gets, or why it fails.

        Raises `InvalidImageReference`, `RegistryUnauthorized` (private image
        or private registry without the right credential; a private registry
        answers that before saying whether the image exists), or
        `ManifestUnknown`.
        """
        normalised = normalize_reference(reference)
        host = normalised.split("/", 1)[0]
        name, _, digest = normalised.partition("@")
        image = self._find(name=name, digest=digest)
        if image is not None and image.private_server is not None:
            self._authorise(reference=normalised, server=image.private_server, given=credentials)
        elif self.is_private_registry(host):
            self._authorise(reference=normalised, server=host, given=credentials)
        if image is None:
            raise ManifestUnknown(f'failed to resolve reference "{normalised}": manifest unknown')
        return image

    def _find(self, *, name: str, digest: str) -> Image | None:
        if not digest:
            return self._images.get(ImageReference(name))
        repository = repository_of(name)
        for image in self._images.values():
            if image.manifest_digest == digest and image.repository == repository:
                return image
        return None

    def _authorise(
        self, *, reference: str, server: str, given: Sequence[RegistryCredential]
    ) -> None:
        account = self._accounts[normalize_server(server)]
        offered = [credential for credential in given if credential.matches_server(server)]
        if not offered:
            raise RegistryUnauthorized(
                f'failed to pull "{reference}": unauthorized: authentication required '
                f'(no credential for server "{account.server}")'
            )
        if not any(
            credential.username == account.username and credential.password == account.password
            for credential in offered
        ):
            raise RegistryUnauthorized(
                f'failed to pull "{reference}": unauthorized: incorrect username or password '
                f'for server "{account.server}"'
            )
