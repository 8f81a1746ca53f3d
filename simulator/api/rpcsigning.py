"""Verification of RPC signature version 1.0 (HMAC-SHA1), the scheme older ECI tooling signs with.

`aliyun-python-sdk-core` (and so `aliyun-python-sdk-eci`), the `aliyun` CLI,
much Go tooling and `alibabacloud_tea_openapi` with `signature_algorithm="v2"`
sign every call this way: the common parameters `AccessKeyId`,
`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, `SignatureNonce`,
`Timestamp`, `Action`, `Version` and `Format` go into the query string (or
the form body) next to the operation's own parameters, and `Signature` is
the base64 HMAC-SHA1, keyed by `secret + "&"`, of
`METHOD&%2F&percent-encoded(sorted query and form parameters)`.

The HMAC is recomputed with `alibabacloud_openapi_util`'s own RPC signing
helper, the code the SDK family signs with, so the two sides cannot drift
apart. Refusals are those of the ACS3 path (`signing.py`), with the same
codes: unknown AccessKey, a `Timestamp` more than the allowed skew away, a
wrong signature (its message carries the server's string to sign, as ECI's
does, which lets `aliyun-python-sdk-core` tell a wrong secret apart), and
missing common parameters named in one `MissingParameter`. Secrets never
leave this module. Replay protection (the nonce) is the caller's, through the
same shared nonce store as the ACS3 path.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from alibabacloud_openapi_util.client import Client as OpenApiUtil

from simulator.api.errors import (
    InvalidAccessKeyIdNotFound,
    InvalidTimeStampExpired,
    InvalidTimeStampFormat,
    SignatureDoesNotMatch,
)
from simulator.api.signing import VerifiedCaller, wall_clock
from simulator.errors import InvalidParameter, MissingParameter
from simulator.settings import Credential

SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"
TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")
"""ISO 8601 in UTC, as the SDKs write it; some tools add milliseconds."""

REQUIRED_PARAMETERS = (
    "Action",
    "Version",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
)
"""Common parameters a v1-signed request cannot be understood or checked without."""

SIGNATURE_PARAMETERS = (frozenset(REQUIRED_PARAMETERS) - {"Action", "Version"}) | {"SignatureType"}
"""Parameters that mark a request as signed the v1 way."""

COMMON_PARAMETERS = SIGNATURE_PARAMETERS | {"Action", "Version", "Format", "SecurityToken"}
"""The scheme's own parameters: never an operation's input."""


def is_rpc_signed(params: Mapping[str, str]) -> bool:
    """Whether a request without an Authorization header uses the v1 scheme."""
    return any(name in params for name in SIGNATURE_PARAMETERS)


_HIDDEN = re.compile(r"(password|secret)", re.IGNORECASE)
"""Parameters whose values the string to sign shows as `***`: a refusal is logged, and a
registry password must never reach a log line (the SDK then cannot tell a wrong secret
apart, and says SignatureDoesNotMatch, for such requests only)."""


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """The v1 string to sign, shown in `SignatureDoesNotMatch` as ECI shows it.

    Only the refusal path builds it: the verification itself runs through the
    SDK helper.
    """
    canonical = "&".join(
        f"{quote(name, safe='~')}={quote(_shown(name, params[name]), safe='~')}"
        for name in sorted(params)
    )
    return f"{method}&%2F&{quote(canonical, safe='~')}"


def _shown(name: str, value: str) -> str:
    return "***" if _HIDDEN.search(name.rpartition(".")[2]) else value


def check_complete(params: Mapping[str, str]) -> None:
    """Refuse a request that lacks common parameters, naming every one that is missing."""
    missing = [name for name in REQUIRED_PARAMETERS if not params.get(name)]
    if missing:
        raise MissingParameter(
            f"The input parameter(s) {', '.join(missing)} that are mandatory for a"
            " request signed with SignatureVersion 1.0 are not supplied."
        )


class RpcSignatureVerifier:
    """Checks a v1-signed request's AccessKey, Timestamp and HMAC-SHA1 signature."""

    def __init__(
        self,
        *,
        credentials: Iterable[Credential],
        max_clock_skew_seconds: float,
        now: Callable[[], datetime] = wall_clock,
    ) -> None:
        self._secrets: dict[str, str] = {
            credential.access_key_id: credential.access_key_secret for credential in credentials
        }
        self._max_skew = max_clock_skew_seconds
        self._now = now

    def __repr__(self) -> str:
        return f"RpcSignatureVerifier(access_keys={len(self._secrets)})"

    def verify(self, *, method: str, params: Mapping[str, str]) -> VerifiedCaller:
        """Return the caller, or raise the ECI error a real gateway would answer with.

        `params` holds every query and form parameter of the request (the
        signature covers both), `Signature` included.
        """
        check_complete(params)
        if params["SignatureMethod"] != SIGNATURE_METHOD:
            raise InvalidParameter(
                f"SignatureMethod {params['SignatureMethod']!r} is not supported;"
                f" expected {SIGNATURE_METHOD}."
            )
        if params["SignatureVersion"] != SIGNATURE_VERSION:
            raise InvalidParameter(
                f"SignatureVersion {params['SignatureVersion']!r} is not supported;"
                f" expected {SIGNATURE_VERSION}."
            )
        access_key_id = params["AccessKeyId"]
        secret = self._secrets.get(access_key_id)
        if secret is None:
            raise InvalidAccessKeyIdNotFound(f"The AccessKey ID {access_key_id!r} does not exist.")
        received_at = self._now()
        signed_at = self._check_timestamp(params["Timestamp"], received_at=received_at)
        signed = {name: value for name, value in params.items() if name != "Signature"}
        expected = OpenApiUtil.get_rpcsignature(signed, method, secret)
        if not hmac.compare_digest(expected.encode(), params["Signature"].encode()):
            raise SignatureDoesNotMatch(
                "Specified signature is not matched with our calculation. server string to"
                f" sign is:{string_to_sign(method, signed)}"
            )
        return VerifiedCaller(
            access_key_id=access_key_id,
            nonce=params["SignatureNonce"],
            signed_at=signed_at,
            received_at=received_at,
        )

    def _check_timestamp(self, value: str, *, received_at: datetime) -> datetime:
        signed_at: datetime | None = None
        for layout in TIMESTAMP_FORMATS:
            try:
                signed_at = datetime.strptime(value, layout).replace(tzinfo=UTC)
            except ValueError:
                continue
            break
        if signed_at is None:
            raise InvalidTimeStampFormat(
                f"Timestamp {value!r} is not in the format YYYY-MM-DDThh:mm:ssZ (UTC)."
            )
        skew = abs((received_at - signed_at).total_seconds())
        if skew > self._max_skew:
            raise InvalidTimeStampExpired(
                f"Timestamp {value} is {skew:.0f} s away from the server's time;"
                f" at most {self._max_skew:.0f} s is accepted."
            )
        return signed_at
