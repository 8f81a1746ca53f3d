"""Builds protobuf message classes from the `schema_*` tables, once, at import.

The tables are parsed into `MessageShape`s (what `decoding.py` walks: JSON names, how zero
values are written, which fields are inlined) and into one proto2 `FileDescriptorProto`
whose classes come from the `protobuf` package's `message_factory`. No generated code and no
`.proto` file: the descriptors are data built here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

from localkube.wire import schema_core, schema_meta, schema_pods, schema_workloads

PACKAGE = "localkube.wire"
SCALARS = {
    "string": descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
    "int32": descriptor_pb2.FieldDescriptorProto.TYPE_INT32,
    "int64": descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
    "bool": descriptor_pb2.FieldDescriptorProto.TYPE_BOOL,
    "bytes": descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
}
LABEL_OPTIONAL = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
LABEL_REPEATED = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
TYPE_MESSAGE = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE


class Presence(StrEnum):
    """How Go's JSON encoder writes a field's zero value (see `schema_meta`)."""

    OMIT_EMPTY = "omitempty"
    KEEP = "keep"
    SET = "set"


@dataclass(frozen=True)
class FieldShape:
    json_name: str
    number: int
    kind: str
    """A scalar name or a message name (the element type for lists and maps)."""
    repeated: bool
    is_map: bool
    presence: Presence
    inline: bool

    @property
    def is_message(self) -> bool:
        return self.kind not in SCALARS


@dataclass(frozen=True)
class MessageShape:
    name: str
    fields: tuple[FieldShape, ...]
    partial: bool = False
    """The table lists only some of the kind's fields (header flag `partial`): JSON checks do
    not call other fields unknown; protobuf decoding still refuses them."""


def parse_schema(text: str) -> dict[str, MessageShape]:
    """`Name [partial]` lines open a message; indented `jsonName number type [flag]` lines
    are its fields."""
    shapes: dict[str, MessageShape] = {}
    name: str | None = None
    partial = False
    fields: list[FieldShape] = []

    def close() -> None:
        if name is not None:
            shapes[name] = MessageShape(name=name, fields=tuple(fields), partial=partial)

    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            close()
            header = line.split()
            name, partial, fields = header[0], "partial" in header[1:], []
            continue
        parts = line.split()
        json_name, number, type_name, flags = parts[0], int(parts[1]), parts[2], parts[3:]
        repeated = type_name.startswith("[")
        is_map = type_name.startswith("{")
        kind = type_name.strip("[]{}")
        fields.append(
            FieldShape(
                json_name=json_name,
                number=number,
                kind=kind,
                repeated=repeated,
                is_map=is_map,
                presence=Presence.KEEP
                if "keep" in flags
                else Presence.SET
                if "set" in flags
                else Presence.OMIT_EMPTY,
                inline="inline" in flags,
            )
        )
    close()
    return shapes


SHAPES: dict[str, MessageShape] = {
    **parse_schema(schema_meta.SCHEMA),
    **parse_schema(schema_core.SCHEMA),
    **parse_schema(schema_pods.SCHEMA),
    **parse_schema(schema_workloads.SCHEMA),
}


def _entry_name(field: FieldShape) -> str:
    return field.json_name[:1].upper() + field.json_name[1:] + "Entry"


def _set_type(proto: descriptor_pb2.FieldDescriptorProto, kind: str) -> None:
    if kind in SCALARS:
        proto.type = SCALARS[kind]
    else:
        proto.type = TYPE_MESSAGE
        proto.type_name = f".{PACKAGE}.{kind}"


def file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    """All shapes as one proto2 file; maps become `XEntry` nested types, as protoc makes them."""
    file = descriptor_pb2.FileDescriptorProto(
        name="localkube/wire/kubernetes.proto", package=PACKAGE, syntax="proto2"
    )
    for shape in SHAPES.values():
        message = file.message_type.add(name=shape.name)
        for field in shape.fields:
            proto = message.field.add(
                name=field.json_name,
                number=field.number,
                label=LABEL_REPEATED if field.repeated or field.is_map else LABEL_OPTIONAL,
            )
            if field.is_map:
                entry = message.nested_type.add(name=_entry_name(field))
                entry.options.map_entry = True
                entry.field.add(
                    name="key",
                    number=1,
                    label=LABEL_OPTIONAL,
                    type=SCALARS["string"],
                )
                _set_type(entry.field.add(name="value", number=2, label=LABEL_OPTIONAL), field.kind)
                proto.type = TYPE_MESSAGE
                proto.type_name = f".{PACKAGE}.{shape.name}.{entry.name}"
            else:
                _set_type(proto, field.kind)
    return file


@cache
def _pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file_descriptor())
    return pool


def message_class(name: str) -> type[Message]:
    """The protobuf class of one shape (`ObjectMeta`, `Pod`, `Unknown`, ...)."""
    return message_factory.GetMessageClass(_pool().FindMessageTypeByName(f"{PACKAGE}.{name}"))
