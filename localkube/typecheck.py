"""Reads a JSON body of a built-in kind the way kube-apiserver's typed decoder does.

kube decodes a body into its Go struct before anything else looks at it, so a wrong JSON
type (`labels: []`), a bad quantity (`cpu: abc`) or a bad timestamp is a 400 (`Pod in
version "v1" cannot be handled as a Pod: ...`), `null` means "not set", fields the struct
lacks are dropped (reported for `fieldValidation`), and quantities come out canonical
(`1024Mi` -> `1Gi`). The field tables are the wire shapes of `localkube.wire`, so the JSON
and protobuf paths agree on what a kind has. Kinds without a shape get their `metadata`
checked only; custom resources are left to their schema (`admission.schema_pipeline`).
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from localkube import quantities
from localkube.errors import ApiError, bad_request, invalid_patch
from localkube.patching import json_kind
from localkube.resources import ResourceType
from localkube.wire.descriptors import SHAPES, FieldShape, MessageShape

SHAPE_BY_RESOURCE: dict[tuple[str, str, str], str] = {
    ("", "v1", "pods"): "Pod",
    ("", "v1", "namespaces"): "Namespace",
    ("", "v1", "secrets"): "Secret",
    ("", "v1", "configmaps"): "ConfigMap",
    ("", "v1", "serviceaccounts"): "ServiceAccount",
    ("", "v1", "services"): "Service",
    ("", "v1", "events"): "Event",
    ("", "v1", "nodes"): "Node",
    ("apps", "v1", "deployments"): "Deployment",
    ("batch", "v1", "jobs"): "Job",
    ("batch", "v1", "cronjobs"): "CronJob",
}
GO_PACKAGES = {"Quantity": "resource", "IntOrString": "intstr"}
ROOT_FIELDS = frozenset({"apiVersion", "kind"})


@dataclass
class Typed:
    """A decoded body and the paths of the fields its kind does not have."""

    obj: Any
    unknown: list[str] = field(default_factory=list)
    directives: bool = False
    """A strategic merge patch: `$patch`, `$setElementOrder/...` and the like are not fields."""


class _DecodeError(Exception):
    pass


def decode(resource: ResourceType, body: Any, *, patch: bool = False) -> Typed:
    """`body` as kube's typed decoder leaves it; a 400 `ApiError` when it cannot be read.
    With `patch`, `body` is a merge or strategic patch, read for its unknown fields."""
    try:
        return _decode(resource, body, patch=patch)
    except _DecodeError as exc:
        raise cannot_handle(resource, body, str(exc)) from exc


def decode_patched(resource: ResourceType, patched: Any, *, show: Callable[[], str]) -> Typed:
    """A patch's result through the typed decoder; where it cannot be read, kube's answer to
    such a patch: 422 Invalid on the field `patch`, showing what `show` gives (the patched
    object for JSON and merge patches, the patch for a strategic one), not the 400 a body gets."""
    try:
        if not isinstance(patched, dict):
            raise _DecodeError(not_an_object(patched))
        return _decode(resource, patched, patch=False)
    except _DecodeError as exc:
        raise invalid_patch(shown=show(), reason=str(exc)) from exc


def not_an_object(body: Any) -> str:
    """The JSON decoder's complaint about a body that is not an object."""
    return f"json: cannot unmarshal {json_kind(body)} into Go value of type struct"


def _decode(resource: ResourceType, body: Any, *, patch: bool) -> Typed:
    if resource.is_custom or not isinstance(body, dict):
        return Typed(body)
    name = SHAPE_BY_RESOURCE.get((resource.group, resource.version, resource.plural))
    result = Typed(None, directives=patch)
    if name is None:
        obj = dict(body)
        if "metadata" in obj:
            obj["metadata"] = _walk(obj["metadata"], _field("metadata"), "metadata", result)
        result.obj = {k: v for k, v in obj.items() if v is not None}
    else:
        result.obj = _message(body, SHAPES[name], path="", parent=name, result=result)
    return result


def cannot_handle(resource: ResourceType, body: Any, reason: str) -> ApiError:
    sent = body.get("kind") if isinstance(body, dict) else None
    kind = sent if isinstance(sent, str) and sent else resource.kind
    return bad_request(
        f'{kind} in version "{resource.version}" cannot be handled as a {resource.kind}: {reason}'
    )


def _field(name: str) -> FieldShape:
    return next(f for f in SHAPES["Pod"].fields if f.json_name == name)


@dataclass(frozen=True)
class _Fields:
    """What `_message` needs of a shape, worked out once (shapes never change)."""

    shape: MessageShape
    by_name: dict[str, FieldShape]
    """Fields by JSON name, inlined ones flattened."""
    partial: bool
    plain: dict[str, type]
    """Single string and bool fields: a value of exactly this type is kept as it is."""


_PLAIN_TYPES: dict[str, type] = {"string": str, "bool": bool}
_FIELDS: dict[int, _Fields] = {}
"""id(shape) -> its `_Fields`; a Pod body walks a few dozen messages."""


def _fields_of(shape: MessageShape) -> _Fields:
    cached = _FIELDS.get(id(shape))
    if cached is None or cached.shape is not shape:
        by_name = _flattened(shape)
        plain = {
            name: _PLAIN_TYPES[entry.kind]
            for name, entry in by_name.items()
            if entry.kind in _PLAIN_TYPES and not entry.repeated and not entry.is_map
        }
        cached = _Fields(shape, by_name, _is_partial(shape), plain)
        _FIELDS[id(shape)] = cached
    return cached


