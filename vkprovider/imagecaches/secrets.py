"""Registry credentials for private images, read from the Secrets `imagePullSecrets` names.

An ImageCache is cluster scoped, so each entry says `namespace:secretName`. The Secret must be
of type `kubernetes.io/dockerconfigjson` (`.dockerconfigjson`: `{"auths": {server: ...}}`) or
`kubernetes.io/dockercfg`; its contents are parsed by `vkprovider.registrysecrets` (shared
with Pods' imagePullSecrets). Every problem becomes an `InvalidImageCache` naming the entry
and what was expected; passwords never appear in messages, logs or reprs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubernetes_asyncio import client as k8s
from kubernetes_asyncio.client.exceptions import ApiException

from vkprovider.imagecaches.errors import InvalidImageCache, RetryableProblem
from vkprovider.registrysecrets import (
    InvalidRegistrySecret,
    RegistryCredential,
)
from vkprovider.registrysecrets import (
    credentials_from_secret as parse_registry_secret,
)

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


def credentials_from_secret(
    ref: SecretRef, *, secret_type: str | None, data: Mapping[str, str] | None
) -> list[RegistryCredential]:
    """Registry credentials out of one Secret (`vkprovider.registrysecrets`), problems as
    `InvalidImageCache` so they become the cache's `phase: Failed` message."""
    try:
        return parse_registry_secret(
            secret=str(ref), field=ref.field, secret_type=secret_type, data=data
        )
    except InvalidRegistrySecret as exc:
        raise InvalidImageCache(exc.message, field=ref.field) from None


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
