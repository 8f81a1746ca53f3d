"""A small SPDY/3.1 remote-command client for the tests, written apart from the kubelet's.

It does what client-go's SPDY executor does (kubectl is not on CI machines):
an HTTP/1.1 request with `Upgrade: SPDY/3.1` and `X-Stream-Protocol-Version`
headers, then one SYN_STREAM per channel (`streamtype` error, stdin, stdout,
stderr, resize), stdin as DATA then FIN, and it reads until the server closes.
Unlike client-go it keeps SPDY/3.1's flow control strictly: it never sends
past the window the server opened, so a server that forgets WINDOW_UPDATE
stalls it. It shares nothing with `vkprovider.kubelet.spdy*` but the
dictionary, which a test pins by its SHA-256, so a framing mistake cannot
hide in both.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import zlib
from dataclasses import dataclass, field

from vkprovider.kubelet.spdydictionary import DICTIONARY

INITIAL_WINDOW = 65536
DEADLINE_SECONDS = 20.0


def _u32(value: int) -> bytes:
    return bytes([(value >> 24) & 0xFF, (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF])


def _read_u32(data: bytes, at: int) -> int:
    return (data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]


@dataclass
class ExecAnswer:
    """What the client saw: the HTTP answer, and per stream type what came back."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    received: dict[str, bytes] = field(default_factory=dict)
    replied: set[str] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)
    resets: dict[str, int] = field(default_factory=dict)
    window_updates: int = 0
    pings: list[int] = field(default_factory=list)
    goaway: int | None = None

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def status_json(self) -> dict[str, object]:
        loaded: dict[str, object] = json.loads(self.received.get("error", b"") or b"{}")
        return loaded


class _Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.deflate = zlib.compressobj(zdict=DICTIONARY)
        self.inflate = zlib.decompressobj(zdict=DICTIONARY)
        self.kinds: dict[int, str] = {}
        self.windows: dict[int, int] = {}
        self.session_window = INITIAL_WINDOW
        self.opened = asyncio.Event()
        self.strict = True

    def control(self, kind: int, payload: bytes, flags: int = 0) -> None:
        head = bytes([0x80, 0x03, 0x00, kind, flags]) + _u32(len(payload))[1:]
        self.writer.write(head + payload)

    def syn_stream(self, stream_id: int, kind: str) -> None:
        pairs = {"streamtype": kind}
        block = _u32(len(pairs))
        for name, value in pairs.items():
            block += _u32(len(name)) + name.encode() + _u32(len(value)) + value.encode()
        compressed = self.deflate.compress(block) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        self.control(1, _u32(stream_id) + _u32(0) + b"\x00\x00" + compressed)
        self.kinds[stream_id] = kind
        self.windows[stream_id] = INITIAL_WINDOW

    def data(self, stream_id: int, payload: bytes, fin: bool = False) -> None:
        self.writer.write(_u32(stream_id) + bytes([1 if fin else 0]) + _u32(len(payload))[1:])
        self.writer.write(payload)

    async def send(self, stream_id: int, payload: bytes, *, window_opened: asyncio.Event) -> None:
        """Stdin within the server's windows; FIN at the end."""
        while payload:
            room = min(self.windows[stream_id], self.session_window, 4096)
            if not self.strict:
                room = 4096
            elif room <= 0:
                window_opened.clear()
                await window_opened.wait()
                continue
            chunk, payload = payload[:room], payload[room:]
            self.windows[stream_id] -= len(chunk)
            self.session_window -= len(chunk)
            self.data(stream_id, chunk)
            await self.writer.drain()
        self.data(stream_id, b"", fin=True)
        await self.writer.drain()

    async def frames(self, answer: ExecAnswer, window_opened: asyncio.Event) -> None:
        while True:
            try:
                head = await self.reader.readexactly(8)
            except asyncio.IncompleteReadError:
                return
            size = (head[5] << 16) | (head[6] << 8) | head[7]
            payload = await self.reader.readexactly(size)
            if head[0] & 0x80 == 0:
                kind = self.kinds.get(_read_u32(head, 0) & 0x7FFFFFFF, "?")
                answer.received[kind] = answer.received.get(kind, b"") + payload
                if head[4] & 1:
                    answer.finished.add(kind)
                continue
            frame_type = (head[2] << 8) | head[3]
            if frame_type == 2:  # SYN_REPLY: its (empty) header block still moves the inflater
                self.inflate.decompress(payload[4:])
                answer.replied.add(self.kinds[_read_u32(payload, 0)])
                if len(answer.replied) == len(self.kinds):
                    self.opened.set()
            elif frame_type == 3:
                answer.resets[self.kinds.get(_read_u32(payload, 0), "?")] = _read_u32(payload, 4)
            elif frame_type == 6:
                answer.pings.append(_read_u32(payload, 0))
            elif frame_type == 7:
                answer.goaway = _read_u32(payload, 4)
            elif frame_type == 9:
                answer.window_updates += 1
                target, delta = _read_u32(payload, 0), _read_u32(payload, 4)
                if target == 0:
                    self.session_window += delta
                else:
                    self.windows[target] = self.windows.get(target, 0) + delta
                window_opened.set()


