"""One parsed parameter map per request, read within size limits, each key once.

Why this module exists: the signature verifier and the handler must read the
very same parameters. When the verifier canonicalised one value of a repeated
key and the handler read another, a signed request could be altered by
appending `&ContainerGroupName=smuggled` after signing. Here the query and the
form body are parsed once; a key that appears twice (in the query, in the
body, or in both) is refused with `InvalidParameter` naming it, before any
signature scheme looks at the request, so every scheme (ACS3 today, the older
RPC v1 signature too) inherits the check and verifies exactly the map the
handler reads.

Limits: ECI's API reference and error centre publish none for the OpenAPI
endpoint. The only published Alibaba Cloud figures are those of the API
Gateway product (https://www.alibabacloud.com/help/en/api-gateway/traditional-api-gateway/product-overview/limits:
8 KB of URL plus headers, 8 MB of body), which do not apply here: the ECI
SDK itself sends longer query strings. So these are the simulator's own,
chosen so that everything the official SDK sends for a large but valid Pod
fits, and documented in `RequestLimits`:

* request target (path and query, as sent): 64 KiB, else `414`
  `RequestURITooLong` (up to aiohttp's line ceiling, 8 MiB). The SDK puts
  every parameter in the query string, so a Pod with 100 environment
  variables of 100 characters (about 18 KB) must pass; aiohttp's own default
  (8190 bytes) answered it with a plain-text 400.
* body: 4 MiB, else `413` `RequestEntityTooLarge`, refused from
  `Content-Length` before reading when the client declares it.
* a non-empty body must be `application/x-www-form-urlencoded` UTF-8 text,
  else `415` `UnsupportedMediaType` or `400` `InvalidParameter` (also for a
  body its `Content-Encoding` cannot decode; a compressed body counts at its
  decompressed size).
* at most 10,000 parameters and 255 characters per parameter name.

What aiohttp's HTTP parser refuses before any handler runs gets aiohttp's own
plain-text 400 and a closed connection: a request line over 8 MiB, a header
line over 64 KiB, malformed HTTP, a `Content-Encoding` it cannot decode at
all (`br` without the Brotli package). Those are not ECI requests any more.

It never logs and never looks at signatures: it only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from aiohttp import web

from simulator.api.errors import (
    RequestEntityTooLarge,
    RequestURITooLong,
    UnsupportedMediaType,
)
from simulator.errors import InvalidParameter

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_ENCODINGS = frozenset({"", "identity", "gzip", "deflate"})
"""Content-Encodings of a request body that aiohttp decodes here (others pass through raw)."""


@dataclass(frozen=True)
class RequestLimits:
    """How much of a request the ECI edge reads before refusing it."""

    max_target_bytes: int = 64 * 1024
    """Request target (path plus query string, as sent), in bytes; default 64 KiB."""
    max_body_bytes: int = 4 * 1024 * 1024
    """Request body, in bytes; default 4 MiB."""
    max_parameters: int = 10_000
    """Parameters in query and body together; default 10,000."""
    max_name_length: int = 255
    """Characters of one parameter name; default 255."""

    parser_line_bytes: int = 8 * 1024 * 1024
    """aiohttp's request-line ceiling, in bytes; default 8 MiB. Far above the target limit,
    so that the edge (not aiohttp's plain-text 400) refuses every target a Kubernetes Pod
    can produce with an ECI error body: an object is at most 1.5 MiB in etcd, and
    flattening plus percent-encoding grows it by far less than 5 times."""
    parser_field_bytes: int = 64 * 1024
    """aiohttp's header-line ceiling, in bytes; default 64 KiB (aiohttp's own is 8190): a
    long `x-acs-action` or `Authorization` still reaches the edge and gets an ECI body."""


@dataclass(frozen=True)
class RequestParameters:
    """What a request carries, parsed once."""

    query: dict[str, str]
    """The query parameters, each key once: what the ACS3 signature covers."""
    pairs: list[tuple[str, str]]
    """Query then form-body parameters, each key once: what the handler reads."""
    payload: bytes
    """The raw body, for the payload hash."""


async def read_parameters(request: web.Request, *, limits: RequestLimits) -> RequestParameters:
    """Read and parse `request`, or raise the ECI error for what is wrong with it."""
    target = request.raw_path
    if len(target) > limits.max_target_bytes:
        raise RequestURITooLong(
            f"The request URL is {len(target)} bytes; at most {limits.max_target_bytes} are"
            " accepted. Send fewer or shorter parameters."
        )
    payload = await _read_body(request, limits=limits)
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    query: dict[str, str] = {}
    for name, value in request.query.items():
        _add(name, value, pairs=pairs, seen=seen, limits=limits)
        query[name] = value
    if payload:
        for name, value in _form_pairs(request, payload, limits=limits):
            _add(name, value, pairs=pairs, seen=seen, limits=limits)
    return RequestParameters(query=query, pairs=pairs, payload=payload)


async def _read_body(request: web.Request, *, limits: RequestLimits) -> bytes:
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in _ENCODINGS:
        raise UnsupportedMediaType(
            f"Content-Encoding {encoding[:64]!r} is not supported; send the body as is"
            " (or gzip, deflate)."
        )
    declared = request.content_length
    if declared is not None and declared > limits.max_body_bytes:
        raise _body_too_large(declared, limits)
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise _body_too_large(None, limits) from None
    except web.RequestPayloadError as exc:  # e.g. a Content-Encoding the body does not match
        reason = str(exc).partition("message:")[2].strip() or "malformed"
        raise InvalidParameter(f"The request body cannot be read: {reason}.") from None


def _body_too_large(size: int | None, limits: RequestLimits) -> RequestEntityTooLarge:
    told = f"{size} bytes" if size is not None else "larger than the limit"
    return RequestEntityTooLarge(
        f"The request body is {told}; at most {limits.max_body_bytes} bytes are accepted."
    )


def _form_pairs(
    request: web.Request, payload: bytes, *, limits: RequestLimits
) -> list[tuple[str, str]]:
    if request.content_type != FORM_CONTENT_TYPE:
        raise UnsupportedMediaType(
            f"A request body of type {request.content_type!r} is not supported; send"
            f" parameters in the query string or as {FORM_CONTENT_TYPE}."
        )
    try:
        form = payload.decode()
    except UnicodeDecodeError:
        raise InvalidParameter("The form body is not UTF-8 text.") from None
    try:
        return parse_qsl(form, keep_blank_values=True, max_num_fields=limits.max_parameters)
    except ValueError:
        raise _too_many(limits) from None


def _add(
    name: str,
    value: str,
    *,
    pairs: list[tuple[str, str]],
    seen: set[str],
    limits: RequestLimits,
) -> None:
    if not name:
        raise InvalidParameter("A parameter has an empty name.")
    if len(name) > limits.max_name_length:
        raise InvalidParameter(
            f"{name[:64]}...: the parameter name is {len(name)} characters; at most"
            f" {limits.max_name_length} are accepted."
        )
    if name in seen:
        raise InvalidParameter(
            f"{name}: the parameter is given more than once; each parameter may appear once"
            " (query string and form body together)."
        )
    if len(pairs) >= limits.max_parameters:
        raise _too_many(limits)
    seen.add(name)
    pairs.append((name, value))


def _too_many(limits: RequestLimits) -> InvalidParameter:
    return InvalidParameter(
        f"The request has more than {limits.max_parameters} parameters; at most"
        f" {limits.max_parameters} are accepted."
    )
