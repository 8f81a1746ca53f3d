"""A SPDY/3.1 server session: the streams a remote-command client opens, with flow control.

kube-apiserver (and `kubectl exec` when it falls back from WebSocket) opens
one stream per channel with SYN_STREAM; each is answered with SYN_REPLY at
once (client-go waits for the reply before it writes), carries DATA both ways
and is half-closed with FIN. What this session promises a peer:

* Every stream the peer opens gets a SYN_REPLY; PINGs the peer starts are
  echoed; a GOAWAY ends the session; RST_STREAM ends one stream.
* Inbound flow control as SPDY/3.1 specifies: 64 KiB per stream and for the
  session; a WINDOW_UPDATE goes back once the bytes have been read, so a
  fast stdin waits for a slow container instead of piling up in memory. A
  peer that overruns a window is not reset (client-go's spdystream, which
  kube-apiserver uses, never looks at windows, and kubelets built on it
  accept that); instead the connection stops being read while more than
  `MAX_BUFFERED_BYTES` wait unread, which holds such a peer back by TCP.
* Outbound, the peer's windows are honoured once the peer shows it keeps
  them (sends a WINDOW_UPDATE or an INITIAL_WINDOW_SIZE setting). client-go's
  SPDY library (moby/spdystream) keeps no windows and never sends an update;
  waiting on a window it will never open would hang `kubectl exec` after
  64 KiB of output, which is why a silent peer is not held to one.

It is fed by aiohttp's connection (`feed_data`/`feed_eof`, the parser
interface aiohttp gives an upgraded connection) and writes through an async
callable; it does not know about exec. `run` ends when the peer's bytes end
or `close` is called; nothing is cancelled in the middle of a write.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from vkprovider.kubelet import spdyframes as frames

DEFAULT_WINDOW_BYTES = 64 * 1024
"""SPDY/3.1's initial stream and session window."""
MAX_DATA_FRAME_BYTES = 16 * 1024
"""Outbound DATA is cut into frames of at most this many bytes."""
MAX_BUFFERED_BYTES = 256 * 1024
"""Received DATA not yet read past which the connection is not read (TCP backpressure)."""

Writer = Callable[[bytes], Awaitable[None]]
Switch = Callable[[], None]


class SpdyStream:
    """One stream the peer opened: its headers, what it sent, and a way to answer."""

    def __init__(self, *, session: SpdySession, stream_id: int, headers: frames.Headers) -> None:
        self.stream_id = stream_id
        self.headers = headers
        self._session = session
        self._chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self.receive_window = DEFAULT_WINDOW_BYTES
        self.send_window = session.initial_send_window
        self.remote_closed = False
        self.local_closed = False

    @property
    def kind(self) -> str:
        """The `streamtype` header: error, stdin, stdout, stderr, resize (or data, for ports)."""
        return self.headers.get("streamtype", "")

    def queue(self, data: bytes) -> None:
        if data:
            self._chunks.put_nowait(data)

    def peer_finished(self) -> None:
        if not self.remote_closed:
            self.remote_closed = True
            self._chunks.put_nowait(b"")

    async def read(self) -> bytes:
        """The next bytes the peer sent; b"" once it half-closed (FIN), reset or went away."""
        chunk = await self._chunks.get()
        if not chunk:
            self._chunks.put_nowait(b"")  # every later read sees the end too
            return b""
        await self._session.consumed(self, len(chunk))
        return chunk

    async def write(self, data: bytes) -> None:
        await self._session.send(self, data)

    async def finish(self) -> None:
        """Half-close this side (DATA with FIN): the peer reads to the end."""
        await self._session.send(self, b"", fin=True)