async def spdy_exec(
    *,
    host: str,
    port: int,
    path: str,
    tls: ssl.SSLContext | None,
    protocols: tuple[str, ...] = ("v4.channel.k8s.io",),
    streams: tuple[str, ...] = ("error", "stdout", "stderr"),
    stdin: bytes | None = None,
    resize: dict[str, int] | None = None,
    ping: int | None = None,
    preamble: bytes = b"",
    strict_windows: bool = True,
) -> ExecAnswer:
    """One exec: `path` carries the query (command, stdin, stdout, stderr, tty); `preamble`
    is written as is right after the 101, before any stream is opened. Without
    `strict_windows` stdin ignores the server's windows, as client-go's spdystream does."""
    async with asyncio.timeout(DEADLINE_SECONDS):
        reader, writer = await asyncio.open_connection(host, port, ssl=tls, limit=1 << 20)
        try:
            return await _exchange(
                reader,
                writer,
                host,
                port,
                path,
                protocols,
                streams,
                stdin,
                resize,
                ping,
                preamble,
                strict_windows,
            )
        finally:
            writer.close()


async def _exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    port: int,
    path: str,
    protocols: tuple[str, ...],
    streams: tuple[str, ...],
    stdin: bytes | None,
    resize: dict[str, int] | None,
    ping: int | None,
    preamble: bytes,
    strict_windows: bool,
) -> ExecAnswer:
    request = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: Upgrade"]
    request += ["Upgrade: SPDY/3.1", "Content-Length: 0"]
    request += [f"X-Stream-Protocol-Version: {protocol}" for protocol in protocols]
    writer.write(("\r\n".join(request) + "\r\n\r\n").encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = [
        (k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in head[1:]) if k
    ]
    answer = ExecAnswer(status=int(head[0].split()[1]), headers=headers)
    if answer.status != 101:
        length = int(answer.header("Content-Length")[0]) if answer.header("Content-Length") else 0
        answer.body = await reader.readexactly(length)
        return answer
    client = _Client(reader, writer)
    client.strict = strict_windows
    writer.write(preamble)
    ids = {kind: 1 + 2 * index for index, kind in enumerate(streams)}
    for kind, stream_id in ids.items():
        client.syn_stream(stream_id, kind)
    if ping is not None:
        client.control(6, _u32(ping))
    window_opened = asyncio.Event()
    reading = asyncio.create_task(client.frames(answer, window_opened))
    replies = asyncio.create_task(client.opened.wait())
    await asyncio.wait([reading, replies], return_when=asyncio.FIRST_COMPLETED)
    replies.cancel()
    if resize is not None and "resize" in ids:
        client.data(ids["resize"], json.dumps(resize).encode() + b"\n")
    if stdin is not None and "stdin" in ids:
        await client.send(ids["stdin"], stdin, window_opened=window_opened)
    await reading
    return answer
