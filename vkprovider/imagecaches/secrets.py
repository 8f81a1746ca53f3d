"""Registry credentials for private images, read from the Secrets `imagePullSecrets` names.

An ImageCache is cluster scoped, so each entry says `namespace:secretName`. The Secret must be
of type `kubernetes.io/dockerconfigjson` (`.dockerconfigjson`: `{"auths": {server: ...}}`) or
`kubernetes.io/dockercfg` (`.dockercfg`: `{server: ...}`), each server entry holding
`username`/`password` or `auth` (base64 of `user:password`). Every problem becomes an
`InvalidImageCache` naming the entry and what was expected; passwords never appear in
messages, logs or reprs.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubernetes_asyncio import client as k8s
from kubernetes_asyncio.client.exceptions import ApiException

from vkprovider.imagecaches.errors import InvalidImageCache, RetryableProblem

DOCKERCONFIGJSON = "kubernetes.io/dockerconfigjson"
DOCKERCFG = "kubernetes.io/dockercfg"
_KEY_OF_TYPE = {DOCKERCONFIGJSON: ".dockerconfigjson", DOCKERCFG: ".dockercfg"}

_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_SECRET_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


@dataclass(frozen=True)
class SecretRef:
    """One `imagePullSecrets` entry, parsed."""

    namespace: str
    name: str
    field: str
    """Where it came from, e.g. `spec.imagePullSecrets[0]`, for messages."""

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class RegistryCredential:
    """What CreateImageCache takes as `ImageRegistryCredential.N`."""

    server: str
    username: str
    password: str = field(repr=False)


def parse_secret_ref(text: str, *, field: str) -> SecretRef:
    """`default:secret1` → SecretRef; anything else → InvalidImageCache naming `field`."""
    namespace, colon, name = text.partition(":")
    if not colon or ":" in name:
        raise InvalidImageCache(
            f"{field}: {text!r} is not namespace:secretName (e.g. default:my-registry)",
            field=field,
        )
    if len(namespace) > 63 or not _NAMESPACE.fullmatch(namespace):
        raise InvalidImageCache(
            f"{field}: namespace {namespace!r} in {text!r} is not a valid namespace name",
            field=field,
        )
    if len(name) > 253 or not _SECRET_NAME.fullmatch(name):
        raise InvalidImageCache(
            f"{field}: secret name {name!r} in {text!r} is not a valid Secret name", field=field
        )
    return SecretRef(namespace=namespace, name=name, field=field)


def _server_host(server: str) -> str:
    """`https://index.docker.io/v1/` → `index.docker.io`; ECI wants the host without scheme."""
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", server.strip())
    return host.split("/", 1)[0]


def _credential(ref: SecretRef, server: str, entry: object) -> RegistryCredential:
    where = f"{ref.field}: Secret {ref} entry for {server!r}"
    if not isinstance(entry, Mapping):
        raise InvalidImageCache(f"{where} is not an object", field=ref.field)
    username = entry.get("username")
    password = entry.get("password")
    if not (isinstance(username, str) and username and isinstance(password, str)):
        auth = entry.get("auth")
        if not isinstance(auth, str) or not auth:
            raise InvalidImageCache(
                f"{where} has neither username/password nor auth", field=ref.field
            )
        try:
            decoded = base64.b64decode(auth, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidImageCache(f"{where}: auth is not base64", field=ref.field) from None
        username, colon, password = decoded.partition(":")
        if not colon or not username:
            raise InvalidImageCache(
                f"{where}: auth does not decode to username:password", field=ref.field
            )
    host = _server_host(server)
    if not host:
        raise InvalidImageCache(f"{where}: empty registry server", field=ref.field)
    return RegistryCredential(server=host, username=username, password=password)


def credentials_from_secret(
    ref: SecretRef, *, secret_type: str | None, data: Mapping[str, str] | None
) -> list[RegistryCredential]:
    """Registry credentials out of one Secret's `type` and base64 `data`."""
    key = _KEY_OF_TYPE.get(secret_type or "")
    if key is None:
        raise InvalidImageCache(
            f"{ref.field}: Secret {ref} has type {secret_type or 'Opaque'!r}, "
            f"expected {DOCKERCONFIGJSON} or {DOCKERCFG}",
            field=ref.field,
        )
    encoded = (data or {}).get(key)
    if not encoded:
        raise InvalidImageCache(f"{ref.field}: Secret {ref} has no {key} key", field=ref.field)
    try:
        document: Any = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise InvalidImageCache(
            f"{ref.field}: Secret {ref} key {key} is not base64-encoded JSON", field=ref.field
        ) from None
    servers = (
        document.get("auths")
        if key == ".dockerconfigjson" and isinstance(document, dict)
        else document
    )
    if not isinstance(servers, dict) or not servers:
        expected = '{"auths": {server: {...}}}' if key == ".dockerconfigjson" else "{server: {...}}"
        raise InvalidImageCache(
            f"{ref.field}: Secret {ref} key {key} holds no registries (expected {expected})",
            field=ref.field,
        )
    return [_credential(ref, str(server), entry) for server, entry in servers.items()]


async def resolve_credentials(
    api: k8s.ApiClient, refs: Sequence[SecretRef], *, request_timeout: float
) -> list[RegistryCredential]:
    """Read every referenced Secret; a missing one is `InvalidImageCache`, a hiccup retryable."""
    core = k8s.CoreV1Api(api)
    credentials: list[RegistryCredential] = []
    for ref in refs:
        try:
            secret = await core.read_namespaced_secret(
                ref.name, ref.namespace, _request_timeout=request_timeout
            )
        except ApiException as exc:
            if exc.status == 404:
                raise InvalidImageCache(
                    f"{ref.field}: Secret {ref} not found", field=ref.field
                ) from None
            if exc.status == 403:
                raise InvalidImageCache(
                    f"{ref.field}: not allowed to read Secret {ref} (check the agent's RBAC)",
                    field=ref.field,
                ) from None
            raise RetryableProblem(f"reading Secret {ref}: HTTP {exc.status} {exc.reason}") from exc
        credentials.extend(credentials_from_secret(ref, secret_type=secret.type, data=secret.data))
    return credentials
