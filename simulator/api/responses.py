"""Response bodies as ECI writes them: JSON with a `RequestId`, errors with Code and Message.

An error body carries `RequestId`, `HostId`, `Code`, `Message` and
`Recommend`, with the HTTP status of the error; the official SDK reads
`Code` into `ClientException.code` (4xx) or `ServerException.code` (5xx).
"""

from __future__ import annotations

import math
import uuid
from typing import Any, TypedDict

from aiohttp import web

from simulator.api.errors import ThrottlingUser
from simulator.api.jsonwire import encode, encode_float_free
from simulator.errors import EciError
from simulator.operations.groupviews import FloatFreeList

JSON_CONTENT_TYPE = "application/json"


class ErrorBody(TypedDict):
    """ECI's error body."""

    RequestId: str
    HostId: str
    Code: str
    Message: str
    Recommend: str


def new_request_id() -> str:
    """A request id shaped like ECI's: an upper-case UUID."""
    return str(uuid.uuid4()).upper()


def error_body(error: EciError, *, request_id: str, host_id: str) -> ErrorBody:
    return ErrorBody(
        RequestId=request_id,
        HostId=host_id,
        Code=error.code,
        Message=error.message,
        Recommend=f"https://api.aliyun.com/troubleshoot?q={error.code}&product=Eci"
        f"&requestId={request_id}",
    )


def json_response(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=encode(body), status=status, content_type=JSON_CONTENT_TYPE, headers=headers
    )


_FLOAT_FREE_SCALARS = frozenset({str, int, bool, type(None)})
"""Exact types whose values orjson writes as the stdlib encoder does (`jsonwire`)."""
_FRAGMENTS: dict[int, tuple[tuple[Any, ...], bytes]] = {}
_MAX_FRAGMENTS = 64


def answer_response(request_id: str, body: dict[str, Any]) -> web.Response:
    """`{"RequestId": ..., **body}` as JSON, with tuple values encoded once and reused.

    An operation that answers from configuration (DescribeRegions: 25 regions, 5 KB)
    returns the same tuple on every call; encoding it again each time cost more than
    the rest of the call. A tuple is immutable, and the cache holds it, so its id cannot
    be reused while its bytes are cached. A `FloatFreeList` (items holding no float:
    DescribeContainerGroupStatus `Data`) is written by orjson (`jsonwire`), and so are
    the keys and the values that cannot be a float (strings, ints, bools, null: every
    value of CreateContainerGroup's answer).
    """
    parts = [b'{"RequestId":', encode_float_free(request_id)]
    for key, value in body.items():
        parts.append(b"," + encode_float_free(key) + b":")
        kind = type(value)
        if kind is tuple:
            parts.append(_fragment(value))
        elif kind is FloatFreeList or kind in _FLOAT_FREE_SCALARS:
            parts.append(encode_float_free(value))
        else:
            parts.append(encode(value))
    parts.append(b"}")
    return web.Response(body=b"".join(parts), content_type=JSON_CONTENT_TYPE)


def _fragment(value: tuple[Any, ...]) -> bytes:
    cached = _FRAGMENTS.get(id(value))
    if cached is not None and cached[0] is value:
        return cached[1]
    encoded = encode(value)
    if len(_FRAGMENTS) >= _MAX_FRAGMENTS:
        _FRAGMENTS.clear()
    _FRAGMENTS[id(value)] = (value, encoded)
    return encoded


RETRY_AFTER_HEADER = "x-acs-retry-after"
"""Milliseconds a throttled caller should wait (read by the SDK as `retry_after`)."""


def error_headers(error: EciError) -> dict[str, str] | None:
    """Extra response headers an error carries (a throttle's retry hint)."""
    if not isinstance(error, ThrottlingUser) or error.retry_after_seconds is None:
        return None
    return {RETRY_AFTER_HEADER: str(max(1, math.ceil(error.retry_after_seconds * 1000)))}
