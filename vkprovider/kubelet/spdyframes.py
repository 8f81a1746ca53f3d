"""SPDY/3.1 frames: the wire format kube-apiserver speaks to a kubelet for exec and attach.

No maintained Python SPDY library exists (PyPI's `spdy-py` had one release in
2021, `python-spdylay` none since 2012), so the framing is written here from
the SPDY/3.1 draft: an 8-byte header (control bit, version 3, type, flags,
24-bit length), DATA frames addressed by a 31-bit stream id, and header
blocks (count, then length-prefixed names and values) compressed with one
zlib stream per direction, primed with `spdydictionary.DICTIONARY` and
sync-flushed after every block. This module only encodes and decodes; the
session rules (replies, windows, closing) live in `spdysessions`. It must
never block or do I/O: `FrameDecoder.feed` is called from aiohttp's
`data_received`.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from enum import IntEnum

from vkprovider.kubelet.spdydictionary import DICTIONARY

VERSION = 3
FLAG_FIN = 0x01
FLAG_UNIDIRECTIONAL = 0x02
MAX_CONTROL_FRAME_BYTES = 1 << 20
"""Larger control frames (a SYN_STREAM with a megabyte of headers) end the session."""
MAX_HEADER_BLOCK_BYTES = 1 << 20
"""A decompressed header block may not exceed this (a zlib bomb would)."""
_HEADER = struct.Struct(">IB3s")
_STREAM_ID_MASK = 0x7FFFFFFF


class FrameType(IntEnum):
    SYN_STREAM = 1
    SYN_REPLY = 2
    RST_STREAM = 3
    SETTINGS = 4
    PING = 6
    GOAWAY = 7
    HEADERS = 8
    WINDOW_UPDATE = 9


class RstStatus(IntEnum):
    PROTOCOL_ERROR = 1
    INVALID_STREAM = 2
    REFUSED_STREAM = 3
    UNSUPPORTED_VERSION = 4
    CANCEL = 5
    INTERNAL_ERROR = 6
    FLOW_CONTROL_ERROR = 7
    STREAM_IN_USE = 8
    STREAM_ALREADY_CLOSED = 9
    FRAME_TOO_LARGE = 11


class GoAwayStatus(IntEnum):
    OK = 0
    PROTOCOL_ERROR = 1
    INTERNAL_ERROR = 2


class Setting(IntEnum):
    MAX_CONCURRENT_STREAMS = 4
    INITIAL_WINDOW_SIZE = 7


class SpdyProtocolError(Exception):
    """The peer broke the framing; the session ends with GOAWAY PROTOCOL_ERROR."""


Headers = dict[str, str]
"""Header names are lower case on the wire; several values of one name join with NUL."""


@dataclass(frozen=True)
class Data:
    stream_id: int
    data: bytes
    fin: bool


@dataclass(frozen=True)
class SynStream:
    stream_id: int
    headers: Headers
    fin: bool
    unidirectional: bool


@dataclass(frozen=True)
class SynReply:
    stream_id: int
    headers: Headers
    fin: bool


@dataclass(frozen=True)
class RstStream:
    stream_id: int
    status: int


@dataclass(frozen=True)
class Settings:
    values: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Ping:
    ping_id: int


@dataclass(frozen=True)
class GoAway:
    last_good_stream_id: int
    status: int


@dataclass(frozen=True)
class HeadersFrame:
    stream_id: int
    headers: Headers
    fin: bool


@dataclass(frozen=True)
class WindowUpdate:
    stream_id: int
    delta: int


Frame = (
    Data | SynStream | SynReply | RstStream | Settings | Ping | GoAway | HeadersFrame | WindowUpdate
)


def _parse_header_block(block: bytes) -> Headers:
    def take(offset: int, size: int) -> bytes:
        if offset + size > len(block):
            raise SpdyProtocolError("header block is shorter than its lengths say")
        return block[offset : offset + size]

    (count,) = struct.unpack(">I", take(0, 4))
    offset, headers = 4, {}
    for _ in range(count):
        (size,) = struct.unpack(">I", take(offset, 4))
        name = take(offset + 4, size).decode("latin-1")
        offset += 4 + size
        (size,) = struct.unpack(">I", take(offset, 4))
        value = take(offset + 4, size).decode("latin-1")
        offset += 4 + size
        if not name or name != name.lower():
            raise SpdyProtocolError(f"header name {name!r} is empty or not lower case")
        if name in headers:
            raise SpdyProtocolError(f"header {name!r} appears twice")
        headers[name] = value
    return headers


class FrameDecoder:
    """Bytes in, frames out; keeps the peer's header decompressor across frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while len(self._buffer) >= _HEADER.size:
            first, flags, raw_length = _HEADER.unpack_from(self._buffer)
            length = int.from_bytes(raw_length, "big")
            control = bool(first & 0x80000000)
            if control and length > MAX_CONTROL_FRAME_BYTES:
                raise SpdyProtocolError(f"control frame of {length} bytes")
            if len(self._buffer) < _HEADER.size + length:
                break
            payload = bytes(self._buffer[_HEADER.size : _HEADER.size + length])
            del self._buffer[: _HEADER.size + length]
            if not control:
                frames.append(Data(first & _STREAM_ID_MASK, payload, bool(flags & FLAG_FIN)))
                continue
            version, kind = (first >> 16) & 0x7FFF, first & 0xFFFF
            if version != VERSION:
                raise SpdyProtocolError(f"SPDY version {version}; this kubelet speaks 3.1")
            frame = self._control(kind, flags, payload)
            if frame is not None:
                frames.append(frame)
        return frames

    def _headers(self, block: bytes) -> Headers:
        try:
            plain = self._inflate.decompress(block, MAX_HEADER_BLOCK_BYTES)
        except zlib.error as exc:
            raise SpdyProtocolError(f"header block does not decompress: {exc}") from exc
        if self._inflate.unconsumed_tail:
            raise SpdyProtocolError("header block is larger than 1 MiB")
        return _parse_header_block(plain)

    def _control(self, kind: int, flags: int, payload: bytes) -> Frame | None:
        def word(offset: int) -> int:
            if len(payload) < offset + 4:
                raise SpdyProtocolError(f"control frame type {kind} is too short")
            return int(struct.unpack_from(">I", payload, offset)[0])

        fin = bool(flags & FLAG_FIN)
        if kind == FrameType.SYN_STREAM:
            word(6)  # stream id, associated id, priority and slot precede the block
            return SynStream(
                word(0) & _STREAM_ID_MASK,
                self._headers(payload[10:]),
                fin,
                bool(flags & FLAG_UNIDIRECTIONAL),
            )
        if kind == FrameType.SYN_REPLY:
            return SynReply(word(0) & _STREAM_ID_MASK, self._headers(payload[4:]), fin)
        if kind == FrameType.HEADERS:
            return HeadersFrame(word(0) & _STREAM_ID_MASK, self._headers(payload[4:]), fin)
        if kind == FrameType.RST_STREAM:
            return RstStream(word(0) & _STREAM_ID_MASK, word(4))
        if kind == FrameType.SETTINGS:
            values = {}
            for index in range(word(0)):
                values[word(4 + 8 * index) & 0xFFFFFF] = word(8 + 8 * index)
            return Settings(values)
        if kind == FrameType.PING:
            return Ping(word(0))
        if kind == FrameType.GOAWAY:
            return GoAway(word(0) & _STREAM_ID_MASK, word(4) if len(payload) >= 8 else 0)
        if kind == FrameType.WINDOW_UPDATE:
            return WindowUpdate(word(0) & _STREAM_ID_MASK, word(4) & _STREAM_ID_MASK)
        return None  # the spec: ignore control frames of unknown types


