"""The client end of a SPDY/3.1 session with a kubelet, as kube-apiserver's translator holds it.

What client-go's SPDY executor does on a connection the kubelet has upgraded:
open one stream per remote-command channel (SYN_STREAM with a `streamtype`
header, client stream ids odd and rising), wait for each SYN_REPLY, send DATA
(stdin, terminal sizes) and FIN, and read DATA until each stream's FIN or the
connection's end. Like client-go's spdystream it keeps no windows (it never
sends WINDOW_UPDATE and ignores the kubelet's); it echoes the kubelet's PINGs.

The agent has the server end (`vkprovider.kubelet.spdyframes`); the embedded
API server may not import the agent, so the few frames a client needs are
written here again, from the SPDY/3.1 draft.
"""

from __future__ import annotations

import asyncio
import struct
import zlib

from localkube.spdydictionary import DICTIONARY

_HEAD = struct.Struct(">IB3s")
_SYN_STREAM, _SYN_REPLY, _RST_STREAM, _PING, _GOAWAY = 1, 2, 3, 6, 7
_FIN = 0x01
_ID_MASK = 0x7FFFFFFF
MAX_FRAME_BYTES = 1 << 20


class SpdyClientError(Exception):
    """The kubelet broke the framing, reset a stream, or went away before replying."""


class ClientSession:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._deflate = zlib.compressobj(zdict=DICTIONARY)
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)
        self._next_id = 1
        self._kinds: dict[int, str] = {}
        self._inbound: dict[str, asyncio.Queue[bytes]] = {}
        self._replied: dict[int, asyncio.Event] = {}
        self.reset: str = ""

    def _control(self, kind: int, payload: bytes, flags: int = 0) -> None:
        first = 0x80000000 | (3 << 16) | kind
        self._writer.write(_HEAD.pack(first, flags, len(payload).to_bytes(3, "big")) + payload)

    def open(self, kind: str) -> None:
        """SYN_STREAM for one channel (`error`, `stdin`, `stdout`, `stderr`, `resize`)."""
        stream_id, self._next_id = self._next_id, self._next_id + 2
        block = struct.pack(">I", 1)
        for text in ("streamtype", kind):
            block += struct.pack(">I", len(text)) + text.encode()
        compressed = self._deflate.compress(block) + self._deflate.flush(zlib.Z_SYNC_FLUSH)
        self._control(_SYN_STREAM, struct.pack(">IIH", stream_id, 0, 0) + compressed)
        self._kinds[stream_id] = kind
        self._inbound[kind] = asyncio.Queue()
        self._replied[stream_id] = asyncio.Event()

    async def replies(self) -> None:
        """Until the kubelet has answered every stream opened (client-go waits the same)."""
        for event in self._replied.values():
            await event.wait()
        if self.reset:
            raise SpdyClientError(self.reset)

    async def send(self, kind: str, data: bytes, *, fin: bool = False) -> None:
        if not data and not fin:
            return
        stream_id = next(i for i, k in self._kinds.items() if k == kind)
        for start in range(0, max(len(data), 1), 16384):
            chunk = data[start : start + 16384]
            last = fin and start + 16384 >= len(data)
            self._writer.write(
                _HEAD.pack(stream_id, _FIN if last else 0, len(chunk).to_bytes(3, "big")) + chunk
            )
            await self._writer.drain()

    def hang_up(self) -> None:
        """Close the connection: the kubelet ends the command (its client went away)."""
        self._writer.close()

    async def read(self, kind: str) -> bytes:
        """The next bytes of a stream; b"" at its end."""
        queue = self._inbound[kind]
        chunk = await queue.get()
        if not chunk:
            queue.put_nowait(b"")
        return chunk

    def _end_all(self) -> None:
        for queue in self._inbound.values():
            queue.put_nowait(b"")
        for event in self._replied.values():
            event.set()

    async def run(self) -> None:
        """Read the kubelet's frames until the connection ends (or a GOAWAY)."""
        try:
            while True:
                head = await self._reader.readexactly(_HEAD.size)
                first, flags, raw_length = _HEAD.unpack(head)
                length = int.from_bytes(raw_length, "big")
                if length > MAX_FRAME_BYTES:
                    raise SpdyClientError(f"frame of {length} bytes")
                payload = await self._reader.readexactly(length)
                if not first & 0x80000000:
                    kind = self._kinds.get(first & _ID_MASK)
                    if kind is not None:
                        if payload:
                            self._inbound[kind].put_nowait(payload)
                        if flags & _FIN:
                            self._inbound[kind].put_nowait(b"")
                    continue
                if not self._control_frame(first & 0xFFFF, payload):
                    return
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            return
        finally:
            self._end_all()

    def _control_frame(self, kind: int, payload: bytes) -> bool:
        if kind == _SYN_REPLY:
            self._inflate.decompress(payload[4:])  # the (empty) block still moves the inflater
            event = self._replied.get(struct.unpack_from(">I", payload)[0] & _ID_MASK)
            if event is not None:
                event.set()
        elif kind == _RST_STREAM:
            stream_id, status = struct.unpack_from(">II", payload)
            self.reset = f"the kubelet reset stream {self._kinds.get(stream_id)} ({status})"
            return False
        elif kind == _PING:
            self._control(_PING, payload[:4])
        elif kind == _GOAWAY:
            return False
        return True  # SETTINGS, WINDOW_UPDATE, HEADERS: nothing a remote-command client needs