def _flattened(shape: MessageShape) -> dict[str, FieldShape]:
    fields: dict[str, FieldShape] = {}
    for entry in shape.fields:
        if entry.inline:
            fields.update(_flattened(SHAPES[entry.kind]))
        else:
            fields[entry.json_name] = entry
    return fields


def _is_partial(shape: MessageShape) -> bool:
    return shape.partial or any(
        _is_partial(SHAPES[entry.kind]) for entry in shape.fields if entry.inline
    )


def _message(
    value: Any, shape: MessageShape, *, path: str, parent: str, result: Typed
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _DecodeError(_mismatch(value, f"v1.{shape.name}", parent, path))
    fields = _fields_of(shape)
    plain = fields.plain
    out: dict[str, Any] = {}
    for key, item in value.items():
        if plain.get(key) is type(item):
            out[key] = item  # what `_scalar` would check and keep, without the calls
            continue
        child_path = f"{path}.{key}" if path else key
        entry = fields.by_name.get(key)
        if entry is None:
            if result.directives and key.startswith("$"):
                out[key] = item  # `$patch`, `$retainKeys`, `$setElementOrder/...`: not fields
            elif (not path and key in ROOT_FIELDS) or fields.partial:
                out[key] = item
            else:
                result.unknown.append(child_path)
            continue
        if item is None:
            continue
        if entry.is_map or entry.repeated:
            out[key] = _walk(item, entry, child_path, result, parent=shape.name)
        else:
            out[key] = _element(item, entry, child_path, result, shape.name)
    return out


def _walk(
    value: Any, entry: FieldShape, path: str, result: Typed, *, parent: str = "ObjectMeta"
) -> Any:
    if value is None:
        return None
    if entry.is_map:
        if not isinstance(value, dict):
            raise _DecodeError(_mismatch(value, _go_type(entry), parent, path))
        if entry.kind == "string" and all(type(item) is str for item in value.values()):
            return dict(value)  # labels, annotations, data: what `_scalar` would keep
        return {
            key: _element(item, entry, f"{path}[{key}]", result, parent)
            for key, item in value.items()
            if item is not None
        }
    if entry.repeated:
        if not isinstance(value, list):
            raise _DecodeError(_mismatch(value, _go_type(entry), parent, path))
        if entry.kind == "string" and all(type(item) is str for item in value):
            return list(value)  # finalizers, args, command: what `_scalar` would keep
        return [
            _element(item, entry, f"{path}[{index}]", result, parent)
            for index, item in enumerate(value)
        ]
    return _element(value, entry, path, result, parent)


def _element(value: Any, entry: FieldShape, path: str, result: Typed, parent: str) -> Any:
    kind = entry.kind
    if kind == "Quantity":
        try:
            return quantities.canonical(value)
        except quantities.QuantityError as exc:
            raise _DecodeError(str(exc)) from exc
    if kind == "IntOrString":
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise _DecodeError(_mismatch(value, "int32", "IntOrString", path))
    if kind in ("Time", "MicroTime"):
        if not isinstance(value, str) or not _is_timestamp(value):
            raise _DecodeError(f"parsing time {value!r} of {path}: not an RFC 3339 time")
        return value
    if kind == "FieldsV1":
        return value
    if entry.is_message:
        return _message(value, SHAPES[kind], path=path, parent=parent, result=result)
    return _scalar(value, entry, path, parent)


def _scalar(value: Any, entry: FieldShape, path: str, parent: str) -> Any:
    kind = entry.kind
    if kind in ("string", "bytes"):
        if not isinstance(value, str):
            raise _DecodeError(_mismatch(value, _go_type(entry, element=True), parent, path))
        if kind == "bytes":
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise _DecodeError(f"illegal base64 data in {path}") from exc
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _DecodeError(_mismatch(value, "bool", parent, path))
        return value
    if not isinstance(value, int) or isinstance(value, bool):
        raise _DecodeError(_mismatch(value, kind, parent, path))
    bits = 31 if kind == "int32" else 63
    if not -(2**bits) <= value < 2**bits:
        raise _DecodeError(_mismatch(value, kind, parent, path))
    return value


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _is_timestamp(value: str) -> bool:
    """Remembered for timestamp-sized texts: one status repeats its timestamps, and the
    writes of one second share them."""
    return _is_short_timestamp(value) if len(value) <= 64 else _parse_timestamp(value)


@functools.lru_cache(maxsize=1024)
def _is_short_timestamp(value: str) -> bool:
    return _parse_timestamp(value)


def _parse_timestamp(value: str) -> bool:
    if not _RFC3339.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _go_type(entry: FieldShape, *, element: bool = False) -> str:
    if entry.kind == "bytes":
        name = "[]uint8"
    elif entry.is_message:
        name = f"{GO_PACKAGES.get(entry.kind, 'v1')}.{entry.kind}"
    else:
        name = entry.kind
    if element:
        return name
    if entry.is_map:
        return f"map[string]{name}"
    if entry.repeated:
        return f"[]{name}"
    return name


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _mismatch(value: Any, go_type: str, parent: str, path: str) -> str:
    where = f"Go struct field {parent}.{path}" if path else "Go value"
    return f"json: cannot unmarshal {_json_type(value)} into {where} of type {go_type}"
