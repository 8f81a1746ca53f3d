"""`kubectl exec` the way kube-apiserver asks a kubelet for it: SPDY/3.1, relayed to ECI.

kube-apiserver v1.30+ turns kubectl's WebSocket into SPDY towards the kubelet
(and proxies kubectl's own SPDY fallback unchanged), so this is the exec path
of a real cluster. The handshake follows the kubelet's: the client lists
`X-Stream-Protocol-Version` headers in its order of preference and the first
one served here wins (`v5`, `v4`, `v3`, `v2` `.channel.k8s.io`), answered in
the 101 with `Connection: Upgrade` and `Upgrade: SPDY/3.1`; no common version
is a 403 listing `X-Accepted-Stream-Protocol-Versions`. The client then opens
one stream per channel, named by its `streamType` header: `error`, and
`stdin`, `stdout`, `stderr` as asked for (no `stderr` with a TTY), `resize`
with a TTY (v3 and later). Once they are all there, ECI's ExecContainerCommand
session is opened and relayed: stdout and stderr into their streams, stdin
from its stream (its FIN closes ECI's stdin), each terminal size the client
sends (JSON) onto ECI's resize channel. When ECI's side ends, stdout and
stderr finish, the error stream carries the command's `metav1.Status` (the
exit code as an `ExitCode` cause; v2 and v3 get only a failure's message, as
their clients read it), and the session ends with GOAWAY.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, cast

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from vkprovider.kubelet import execs
from vkprovider.kubelet.spdysessions import SpdySession, SpdyStream

PROTOCOLS = (
    "v5.channel.k8s.io",
    "v4.channel.k8s.io",
    "v3.channel.k8s.io",
    "v2.channel.k8s.io",
)
"""Remote-command versions served over SPDY; the client's order of preference decides."""
JSON_STATUS_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
"""Versions whose error stream carries a JSON `metav1.Status` (v2 and v3: plain text)."""
ECI_PROTOCOL = "v5.channel.k8s.io"
"""What ECI's session is opened with: v5 can close stdin, which a SPDY FIN means."""
STREAM_CREATION_TIMEOUT_SECONDS = 30.0
"""How long the client has to open its streams (the kubelet's default)."""
ERROR, STDIN, STDOUT, STDERR, RESIZE = "error", "stdin", "stdout", "stderr", "resize"
_CHANNEL_STREAMS = {1: STDOUT, 2: STDERR}


def is_spdy_upgrade(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower().startswith("spdy/")


def negotiate(request: web.Request) -> str:
    """The version both sides speak, or the kubelet's 403 (or 400 without upgrade headers)."""
    connection = request.headers.get("Connection", "").lower()
    if "upgrade" not in connection or "spdy/3.1" not in request.headers.get("Upgrade", "").lower():
        raise web.HTTPBadRequest(
            text="unable to upgrade: missing upgrade headers in request (Connection: Upgrade, "
            "Upgrade: SPDY/3.1)"
        )
    offered = request.headers.getall("X-Stream-Protocol-Version", [])
    for protocol in offered:
        if protocol in PROTOCOLS:
            return protocol
    headers = CIMultiDict(("X-Accepted-Stream-Protocol-Versions", p) for p in PROTOCOLS)
    raise web.HTTPForbidden(
        headers=headers,
        text=(
            f"unable to upgrade: unable to negotiate protocol: client supports "
            f"[{' '.join(offered)}], server accepts [{' '.join(PROTOCOLS)}]"
        ),
    )


def expected_streams(request: web.Request, protocol: str) -> set[str]:
    flags = {
        name: request.query.get(name, "").lower() in {"1", "true"}
        for name in ("stdin", "stdout", "stderr", "tty")
    }
    if not (flags["stdin"] or flags["stdout"] or flags["stderr"]):
        raise web.HTTPBadRequest(text="you must specify at least 1 of stdin, stdout, stderr")
    wanted = {ERROR} | {name for name in (STDIN, STDOUT, STDERR) if flags[name]}
    if flags["tty"]:
        wanted.discard(STDERR)
        if protocol != "v2.channel.k8s.io":
            wanted.add(RESIZE)
    return wanted


async def _collect(session: SpdySession, wanted: set[str]) -> dict[str, SpdyStream]:
    streams: dict[str, SpdyStream] = {}
    while set(streams) != wanted:
        stream = await session.accept()
        if stream is None:
            raise ConnectionError("the client went away before opening its streams")
        if stream.kind not in wanted:
            raise ConnectionError(f"unexpected stream type: {stream.kind!r}")
        streams[stream.kind] = stream
    return streams


def _error_text(status: dict[str, Any], protocol: str) -> bytes:
    if protocol in JSON_STATUS_PROTOCOLS:
        return json.dumps(status).encode()
    if status.get("status") == "Success":
        return b""
    return str(status.get("message", "")).encode()


class _Bridge:
    """One exec: the client's SPDY streams on one side, ECI's WebSocket session on the other."""

    def __init__(self, *, streams: dict[str, SpdyStream], protocol: str) -> None:
        self._streams = streams
        self._protocol = protocol
        self._status: dict[str, Any] | None = None

    async def finish(self, status: dict[str, Any] | None = None) -> None:
        """Finish the output streams, then the error stream with the command's Status."""
        status = status or self._status or {"metadata": {}, "status": "Success"}
        for kind in (STDOUT, STDERR):
            if kind in self._streams:
                await self._streams[kind].finish()
        error = self._streams[ERROR]
        text = _error_text(status, self._protocol)
        if text:
            await error.write(text)
        await error.finish()

    async def from_eci(self, upstream: aiohttp.ClientWebSocketResponse) -> None:
        async for message in upstream:
            if message.type is aiohttp.WSMsgType.TEXT or not message.data:
                continue
            if message.type is not aiohttp.WSMsgType.BINARY:
                break
            channel, data = message.data[0], bytes(message.data[1:])
            if channel == execs.ERROR_CHANNEL:
                self._status = json.loads(data)
            elif (kind := _CHANNEL_STREAMS.get(channel)) in self._streams and data:
                await self._streams[kind].write(data)

    async def stdin_to_eci(self, upstream: aiohttp.ClientWebSocketResponse) -> None:
        stdin = self._streams[STDIN]
        while chunk := await stdin.read():
            await upstream.send_bytes(bytes([execs.STDIN_CHANNEL]) + chunk)
        if not upstream.closed:
            await upstream.send_bytes(bytes([execs.CLOSE_CHANNEL, execs.STDIN_CHANNEL]))

    async def resizes_to_eci(self, upstream: aiohttp.ClientWebSocketResponse) -> None:
        decoder, buffer = json.JSONDecoder(), ""
        resize = self._streams[RESIZE]
        while chunk := await resize.read():
            buffer += chunk.decode(errors="replace")
            while buffer.strip():
                try:
                    size, end = decoder.raw_decode(buffer.lstrip())
                except json.JSONDecodeError:
                    break  # the rest of this object is still on its way
                buffer = buffer.lstrip()[end:]
                await upstream.send_bytes(bytes([execs.RESIZE_CHANNEL]) + json.dumps(size).encode())


async def _close_when_gone(session: SpdySession, upstream: aiohttp.ClientWebSocketResponse) -> None:
    """A client that hangs up (Ctrl-C) ends ECI's session too, or a `sleep` would run on."""
    await session.ended.wait()
    await upstream.close()


async def _relay(
    session: SpdySession, bridge: _Bridge, streams: dict[str, SpdyStream], uri: str
) -> None:
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=execs.CONNECT_TIMEOUT_SECONDS)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        http.ws_connect(
            uri,
            protocols=[ECI_PROTOCOL],
            timeout=aiohttp.ClientWSTimeout(ws_close=execs.CONNECT_TIMEOUT_SECONDS),
        ) as upstream,
    ):
        feeders = [
            asyncio.create_task(feed(upstream), name=f"exec-{kind}")
            for kind, feed in ((STDIN, bridge.stdin_to_eci), (RESIZE, bridge.resizes_to_eci))
            if kind in streams
        ]
        feeders.append(asyncio.create_task(_close_when_gone(session, upstream), name="exec-gone"))
        try:
            await bridge.from_eci(upstream)
        finally:
            # The feeders only wait on the client's streams or write to ECI's socket, which
            # is closing: cancelling them interrupts no database or HTTP exchange.
            for task in feeders:
                task.cancel()
            for task in feeders:
                with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
                    await task


