"""Writes a JSON object as a Kubernetes protobuf body (`k8s\\0` + `runtime.Unknown`).

The inverse of `decoding.py` over the same shapes. The server answers in JSON, so this is
what tests use to send the bytes kubectl's typed clients send; it refuses a JSON field it has
no shape for rather than writing a body that silently lost it.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from localkube.wire.decoding import KINDS, MAGIC, TIME_KINDS
from localkube.wire.descriptors import SHAPES, FieldShape, MessageShape, message_class


def encode_object(obj: dict[str, Any]) -> bytes:
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    name = "DeleteOptions" if kind == "DeleteOptions" else KINDS[(api_version, kind)]
    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    message = message_class(name)()
    from_json(message, SHAPES[name], body)
    envelope: Any = message_class("Unknown")()
    envelope.typeMeta.apiVersion = api_version
    envelope.typeMeta.kind = kind
    envelope.raw = message.SerializeToString()
    serialized: bytes = envelope.SerializeToString()
    return MAGIC + serialized


def from_json(message: Message, shape: MessageShape, value: dict[str, Any]) -> None:
    known = _json_names(shape)
    extra = sorted(set(value) - known)
    if extra:
        raise ValueError(f"{shape.name} has no wire field for {extra}")
    for field in shape.fields:
        if field.inline:
            from_json(getattr(message, field.json_name), SHAPES[field.kind], _inlined(field, value))
            continue
        if field.json_name not in value or value[field.json_name] is None:
            continue
        item = value[field.json_name]
        target: Any = getattr(message, field.json_name)
        if field.is_map:
            for key, element in item.items():
                if field.is_message:
                    _set_message(target[key], field, element)
                else:
                    target[key] = _scalar(element, field)
        elif field.repeated:
            for element in item:
                if field.is_message:
                    _set_message(target.add(), field, element)
                else:
                    target.append(_scalar(element, field))
        elif field.is_message:
            _set_message(target, field, item)
        else:
            setattr(message, field.json_name, _scalar(item, field))


def _json_names(shape: MessageShape) -> set[str]:
    names: set[str] = set()
    for field in shape.fields:
        names |= _json_names(SHAPES[field.kind]) if field.inline else {field.json_name}
    return names


def _inlined(field: FieldShape, value: dict[str, Any]) -> dict[str, Any]:
    names = _json_names(SHAPES[field.kind])
    return {k: v for k, v in value.items() if k in names}


def _set_message(target: Any, field: FieldShape, value: Any) -> None:
    if field.kind in TIME_KINDS:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        target.seconds = int(moment.timestamp())
        target.nanos = moment.microsecond * 1000
    elif field.kind == "Quantity":
        target.string = str(value)
    elif field.kind == "IntOrString":
        if isinstance(value, str):
            target.type, target.strVal = 1, value
        else:
            target.type, target.intVal = 0, int(value)
    elif field.kind == "FieldsV1":
        target.Raw = json.dumps(value, separators=(",", ":")).encode()
    else:
        from_json(target, SHAPES[field.kind], value)
        target.SetInParent()


def _scalar(value: Any, field: FieldShape) -> Any:
    if field.kind == "bytes":
        return base64.b64decode(value)
    return value
