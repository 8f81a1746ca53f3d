"""Docker image references: parsing, normalising and comparing them.

`nginx`, `docker.io/nginx` and `index.docker.io/library/nginx:latest` name
one image; everything that compares references (the catalog, cache matching,
credentials) normalises through here so they all agree. A bad reference gets
an `InvalidImageReference` naming the reference and what is wrong with it.

Pure string handling: no registry, no catalog, no I/O.
"""

from __future__ import annotations

import functools
import re
from typing import NewType

from simulator.errors import InvalidParameter

__all__ = [
    "DIGEST_PATTERN",
    "DOCKER_HUB",
    "ImageReference",
    "InvalidImageReference",
    "normalize_reference",
    "normalize_server",
    "registry_host",
    "repository_of",
]

ImageReference = NewType("ImageReference", str)
"""A normalised image reference: `docker.io/library/nginx:latest`."""


class InvalidImageReference(InvalidParameter):
    """The reference does not follow the Docker grammar; the message names it and why."""


DOCKER_HUB = "docker.io"
_DOCKER_HUB_ALIASES = frozenset(
    {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
)
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_DOMAIN_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*(?::[0-9]+)?")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
DIGEST_PATTERN = re.compile(r"(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})")
"""A content digest: `sha256:<64 hex>` (or sha384 / sha512)."""
_MAX_NAME_LENGTH = 255


def _invalid(reference: str, why: str) -> InvalidImageReference:
    return InvalidImageReference(f'invalid image reference "{reference}": {why}')


def normalize_reference(reference: str) -> ImageReference:
    """Normalise an image reference the way Docker does, or raise `InvalidImageReference`.

    Cached (a pure function of the text; a refusal is not cached but raised each time):
    every creation normalises each of its images, mostly the same few.

    * no registry host: `docker.io` (`index.docker.io` is the same registry);
    * a Docker Hub name without a namespace gets `library/`;
    * neither tag nor digest: `:latest`; a digest is kept (`@sha256:...`), with
      the tag too when both are given;
    * a registry host is the first component when it has a `.` or a `:` (a
      port) or is `localhost`.
    """
    if not isinstance(reference, str) or not reference:
        raise _invalid(str(reference), "it is empty")
    return _normalized(reference)


@functools.lru_cache(maxsize=4096)
def _normalized(reference: str) -> ImageReference:
    """`normalize_reference` of a non-empty text (cached; refusals raise every time)."""
    if reference != reference.strip() or any(ch.isspace() for ch in reference):
        raise _invalid(reference, "it contains whitespace")
    name_and_tag, at, digest = reference.partition("@")
    if at and not DIGEST_PATTERN.fullmatch(digest):
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