class SpdySession:
    def __init__(
        self,
        *,
        write: Writer,
        pause_reading: Switch | None = None,
        resume_reading: Switch | None = None,
    ) -> None:
        self._write = write
        self._pause_reading = pause_reading
        self._resume_reading = resume_reading
        self._buffered = 0
        self._reading_paused = False
        self._decoder = frames.FrameDecoder()
        self._encoder = frames.FrameEncoder()
        self._inbox: asyncio.Queue[frames.Frame | None] = asyncio.Queue()
        self._accepted: asyncio.Queue[SpdyStream | None] = asyncio.Queue()
        self._streams: dict[int, SpdyStream] = {}
        self._write_lock = asyncio.Lock()
        self._window_opened = asyncio.Event()
        self._last_peer_stream = 0
        self._receive_window = DEFAULT_WINDOW_BYTES
        self._send_window = DEFAULT_WINDOW_BYTES
        self._peer_keeps_windows = False
        self._closed = False
        self.ended = asyncio.Event()
        """Set once the peer's frames are no longer read (it went away, or `close`)."""
        self.protocol_error = ""
        self.initial_send_window = DEFAULT_WINDOW_BYTES

    # aiohttp's parser interface for an upgraded connection

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        if self._closed:
            return False, b""
        try:
            decoded = self._decoder.feed(data)
        except frames.SpdyProtocolError as exc:
            self.protocol_error = str(exc)
            self._inbox.put_nowait(None)
            self._closed = True
            return False, b""
        for frame in decoded:
            self._inbox.put_nowait(frame)
        return False, b""

    def feed_eof(self) -> None:
        self._inbox.put_nowait(None)

    # the session

    async def run(self) -> None:
        """Handle the peer's frames until its bytes end, it goes away, or `close` is called."""
        try:
            while (frame := await self._inbox.get()) is not None:
                if not await self._handle(frame):
                    break
            if self.protocol_error:
                await self._send_frame(
                    self._encoder.goaway(self._last_peer_stream, frames.GoAwayStatus.PROTOCOL_ERROR)
                )
        except (ConnectionError, RuntimeError):
            pass  # the connection is gone; the streams end below
        finally:
            self._closed = True
            for stream in self._streams.values():
                stream.peer_finished()
            self._accepted.put_nowait(None)
            self._window_opened.set()
            self.ended.set()

    async def accept(self) -> SpdyStream | None:
        """The next stream the peer opened (already replied to); None once the session ended."""
        stream = await self._accepted.get()
        if stream is None:
            self._accepted.put_nowait(None)
        return stream

    async def close(self) -> None:
        """GOAWAY (all streams served), then stop `run`."""
        if not self._closed:
            self._closed = True
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self._send_frame(
                    self._encoder.goaway(self._last_peer_stream, frames.GoAwayStatus.OK)
                )
        self._inbox.put_nowait(None)

    async def _send_frame(self, frame: bytes) -> None:
        async with self._write_lock:
            await self._write(frame)

    async def _handle(self, frame: frames.Frame) -> bool:
        if isinstance(frame, frames.SynStream):
            await self._open(frame)
        elif isinstance(frame, frames.Data):
            await self._data(frame)
        elif isinstance(frame, frames.RstStream):
            stream = self._streams.pop(frame.stream_id, None)
            if stream is not None:
                stream.local_closed = True
                stream.peer_finished()
        elif isinstance(frame, frames.HeadersFrame):
            if frame.fin and frame.stream_id in self._streams:
                self._streams[frame.stream_id].peer_finished()
        elif isinstance(frame, frames.Ping):
            if frame.ping_id % 2 == 1:  # the client's; ours would be even, and we send none
                await self._send_frame(self._encoder.ping(frame.ping_id))
        elif isinstance(frame, frames.WindowUpdate):
            self._window_update(frame)
        elif isinstance(frame, frames.Settings):
            self._settings(frame)
        elif isinstance(frame, frames.GoAway):
            return False
        return True

    async def _open(self, frame: frames.SynStream) -> None:
        if frame.stream_id % 2 == 0 or frame.stream_id <= self._last_peer_stream:
            # Client streams are odd and increasing; anything else is refused, as the spec says.
            rst = self._encoder.rst_stream(frame.stream_id, frames.RstStatus.PROTOCOL_ERROR)
            await self._send_frame(rst)
            return
        self._last_peer_stream = frame.stream_id
        stream = SpdyStream(session=self, stream_id=frame.stream_id, headers=frame.headers)
        self._streams[frame.stream_id] = stream
        if frame.unidirectional:
            stream.local_closed = True
        await self._send_frame(self._encoder.syn_reply(frame.stream_id))
        if frame.fin:
            stream.peer_finished()
        self._accepted.put_nowait(stream)

    async def _data(self, frame: frames.Data) -> None:
        stream = self._streams.get(frame.stream_id)
        if stream is None or stream.remote_closed:
            status = (
                frames.RstStatus.INVALID_STREAM
                if stream is None
                else frames.RstStatus.STREAM_ALREADY_CLOSED
            )
            await self._send_frame(self._encoder.rst_stream(frame.stream_id, status))
            return
        size = len(frame.data)
        stream.receive_window -= size
        self._receive_window -= size
        self._buffered += size
        paused = self._reading_paused or self._pause_reading is None
        if self._buffered > MAX_BUFFERED_BYTES and not paused and self._pause_reading:
            self._reading_paused = True
            self._pause_reading()
        stream.queue(frame.data)
        if frame.fin:
            stream.peer_finished()

    async def consumed(self, stream: SpdyStream, size: int) -> None:
        """Bytes the reader took: open the peer's windows by as much."""
        stream.receive_window += size
        self._receive_window += size
        self._buffered -= size
        if self._reading_paused and self._buffered <= MAX_BUFFERED_BYTES // 2:
            self._reading_paused = False
            if self._resume_reading is not None:
                self._resume_reading()
        if self._closed:
            return
        updates = self._encoder.window_update(0, size)
        if not stream.remote_closed:
            updates += self._encoder.window_update(stream.stream_id, size)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self._send_frame(updates)

    def _window_update(self, frame: frames.WindowUpdate) -> None:
        self._peer_keeps_windows = True
        if frame.stream_id == 0:
            self._send_window += frame.delta
        elif (stream := self._streams.get(frame.stream_id)) is not None:
            stream.send_window += frame.delta
        self._window_opened.set()

    def _settings(self, frame: frames.Settings) -> None:
        size = frame.values.get(frames.Setting.INITIAL_WINDOW_SIZE)
        if size is None:
            return
        self._peer_keeps_windows = True
        change, self.initial_send_window = size - self.initial_send_window, size
        for stream in self._streams.values():
            stream.send_window += change
        self._window_opened.set()

    async def send(self, stream: SpdyStream, data: bytes, *, fin: bool = False) -> None:
        if stream.local_closed:
            return
        view = memoryview(data)
        while view or fin:
            size = min(len(view), MAX_DATA_FRAME_BYTES)
            if self._peer_keeps_windows and size:
                while min(stream.send_window, self._send_window) <= 0 and not self._closed:
                    self._window_opened.clear()
                    await self._window_opened.wait()
                size = min(size, stream.send_window, self._send_window)
                if size <= 0:
                    return  # the session ended while the peer's window was shut
            chunk, view = bytes(view[:size]), view[size:]
            last = fin and not view
            stream.send_window -= len(chunk)
            self._send_window -= len(chunk)
            await self._send_frame(self._encoder.data(stream.stream_id, chunk, fin=last))
            if last:
                stream.local_closed = True
                return
