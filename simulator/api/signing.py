"""Verification of ACS3-HMAC-SHA256 request signatures, as the official SDK signs them.

The canonical request (method, path, canonical query, canonical headers,
signed header names, payload hash) is rebuilt with the canonicalisation
helpers of `alibabacloud_openapi_util`, the same code the SDK family signs
with, so the two sides cannot drift apart. The HMAC key of each AccessKey is
prepared once and copied per request. Secrets never leave this module: no
error message, log field or repr carries one.

This module checks identity, freshness and integrity only; replay protection
needs shared state and lives with the service (`remember_nonce`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from alibabacloud_openapi_util.client import (
    get_canonical_query_string,
    get_canonicalized_headers,
)

from simulator.api.errors import (
    IncompleteSignature,
    InvalidAccessKeyIdNotFound,
    InvalidTimeStampExpired,
    InvalidTimeStampFormat,
    SignatureDoesNotMatch,
)
from simulator.settings import Credential

ALGORITHM = "ACS3-HMAC-SHA256"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
REQUIRED_SIGNED_HEADERS = frozenset(
    {
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    }
)
"""Headers a signature must cover: without them a request could be altered or replayed."""


@dataclass(frozen=True)
class VerifiedCaller:
    """Who signed a request, and the nonce that makes it unique."""

    access_key_id: str
    nonce: str
    signed_at: datetime
    received_at: datetime
    """The server's wall-clock time when the signature was checked."""


@dataclass(frozen=True)
class _Authorization:
    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def wall_clock() -> datetime:
    """Real UTC time: signatures are dated by the caller's real clock, never simulated time."""
    return datetime.now(UTC)


class SignatureVerifier:
    """Checks each request's AccessKey, date, payload hash and signature."""

    def __init__(
        self,
        *,
        credentials: Iterable[Credential],
        max_clock_skew_seconds: float,
        now: Callable[[], datetime] = wall_clock,
    ) -> None:
        self._keys: dict[str, hmac.HMAC] = {
            credential.access_key_id: hmac.new(
                credential.access_key_secret.encode(), digestmod=hashlib.sha256
            )
            for credential in credentials
        }
        self._max_skew = max_clock_skew_seconds
        self._now = now
        self._last_date: tuple[str, datetime] = ("", datetime.min.replace(tzinfo=UTC))

    def verify(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        payload: bytes,
    ) -> VerifiedCaller:
        """Return the caller, or raise the ECI error a real gateway would answer with."""
        authorization = _parse_authorization(headers.get("Authorization"))
        key = self._keys.get(authorization.access_key_id)
        if key is None:
            raise InvalidAccessKeyIdNotFound(
                f"The AccessKey ID {authorization.access_key_id!r} does not exist."
            )
        received_at = self._now()
        signed_at = self._check_date(headers.get("x-acs-date"), received_at=received_at)
        nonce = headers.get("x-acs-signature-nonce") or ""
        if not nonce:
            raise IncompleteSignature("The header x-acs-signature-nonce is required.")
        payload_hash = hashlib.sha256(payload).hexdigest()
        if not hmac.compare_digest(headers.get("x-acs-content-sha256", ""), payload_hash):
            raise SignatureDoesNotMatch(
                "The x-acs-content-sha256 header does not match the SHA-256 of the request body."
            )
        signed: dict[str, str] = {}
        for name in authorization.signed_headers:
            value = headers.get(name)
            if value is None:
                raise IncompleteSignature(f"The signed header {name!r} is not in the request.")
            signed[name] = value
        canonical_headers, signed_names = get_canonicalized_headers(signed)
        canonical_request = "\n".join(
            (
                method,
                path or "/",
                get_canonical_query_string(dict(query)),
                canonical_headers,
                signed_names,
                payload_hash,
            )
        )
        string_to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
        mac = key.copy()
        mac.update(string_to_sign.encode())
        if not hmac.compare_digest(mac.hexdigest(), authorization.signature):
            raise SignatureDoesNotMatch(
                "The request signature does not match the one the server calculated; check"
                f" your AccessKey secret and signing. Canonical request: {canonical_request!r}"
            )
        return VerifiedCaller(
            access_key_id=authorization.access_key_id,
            nonce=nonce,
            signed_at=signed_at,
            received_at=received_at,
        )

    def _check_date(self, value: str | None, *, received_at: datetime) -> datetime:
        if not value:
            raise InvalidTimeStampFormat("The header x-acs-date is required.")
        last_text, signed_at = self._last_date
        if value != last_text:  # calls arriving in the same second share one parse
            try:
                signed_at = datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC)
            except ValueError as exc:
                raise InvalidTimeStampFormat(
                    f"x-acs-date {value!r} is not in the format YYYY-MM-DDThh:mm:ssZ."
                ) from exc
            self._last_date = (value, signed_at)
        skew = abs((received_at - signed_at).total_seconds())
        if skew > self._max_skew:
            raise InvalidTimeStampExpired(
                f"x-acs-date {value} is {skew:.0f} s away from the server's time;"
                f" at most {self._max_skew:.0f} s is accepted."
            )
        return signed_at


def _parse_authorization(value: str | None) -> _Authorization:
    if not value:
        raise IncompleteSignature("The Authorization header is required.")
    algorithm, _, rest = value.partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignature(
            f"Signature algorithm {algorithm!r} is not supported; use {ALGORITHM}."
        )
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, field_value = part.strip().partition("=")
        if sep:
            fields[name] = field_value
    try:
        access_key_id = fields["Credential"]
        signed_headers = tuple(fields["SignedHeaders"].split(";"))
        signature = fields["Signature"]
    except KeyError as exc:
        raise IncompleteSignature(
            f"The Authorization header lacks {exc.args[0]}=; expected"
            " Credential=...,SignedHeaders=...,Signature=..."
        ) from exc
    missing = REQUIRED_SIGNED_HEADERS.difference(signed_headers)
    if missing:
        raise IncompleteSignature(f"SignedHeaders must include {', '.join(sorted(missing))}.")
    return _Authorization(
        access_key_id=access_key_id, signed_headers=signed_headers, signature=signature
    )
