"""Request bodies: which media types are read, how large and how deep they may be.

kube-apiserver reads JSON, YAML and (for built-in kinds) protobuf; anything else is a 415 in
its words. It caps a request body at 3 MiB (413) and Go's JSON decoder stops at 10,000 levels
of nesting; this server stops far earlier (`MAX_DEPTH`), because every later step (patching,
validation, watch encoding) walks objects recursively, and it must answer a pathological body
with a 400 `Status`, never a RecursionError or a plain-text 500. Duplicate JSON keys are
reported back (`read_body`'s `duplicates`) so the handler can refuse them under
`fieldValidation=Strict` and warn otherwise, as kube-apiserver does. Nothing here knows
what the object means.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from typing import Any

import orjson
import yaml
from aiohttp import web

from localkube.errors import ApiError, Reason, bad_request
from localkube.wire import decoding

MAX_BODY_BYTES = 3 * 1024 * 1024
"""kube-apiserver's `MaxRequestBodyBytes` (3 MiB)."""
MAX_DEPTH = 100
"""Deepest nesting of objects and lists a body may have."""
MAX_NODES = 1_000_000
"""Most values (after YAML alias expansion) a body may hold; 3 MiB of JSON holds fewer."""

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = decoding.CONTENT_TYPE


class BodyFormat(StrEnum):
    JSON = "json"
    YAML = "yaml"
    PROTOBUF = "protobuf"


def media_types(*, protobuf: bool) -> list[str]:
    return [JSON, YAML, PROTOBUF] if protobuf else [JSON, YAML]


def unsupported_media_type(accepted: list[str]) -> ApiError:
    return ApiError(
        code=415,
        reason=Reason.UNSUPPORTED_MEDIA_TYPE,
        message="the body of the request was in an unknown format - accepted media types "
        "include: " + ", ".join(accepted),
    )


def too_large() -> ApiError:
    return ApiError(
        code=413,
        reason=Reason.REQUEST_ENTITY_TOO_LARGE,
        message=f"Request entity too large: limit is {MAX_BODY_BYTES}",
    )


def body_format(content_type: str, *, protobuf: bool) -> BodyFormat:
    """The format of a create/update body; `protobuf` is False for custom resources."""
    if content_type in ("", JSON):
        return BodyFormat.JSON
    if content_type in (YAML, "application/x-yaml", "text/yaml"):
        return BodyFormat.YAML
    if content_type == PROTOBUF and protobuf:
        return BodyFormat.PROTOBUF
    raise unsupported_media_type(media_types(protobuf=protobuf))


async def read_raw(request: web.Request) -> bytes:
    declared = request.content_length
    if declared is not None and declared > MAX_BODY_BYTES:
        raise too_large()
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise too_large() from exc
    if len(raw) > MAX_BODY_BYTES:
        raise too_large()
    return raw


DUPLICATES_KEY = web.RequestKey("localkube.duplicates", list[str])
"""Keys a JSON body repeated in one object (the later value won)."""


def declared_type(request: web.Request) -> str:
    return request.content_type if request.headers.get("Content-Type") else ""


async def read_body(
    request: web.Request, *, fmt: BodyFormat | None = None, protobuf: bool = True
) -> Any:
    """The body as JSON-shaped data (None when empty), in `fmt` or the declared format."""
    raw = await read_raw(request)
    if not raw:
        return None
    duplicates: list[str] = []
    value = parse(raw, fmt or body_format(declared_type(request), protobuf=protobuf), duplicates)
    request[DUPLICATES_KEY] = duplicates
    return value


def parse(raw: bytes, fmt: BodyFormat, duplicates: list[str] | None = None) -> Any:
    if fmt is BodyFormat.PROTOBUF:
        try:
            return decoding.decode_object(raw)
        except decoding.WireError as exc:
            raise bad_request(str(exc)) from exc
    try:
        if fmt is BodyFormat.YAML:
            value = _load_yaml(raw)
        else:
            value = _load_canonical(raw)
            if value is _NOT_CANONICAL:
                value = json.loads(
                    raw,
                    object_pairs_hook=_KeyCollector(duplicates),
                    parse_constant=_refuse_constant,
                )
    except RecursionError as exc:
        raise exceeded_depth() from exc
    except (ValueError, yaml.YAMLError) as exc:
        raise bad_request(f"the body of the request could not be decoded: {exc}") from exc
    check_depth(value, max_nodes=MAX_NODES if fmt is BodyFormat.YAML else None)
    return value


_NOT_CANONICAL = object()


def _refuse_constant(name: str) -> Any:
    """NaN, Infinity and -Infinity are JavaScript, not JSON: Go's decoder stops at them."""
    where = "in numeric literal" if name.startswith("-") else "looking for beginning of value"
    raise ValueError(f"invalid character {name.lstrip('-')[0]!r} {where}")


def _load_canonical(raw: bytes) -> Any:
    """orjson's reading of a body that is exactly orjson's own compact output, as clients
    built on orjson send (the agent's status patches and Events); `_NOT_CANONICAL` for any
    other text, which the stdlib reads instead. Such a body has no duplicate keys (orjson
    never writes one, and a body with one would come out shorter), no NaN and no escapes
    the stdlib reads differently, so it means exactly what the stdlib would read."""
    if b'": ' in raw or b", " in raw[:64]:
        return _NOT_CANONICAL  # the stdlib's or a pretty printer's spacing: not worth trying
    try:
        value = orjson.loads(raw)
        if orjson.dumps(value) == raw:
            return value
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass
    return _NOT_CANONICAL


def exceeded_depth() -> ApiError:
    return bad_request(f"the body of the request is nested deeper than {MAX_DEPTH} levels")


def check_depth(value: Any, *, max_nodes: int | None = None) -> None:
    """Iteratively (no recursion) refuse values nested deeper than `MAX_DEPTH`, or YAML whose
    aliases expand to more than `MAX_NODES` values (a "billion laughs" body)."""
    if max_nodes is None:
        _check_depth_only(value)
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    visited = 0
    while stack:
        item, depth = stack.pop()
        visited += 1
        if max_nodes is not None and visited > max_nodes:
            raise bad_request("yaml: document contains excessive aliasing")
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        elif isinstance(item, float) and not math.isfinite(item):
            # YAML's .nan and .inf have no JSON form: kube's YAML-to-JSON step fails on them.
            shown = "NaN" if math.isnan(item) else "+Inf" if item > 0 else "-Inf"
            raise bad_request(
                f"the body of the request could not be decoded: json: unsupported value: {shown}"
            )
        else:
            continue
        if depth > MAX_DEPTH:
            raise exceeded_depth()
        stack.extend((child, depth + 1) for child in children)


_CONTAINERS = (dict, list)
"""A tuple, not `dict | list`: that would build a union object at every child."""


def _check_depth_only(value: Any, depth: int = 1) -> None:
    """`check_depth` without a node budget: only objects and lists are visited, and the
    recursion stops at `MAX_DEPTH`, far below Python's limit."""
    if isinstance(value, dict):
        children: Any = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return
    if depth > MAX_DEPTH:
        raise exceeded_depth()
    for child in children:
        if isinstance(child, _CONTAINERS):
            _check_depth_only(child, depth + 1)


class _KeyCollector:
    """`object_pairs_hook` that keeps the last value of a repeated key and notes the key."""

    def __init__(self, duplicates: list[str] | None) -> None:
        self._duplicates = duplicates if duplicates is not None else []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                self._duplicates.append(key)
            result[key] = value
        return result


def _load_yaml(raw: bytes) -> Any:
    return yaml.safe_load(raw)