class FrameEncoder:
    """Frames out as bytes; keeps this side's header compressor, so encode in wire order."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(zlib.Z_BEST_COMPRESSION, zdict=DICTIONARY)

    def _control(self, kind: FrameType, flags: int, payload: bytes) -> bytes:
        first = 0x80000000 | (VERSION << 16) | int(kind)
        return _HEADER.pack(first, flags, len(payload).to_bytes(3, "big")) + payload

    def _headers(self, headers: Headers) -> bytes:
        block = bytearray(struct.pack(">I", len(headers)))
        for name, value in headers.items():
            for text in (name.lower(), value):
                raw = text.encode("latin-1")
                block += struct.pack(">I", len(raw)) + raw
        return self._deflate.compress(bytes(block)) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    def data(self, stream_id: int, data: bytes, *, fin: bool = False) -> bytes:
        return _HEADER.pack(stream_id, FLAG_FIN if fin else 0, len(data).to_bytes(3, "big")) + data

    def syn_reply(self, stream_id: int, headers: Headers | None = None) -> bytes:
        payload = struct.pack(">I", stream_id) + self._headers(headers or {})
        return self._control(FrameType.SYN_REPLY, 0, payload)

    def rst_stream(self, stream_id: int, status: RstStatus) -> bytes:
        return self._control(FrameType.RST_STREAM, 0, struct.pack(">II", stream_id, status))

    def settings(self, values: dict[Setting, int]) -> bytes:
        payload = struct.pack(">I", len(values))
        for setting, value in values.items():
            payload += struct.pack(">II", int(setting), value)
        return self._control(FrameType.SETTINGS, 0, payload)

    def ping(self, ping_id: int) -> bytes:
        return self._control(FrameType.PING, 0, struct.pack(">I", ping_id))

    def goaway(self, last_good_stream_id: int, status: GoAwayStatus) -> bytes:
        payload = struct.pack(">II", last_good_stream_id, status)
        return self._control(FrameType.GOAWAY, 0, payload)

    def window_update(self, stream_id: int, delta: int) -> bytes:
        return self._control(FrameType.WINDOW_UPDATE, 0, struct.pack(">II", stream_id, delta))
