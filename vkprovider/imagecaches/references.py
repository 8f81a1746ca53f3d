"""Image reference syntax, as Docker's distribution library defines it.

The CRD schema can only say "a string"; this module tells `busybox:latest` and
`registry.example.com:5000/team/app@sha256:...` (valid) from `Busybox`, `nginx:` or
`a//b` (not), with a message naming the part that is wrong. It never resolves a reference
(that is ECI's job) and never normalises it: ECI receives exactly what the user wrote.
"""

from __future__ import annotations

import re

from vkprovider.imagecaches.errors import InvalidImageCache

MAX_NAME_LENGTH = 255
"""Docker's limit on the repository name (domain and path, without tag or digest)."""

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_PATH_COMPONENT = re.compile(rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*")
_DOMAIN_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"(?:{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")


def _is_domain(component: str) -> bool:
    """Docker's rule: the first component is a registry if it looks like a host."""
    return (
        "." in component
        or ":" in component
        or component == "localhost"
        or (component.startswith("["))
    )


def validate_reference(reference: str, *, field: str) -> None:
    """Raise `InvalidImageCache` naming `field` unless `reference` is a valid image reference."""

    def bad(why: str) -> InvalidImageCache:
        return InvalidImageCache(
            f"{field}: invalid image reference {reference!r}: {why}", field=field
        )

    if not reference or reference != reference.strip():
        raise bad("empty or surrounded by whitespace")
    remainder, at, digest = reference.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        raise bad(f"digest {digest!r} is not algorithm:hex (e.g. sha256:<64 hex digits>)")
    name, tag = remainder, ""
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > last_slash:
        name, tag = remainder[:colon], remainder[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise bad(f"tag {tag!r} must be 1-128 of letters, digits, '_', '.', '-'")
    if not name:
        raise bad("no repository name")
    if len(name) > MAX_NAME_LENGTH:
        raise bad(f"repository name longer than {MAX_NAME_LENGTH} characters")
    components = name.split("/")
    if len(components) > 1 and _is_domain(components[0]):
        domain, path = components[0], components[1:]
        if not _DOMAIN.fullmatch(domain):
            raise bad(f"registry {domain!r} is not a host name with an optional port")
    else:
        path = components
    for component in path:
        if component != component.lower() and _PATH_COMPONENT.fullmatch(component.lower()):
            raise bad(f"repository name must be lowercase (got {component!r})")
        if not _PATH_COMPONENT.fullmatch(component):
            shown = component or "(empty)"
            raise bad(
                f"path component {shown!r} must be lowercase letters and digits, "
                "separated by '.', '_', '__' or '-'"
            )
