"""Registry credentials out of a docker-config Secret: the one, strict parser.

Both users of image pull secrets read them here: a Pod's `imagePullSecrets`
(credentials for CreateContainerGroup) and an ImageCache's (for
CreateImageCache). The Secret must be of type `kubernetes.io/dockerconfigjson`
(`.dockerconfigjson`: `{"auths": {server: ...}}`) or `kubernetes.io/dockercfg`
(`.dockercfg`: `{server: ...}`), each server entry holding `username`/`password`
or `auth` (base64 of `user:password`). Anything else is an
`InvalidRegistrySecret` naming the field, the Secret and what was expected,
never a credential silently dropped. Passwords never appear in messages, logs
or reprs. Reading the Secret is the caller's business (each has its own
Kubernetes client and error classes).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DOCKERCONFIGJSON = "kubernetes.io/dockerconfigjson"
DOCKERCFG = "kubernetes.io/dockercfg"
_KEY_OF_TYPE = {DOCKERCONFIGJSON: ".dockerconfigjson", DOCKERCFG: ".dockercfg"}


@dataclass(frozen=True)
class RegistryCredential:
    """One registry login, as ECI takes it in `ImageRegistryCredential.N`."""

    server: str
    """Registry host (and port), without scheme or path."""
    username: str
    password: str = field(repr=False)


class InvalidRegistrySecret(ValueError):
    """The Secret cannot give registry credentials; `message` says where and why."""

    def __init__(self, *, field: str, detail: str) -> None:
        self.field = field
        """The referencing field, e.g. `spec.imagePullSecrets[0]`."""
        self.detail = detail
        """What is wrong, without the field."""
        self.message = f"{field}: {detail}"
        super().__init__(self.message)


def _server_host(server: str) -> str:
    """`https://index.docker.io/v1/` → `index.docker.io`; ECI wants the host without scheme."""
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", server.strip())
    return host.split("/", 1)[0]


def _credential(*, secret: str, field: str, server: str, entry: object) -> RegistryCredential:
    where = f"Secret {secret} entry for {server!r}"
    if not isinstance(entry, Mapping):
        raise InvalidRegistrySecret(field=field, detail=f"{where} is not an object")
    username = entry.get("username")
    password = entry.get("password")
    if not (isinstance(username, str) and username and isinstance(password, str)):
        auth = entry.get("auth")
        if not isinstance(auth, str) or not auth:
            raise InvalidRegistrySecret(
                field=field, detail=f"{where} has neither username/password nor auth"
            )
        try:
            decoded = base64.b64decode(auth, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidRegistrySecret(
                field=field, detail=f"{where}: auth is not base64"
            ) from None
        username, colon, password = decoded.partition(":")
        if not colon or not username:
            raise InvalidRegistrySecret(
                field=field, detail=f"{where}: auth does not decode to username:password"
            )
    host = _server_host(server)
    if not host:
        raise InvalidRegistrySecret(field=field, detail=f"{where}: empty registry server")
    return RegistryCredential(server=host, username=username, password=password)


def credentials_from_secret(
    *, secret: str, field: str, secret_type: str | None, data: Mapping[str, str] | None
) -> list[RegistryCredential]:
    """Registry credentials out of one Secret's `type` and base64 `data`.

    `secret` names it (`namespace/name`) and `field` is what referenced it, for messages.
    """
    key = _KEY_OF_TYPE.get(secret_type or "")
    if key is None:
        raise InvalidRegistrySecret(
            field=field,
            detail=f"Secret {secret} has type {secret_type or 'Opaque'!r}, "
            f"expected {DOCKERCONFIGJSON} or {DOCKERCFG}",
        )
    encoded = (data or {}).get(key)
    if not encoded:
        raise InvalidRegistrySecret(field=field, detail=f"Secret {secret} has no {key} key")
    try:
        document: Any = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise InvalidRegistrySecret(
            field=field, detail=f"Secret {secret} key {key} is not base64-encoded JSON"
        ) from None
    servers = (
        document.get("auths")
        if key == ".dockerconfigjson" and isinstance(document, dict)
        else document
    )
    if not isinstance(servers, dict) or not servers:
        expected = '{"auths": {server: {...}}}' if key == ".dockerconfigjson" else "{server: {...}}"
        raise InvalidRegistrySecret(
            field=field,
            detail=f"Secret {secret} key {key} holds no registries (expected {expected})",
        )
    return [
        _credential(secret=secret, field=field, server=str(server), entry=entry)
        for server, entry in servers.items()
    ]
