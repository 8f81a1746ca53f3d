"""Reads a Kubernetes protobuf body (`k8s\\0` + `runtime.Unknown`) into the JSON object kube's
JSON codec would have produced for the same Go object.

The conversion follows Go's JSON encoding of the API types: metav1.Time as RFC 3339 seconds,
MicroTime with microseconds, Quantity and IntOrString as their string or number, `[]byte`
as base64, FieldsV1 as the JSON it holds, inlined structs spliced into their parent, and zero
values left out where the Go field has `omitempty` (see `schema_meta`). A field number this
server has no shape for is refused (`UnsupportedField`), never dropped: a client that sent it
meant something by it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from google.protobuf import unknown_fields
from google.protobuf.message import DecodeError, Message

from localkube.wire.descriptors import SHAPES, FieldShape, MessageShape, Presence, message_class

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
TIME_KINDS = frozenset({"Time", "MicroTime"})

KINDS: dict[tuple[str, str], str] = {
    ("v1", "Namespace"): "Namespace",
    ("v1", "Secret"): "Secret",
    ("v1", "ConfigMap"): "ConfigMap",
    ("v1", "ServiceAccount"): "ServiceAccount",
    ("v1", "Service"): "Service",
    ("v1", "Pod"): "Pod",
    ("v1", "Event"): "Event",
    ("v1", "Binding"): "Binding",
    ("v1", "Node"): "Node",
    ("apps/v1", "Deployment"): "Deployment",
    ("batch/v1", "Job"): "Job",
    ("batch/v1", "CronJob"): "CronJob",
}
"""(apiVersion, kind) of a body -> the shape that reads it. DeleteOptions come in any version."""


class WireError(Exception):
    """A protobuf body that cannot be turned into an object; `str()` says why."""


class UnsupportedKind(WireError):
    """A well-formed envelope naming a kind this server has no wire shape for."""


@dataclass(frozen=True)
class Envelope:
    api_version: str
    kind: str
    raw: bytes


def open_envelope(body: bytes) -> Envelope:
    if not body.startswith(MAGIC):
        raise WireError(
            "provided data does not appear to be a protobuf message, expected prefix "
            + str(list(MAGIC))
        )
    unknown: Any = message_class("Unknown")()
    try:
        unknown.ParseFromString(body[len(MAGIC) :])
    except DecodeError as exc:
        raise WireError(f"the envelope is not a runtime.Unknown message: {exc}") from exc
    type_meta: Any = unknown.typeMeta
    encoding: str = unknown.contentEncoding
    if encoding:
        raise WireError(f"unsupported content encoding {encoding!r}")
    return Envelope(api_version=type_meta.apiVersion, kind=type_meta.kind, raw=unknown.raw)


def shape_for(envelope: Envelope) -> MessageShape:
    name = "DeleteOptions" if envelope.kind == "DeleteOptions" else None
    name = name or KINDS.get((envelope.api_version, envelope.kind))
    if name is None:
        raise UnsupportedKind(
            f'no kind "{envelope.kind}" is registered for version "{envelope.api_version}"'
        )
    return SHAPES[name]


def decode_object(body: bytes) -> dict[str, Any]:
    """The JSON object a protobuf request body holds, with its `apiVersion` and `kind`."""
    envelope = open_envelope(body)
    shape = shape_for(envelope)
    message = message_class(shape.name)()
    try:
        message.ParseFromString(envelope.raw)
    except DecodeError as exc:
        raise WireError(f"{envelope.kind} in version {envelope.api_version!r}: {exc}") from exc
    obj: dict[str, Any] = {"kind": envelope.kind, "apiVersion": envelope.api_version}
    obj.update(to_json(message, shape, path=shape.name))
    return obj


def to_json(message: Message, shape: MessageShape, *, path: str) -> dict[str, Any]:
    _refuse_unknown(message, shape, path=path)
    out: dict[str, Any] = {}
    for field in shape.fields:
        name = field.json_name
        if field.is_map:
            entries = getattr(message, name)
            if entries:
                out[name] = {
                    key: _element(entries[key], field, path=f"{path}.{name}") for key in entries
                }
        elif field.repeated:
            items = getattr(message, name)
            if items:
                out[name] = [_element(item, field, path=f"{path}.{name}") for item in items]
        elif field.is_message:
            if not message.HasField(name):
                continue
            value = _element(getattr(message, name), field, path=f"{path}.{name}")
            if field.inline and isinstance(value, dict):
                out.update(value)
            elif value is not None:
                out[name] = value
        else:
            present = message.HasField(name)
            value = getattr(message, name)
            if field.presence is Presence.KEEP or (
                present and (field.presence is Presence.SET or value)
            ):
                out[name] = _scalar(value, field)
    return out


def _element(value: Any, field: FieldShape, *, path: str) -> Any:
    if not field.is_message:
        return _scalar(value, field)
    if field.kind in TIME_KINDS:
        return _time(value, micro=field.kind == "MicroTime")
    if field.kind == "Quantity":
        return value.string
    if field.kind == "IntOrString":
        return value.strVal if value.type == 1 else value.intVal
    if field.kind == "FieldsV1":
        raw = value.Raw
        try:
            return json.loads(raw) if raw else {}
        except ValueError as exc:
            raise WireError(f"{path}: fieldsV1 is not JSON: {exc}") from exc
    return to_json(value, SHAPES[field.kind], path=path)


def _scalar(value: Any, field: FieldShape) -> Any:
    if field.kind == "bytes":
        return base64.b64encode(value).decode()
    return value


def _time(value: Any, *, micro: bool) -> str | None:
    if not value.seconds and not value.nanos:
        return None
    moment = datetime.fromtimestamp(value.seconds, tz=UTC)
    if micro:
        micros = value.nanos // 1000
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{micros:06d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _refuse_unknown(message: Message, shape: MessageShape, *, path: str) -> None:
    unknown = unknown_fields.UnknownFieldSet(message)
    if len(unknown):
        numbers = sorted({unknown[i].field_number for i in range(len(unknown))})
        listed = ", ".join(str(n) for n in numbers)
        raise WireError(
            f"{path} has field number(s) {listed} that this server does not know "
            f"({shape.name} as Kubernetes 1.32 defines it); send the object as JSON instead"
        )
