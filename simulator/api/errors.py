"""Errors of the API edge: the gateway-level failures ECI answers before any action runs.

Codes, messages and HTTP statuses are those Alibaba Cloud's OpenAPI gateway
(POP) documents as common client errors, so that the official SDK raises the
same `ClientException.code` against the simulator as against ECI. Nothing here
touches a request; the edge raises these and `responses.py` renders them.
"""

from __future__ import annotations

from simulator.errors import EciError


class IncompleteSignature(EciError):
    """The Authorization header is missing, malformed, or leaves a required header unsigned."""

    code = "IncompleteSignature"
    http_status = 400


class InvalidAccessKeyIdNotFound(EciError):
    """The AccessKey ID in the Authorization header is not one the simulator accepts."""

    code = "InvalidAccessKeyId.NotFound"
    http_status = 404


class SignatureDoesNotMatch(EciError):
    """The signature (or the payload hash it covers) differs from the one recomputed here."""

    code = "SignatureDoesNotMatch"
    http_status = 400


class InvalidTimeStampFormat(EciError):
    """`x-acs-date` is absent or not `YYYY-MM-DDThh:mm:ssZ`."""

    code = "InvalidTimeStamp.Format"
    http_status = 400


class InvalidTimeStampExpired(EciError):
    """`x-acs-date` is further from the simulator's wall clock than the allowed skew."""

    code = "InvalidTimeStamp.Expired"
    http_status = 400


class SignatureNonceUsed(EciError):
    """`x-acs-signature-nonce` was seen before: the request is a replay."""

    code = "SignatureNonceUsed"
    http_status = 400


class InvalidActionNotFound(EciError):
    """The `x-acs-action` is not an operation of ECI 2018-08-08."""

    code = "InvalidAction.NotFound"
    http_status = 404


class InvalidVersion(EciError):
    """`x-acs-version` is not 2018-08-08."""

    code = "InvalidVersion"
    http_status = 400


class UnsupportedHTTPMethod(EciError):
    """ECI's RPC endpoint answers GET and POST only."""

    code = "UnsupportedHTTPMethod"
    http_status = 403


class RequestURITooLong(EciError):
    """The request target (path and query) is longer than the edge reads (see `parameters`)."""

    code = "RequestURITooLong"
    http_status = 414


class RequestEntityTooLarge(EciError):
    """The request body is larger than the edge reads (see `parameters`)."""

    code = "RequestEntityTooLarge"
    http_status = 413


class UnsupportedMediaType(EciError):
    """A request body that is not `application/x-www-form-urlencoded`."""

    code = "UnsupportedMediaType"
    http_status = 415


class ThrottlingUser(EciError):
    """The caller exceeded the request rate (an injected throttle).

    `retry_after_seconds`, when known, goes out as the `x-acs-retry-after`
    header (milliseconds), which the SDK turns into `ThrottlingException.retry_after`.
    """

    code = "Throttling.User"
    http_status = 400

    def __init__(self, message: str, *, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