async def _exec(
    session: SpdySession,
    *,
    wanted: set[str],
    protocol: str,
    session_uri: Callable[[], Awaitable[str]],
) -> None:
    async with asyncio.timeout(STREAM_CREATION_TIMEOUT_SECONDS):
        streams = await _collect(session, wanted)
    bridge = _Bridge(streams=streams, protocol=protocol)
    try:
        uri = await session_uri()
    except web.HTTPException as exc:
        reason = "NotFound" if exc.status == 404 else "BadRequest"
        await bridge.finish(
            execs.failure_status(exc.text or exc.reason, reason=reason, code=exc.status)
        )
        return
    try:
        await _relay(session, bridge, streams, uri)
    except aiohttp.WSServerHandshakeError as exc:
        message = f"ECI refused the exec session: {exc.status} {exc.message}"
        await bridge.finish(execs.failure_status(message))
        return
    except aiohttp.ClientError as exc:
        await bridge.finish(execs.failure_status(f"cannot reach ECI's exec session: {exc}"))
        return
    await bridge.finish()


async def serve(
    *, request: web.Request, session_uri: Callable[[], Awaitable[str]]
) -> web.StreamResponse:
    """Upgrade to SPDY/3.1, take the client's streams, relay the command to ECI."""
    protocol = negotiate(request)
    wanted = expected_streams(request, protocol)
    response = web.StreamResponse(
        status=101,
        headers={
            "Connection": "Upgrade",
            "Upgrade": "SPDY/3.1",
            "X-Stream-Protocol-Version": protocol,
        },
    )
    response.force_close()
    transport = request.transport
    session = SpdySession(
        write=response.write,
        pause_reading=transport.pause_reading if transport is not None else None,
        resume_reading=transport.resume_reading if transport is not None else None,
    )
    # The client sends no frame before it has read the 101, so nothing reaches aiohttp's
    # HTTP parser once the session is the connection's parser.
    request.protocol.set_parser(cast(Any, session))
    await response.prepare(request)
    frames_task = asyncio.create_task(session.run(), name="spdy-session")
    try:
        await _exec(session, wanted=wanted, protocol=protocol, session_uri=session_uri)
    except (TimeoutError, ConnectionError, RuntimeError):
        pass  # the client is gone or never opened its streams: nobody is left to tell
    finally:
        await session.close()
        await frames_task
        with contextlib.suppress(ConnectionError, RuntimeError):
            await response.write_eof()
    return response
