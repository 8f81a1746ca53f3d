"""The emulated image registry: which images exist, their layers, who may pull them.

A `Catalog` answers one question the way a registry would: given an image
reference and the credentials an instance was created with, which image (and
which layers) does a pull get, or why does it fail (`manifest unknown`,
unauthorised, invalid reference). References normalise the Docker way
(`nginx` is `docker.io/library/nginx:latest`, see `simulator.registry.references`);
images and layers are the values of `simulator.registry.images`.

The built-in catalog ships in the package (`simulator/data/catalog.json`,
made from the facts in the team's `images.json`); more images come from files
(format: `simulator.registry.catalogfiles`) or `Catalog.add`.

The registry is *open* by default: a public reference the catalog does not
list still pulls, from a deterministic synthesized manifest
(`simulator.registry.synthesis`). `manifest unknown` stays reachable: a
*strict* catalog (`open_registry=False`, `--registry strict`) knows only its
listed images, and references marked missing (`mark_missing`, a catalog
file's `missing` list) never resolve, listed or not. Private registries
(hosts with an account) answer unauthorised first, open or strict.

ACR Enterprise instances (`add_acr_instance`, a catalog file's `acr_instances`) are
private registries on each of their domains, with the rule of
`simulator.registry.acr`: a pull from a default domain needs no credential (ECI's own
token), a pull from a custom domain needs the instance's account, given as a credential
or as the token `acr_tokens` makes for an instance the request names.

This module reads catalog JSON files and nothing else: no store, no HTTP.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from simulator.errors import EciError
from simulator.registry.acr import AcrInstance, AcrRegistryInfo, acr_tokens
from simulator.registry.catalogfiles import (
    CatalogFileError,
    acr_instances_from_document,
    image_from_document,
    missing_from_document,
    registry_accounts_from_document,
)
from simulator.registry.images import (
    PAUSE_IMAGE_REFERENCE,
    Image,
    Layer,
    LayerDigest,
    RegistryCredential,
)
from simulator.registry.references import (
    ImageReference,
    InvalidImageReference,
    normalize_reference,
    normalize_server,
    repository_of,
)
from simulator.registry.synthesis import synthesize

__all__ = [
    "Catalog",
    "ImagePullError",
    "ManifestUnknown",
    "RegistryUnauthorized",
]


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


# --- the catalog ---------------------------------------------------------------------------


class Catalog:
    """Images by reference, layers by digest, and the accounts of private registries."""

    def __init__(self, *, open_registry: bool = True) -> None:
        self._images: dict[ImageReference, Image] = {}
        self._layers: dict[LayerDigest, Layer] = {}
        self._accounts: dict[str, RegistryCredential] = {}
        self._missing: set[ImageReference] = set()
        self._acr_domains: dict[str, AcrInstance] = {}
        self.open_registry = open_registry
        """True: references the catalog does not list pull from a synthesized manifest."""

    # building

    @classmethod
    def builtin(cls, *, open_registry: bool = True) -> Catalog:
        """The catalog shipped in the package (`simulator/data/catalog.json`)."""
        catalog = cls(open_registry=open_registry)
        text = resources.files("simulator.data").joinpath("catalog.json").read_text("utf-8")
        catalog.add_document(json.loads(text), source="built-in catalog")
        return catalog

    @classmethod
    def load(
        cls, paths: Iterable[Path], *, include_builtin: bool = True, open_registry: bool = True
    ) -> Catalog:
        """The built-in catalog (unless told not to) plus every file in `paths`, in order."""
        catalog = (
            cls.builtin(open_registry=open_registry)
            if include_builtin
            else cls(open_registry=open_registry)
        )
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
        staged = Catalog(open_registry=self.open_registry)
        staged._images = dict(self._images)
        staged._layers = dict(self._layers)
        staged._accounts = dict(self._accounts)
        staged._missing = set(self._missing)
        staged._acr_domains = dict(self._acr_domains)
        staged._add_document(document, source=source)
        self._images, self._layers, self._accounts, self._missing = (
            staged._images,
            staged._layers,
            staged._accounts,
            staged._missing,
        )
        self._acr_domains = staged._acr_domains

    def _add_document(self, document: Mapping[str, Any], *, source: str) -> None:
        if not isinstance(document, Mapping) or not (
            isinstance(document.get("images"), list) or "missing" in document
        ):
            raise CatalogFileError(
                f'{source}: expected an object with an "images" list (or a "missing" list)'
            )
        for account in registry_accounts_from_document(document, source=source):
            self.add_registry_account(account)
        for instance in acr_instances_from_document(document, source=source):
            try:
                self.add_acr_instance(instance)
            except CatalogFileError as exc:
                raise CatalogFileError(f"{source}: {exc}") from exc
        for reference in missing_from_document(document, source=source):
            self.mark_missing(reference)
        for index, entry in enumerate(document.get("images", [])):
            image = image_from_document(entry, where=f"{source}: images[{index}]")
            try:
                self.add(image)
            except CatalogFileError as exc:
                raise CatalogFileError(f"{source}: images[{index}]: {exc}") from exc

    def add_registry_account(self, credential: RegistryCredential) -> None:
        """Make `credential.server` a private registry accepting that one account."""
        self._accounts[normalize_server(credential.server)] = credential

    def add_acr_instance(self, instance: AcrInstance) -> None:
        """Make every domain of `instance` a private registry of it (its account accepted)."""
        for domain in instance.domains:
            owner = self._acr_domains.get(domain)
            if owner is not None and owner.instance_id != instance.instance_id:
                raise CatalogFileError(
                    f"ACR domain {domain} of {instance.instance_id} is already "
                    f"{owner.instance_id}'s"
                )
        for domain in instance.domains:
            self._acr_domains[domain] = instance
            self._accounts[domain] = instance.account_for(domain)

    def acr_instances(self) -> list[AcrInstance]:
        """Every ACR Enterprise instance, by id."""
        unique = {instance.instance_id: instance for instance in self._acr_domains.values()}
        return [unique[instance_id] for instance_id in sorted(unique)]

    def acr_tokens(
        self, named: Sequence[AcrRegistryInfo], *, region_id: str
    ) -> list[RegistryCredential]:
        """The credentials ECI pulls with for the instances a request names (`AcrRegistryInfo`)."""
        return acr_tokens(self.acr_instances(), named, region_id=region_id)

    def mark_missing(self, reference: str) -> ImageReference:
        """Make pulls of `reference` fail with `manifest unknown`, listed in the catalog or not."""
        normalised = normalize_reference(reference)
        self._missing.add(normalised)
        return normalised

    @property
    def missing(self) -> frozenset[ImageReference]:
        """References marked missing."""
        return frozenset(self._missing)

    def add(self, image: Image) -> None:
        """Add (or replace) an image and its aliases.

        A layer digest already known must keep its sizes: one digest is one
        content everywhere. A private image needs its registry's account first. An
        image on a domain of an ACR instance is served on all the instance's domains.
        """
        image = self._on_every_acr_domain(image)
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

    def _on_every_acr_domain(self, image: Image) -> Image:
        extra: list[ImageReference] = []
        for reference in (image.reference, *image.aliases):
            host, _, path = reference.partition("/")
            instance = self._acr_domains.get(host)
            if instance is not None:
                extra.extend(ImageReference(f"{domain}/{path}") for domain in instance.domains)
        aliases = [r for r in dict.fromkeys([*image.aliases, *extra]) if r != image.reference]
        return dataclasses.replace(image, aliases=tuple(aliases))

    # reading

    def __contains__(self, reference: object) -> bool:
        if not isinstance(reference, str):
            return False
        try:
            normalised = normalize_reference(reference)
        except InvalidImageReference:
            return False
        if normalised in self._missing:
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

    def synthesizes(self, reference: str) -> bool:
        """Whether a pull of `reference` gets a synthesized manifest (open, public, unlisted)."""
        try:
            normalised = normalize_reference(reference)
        except InvalidImageReference:
            return False
        host = normalised.split("/", 1)[0]
        return (
            self.open_registry
            and normalised not in self._missing
            and not self.is_private_registry(host)
            and normalised not in self
        )

    def is_private_registry(self, server: str) -> bool:
        return normalize_server(server) in self._accounts

    def resolve(self, reference: str, credentials: Sequence[RegistryCredential] = ()) -> Image:
        """What pulling `reference` with `credentials` gets, or why it fails.

        Raises `InvalidImageReference`, `RegistryUnauthorized` (private image
        or private registry without the right credential; a private registry
        answers that before saying whether the image exists; an ACR instance's
        default domains need none), or
        `ManifestUnknown` (marked missing; not listed in a strict catalog or
        on a private registry). A public reference the catalog does not list
        resolves to its synthesized image (`Image.synthesized`) when the
        registry is open.
        """
        normalised = normalize_reference(reference)
        host = normalised.split("/", 1)[0]
        name, _, digest = normalised.partition("@")
        image = self._find(name=name, digest=digest)
        private_host = self.is_private_registry(host)
        acr = self._acr_domains.get(host)
        if acr is not None:
            public = image is not None and image.private_server is None
            if host not in acr.default_domains and not public:
                self._authorise(reference=normalised, server=host, given=credentials)
        elif image is not None and image.private_server is not None:
            self._authorise(reference=normalised, server=image.private_server, given=credentials)
        elif private_host:
            self._authorise(reference=normalised, server=host, given=credentials)
        unknown = ManifestUnknown(f'failed to resolve reference "{normalised}": manifest unknown')
        if normalised in self._missing:
            raise unknown
        if image is None:
            if not self.open_registry or private_host:
                raise unknown
            image = synthesize(normalised)
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
