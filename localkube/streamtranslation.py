"""kubectl's WebSocket exec turned into SPDY/3.1 towards the kubelet, as kube-apiserver v1.30+ does.

kube-apiserver's StreamTranslator (feature TranslateStreamCloseWebsocketRequests,
on by default since v1.30) takes a `pods/exec` or `pods/attach` WebSocket
upgrade that offers `v5.channel.k8s.io` (what kubectl v1.30+ sends), accepts
it itself, and runs the command on the kubelet as client-go's SPDY executor
would: POST with `Upgrade: SPDY/3.1`, offering v5, v4, v3, v2 and v1, one
stream per channel. Stdin (channel 0) goes to the stdin stream and v5's close
signal (255, 0) half-closes it; terminal sizes (channel 4) are sent again as
the executor encodes them; stdout and stderr come back on channels 1 and 2.
The command's end is the kubelet's error stream, decoded as client-go does
and written on channel 3 as the apiserver writes it: Success; for an exit
code, Failure/NonZeroExitCode with the `ExitCode` cause; anything else the
executor reports (a refused upgrade, a kubelet's own failure message) as an
InternalError. A v4 WebSocket (kubernetes_asyncio's `WsApiClient`) is not
translated: it is proxied to the kubelet's WebSocket as before (`streaming`).

So the embedded server drives the agent's kubelet over the same SPDY path a
real cluster does for every `kubectl exec`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from typing import Any

import aiohttp
from aiohttp import web

from localkube.errors import ApiError
from localkube.rawupgrades import open_upgrade, read_refusal
from localkube.spdyclient import ClientSession, SpdyClientError

V5 = "v5.channel.k8s.io"
SPDY_OFFER = (V5, "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io")
"""What client-go's SPDY executor offers, in its order."""
TRANSLATED = ("exec", "attach")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
STREAM_REPLY_TIMEOUT_SECONDS = 30.0
"""How long the kubelet has to answer the streams (client-go's stream creation timeout)."""

Status = dict[str, Any]


def wants_translation(request: web.Request, subresource: str) -> bool:
    if subresource not in TRANSLATED or request.headers.get("Upgrade", "").lower() != "websocket":
        return False
    offered = request.headers.get("Sec-WebSocket-Protocol", "").split(",")
    return V5 in (p.strip() for p in offered)


def internal_error(message: str) -> Status:
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"Internal error occurred: {message}",
        "reason": "InternalError",
        "details": {"causes": [{"message": message}]},
        "code": 500,
    }


def _exit_status(code: int) -> Status:
    return {
        "metadata": {},
        "status": "Failure",
        "message": (
            f"command terminated with non-zero exit code: command terminated with exit code {code}"
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def decode_error_stream(raw: bytes, protocol: str) -> Status:
    """The kubelet's error stream as client-go reads it, then as the translator writes it."""
    if protocol not in (V5, "v4.channel.k8s.io"):
        if not raw:
            return {"metadata": {}, "status": "Success"}
        return internal_error(f"error executing remote command: {raw.decode(errors='replace')}")
    if not raw:
        return {"metadata": {}, "status": "Success"}
    try:
        status = json.loads(raw)
    except ValueError as exc:
        return internal_error(
            f"error stream protocol error: {exc} in {json.dumps(raw.decode(errors='replace'))}"
        )
    if status.get("status") == "Success":
        return {"metadata": {}, "status": "Success"}
    if status.get("status") != "Failure":
        return internal_error("error stream protocol error: unknown error")
    if status.get("reason") != "NonZeroExitCode":
        return internal_error(str(status.get("message", "")))
    for cause in (status.get("details") or {}).get("causes") or []:
        if cause.get("reason") == "ExitCode":
            message = str(cause.get("message", ""))
            if not message.isdigit() or int(message) > 255:
                return internal_error(
                    f"error stream protocol error: invalid exit code value {json.dumps(message)}"
                )
            return _exit_status(int(message))
    return internal_error("error stream protocol error: no ExitCode cause given")


def _refusal(body: bytes) -> Status:
    """client-go's error for a kubelet that did not upgrade: its Status, or its text."""
    with contextlib.suppress(ValueError, AttributeError):
        status = json.loads(body)
        if status.get("kind") == "Status":
            return dict(status)
    return internal_error(f"unable to upgrade connection: {body.decode(errors='replace').strip()}")


async def _client_to_kubelet(
    down: web.WebSocketResponse, session: ClientSession, streams: list[str]
) -> None:
    async for message in down:
        if message.type is not aiohttp.WSMsgType.BINARY:
            if message.type is aiohttp.WSMsgType.TEXT:
                continue
            break
        if not message.data:
            continue
        channel, data = message.data[0], bytes(message.data[1:])
        if channel == STDIN and "stdin" in streams:
            await session.send("stdin", data)
        elif channel == CLOSE and data[:1] == bytes([STDIN]) and "stdin" in streams:
            await session.send("stdin", b"", fin=True)
        elif channel == RESIZE and "resize" in streams:
            with contextlib.suppress(ValueError, AttributeError):
                size = json.loads(data)
                encoded = {"Width": int(size.get("Width", 0)), "Height": int(size.get("Height", 0))}
                await session.send(
                    "resize", json.dumps(encoded, separators=(",", ":")).encode() + b"\n"
                )
    session.hang_up()  # the client closed its socket (Ctrl-C): a `sleep` must not run on


async def _kubelet_to_client(
    session: ClientSession, kind: str, channel: int, down: web.WebSocketResponse
) -> None:
    while chunk := await session.read(kind):
        if not down.closed:
            await down.send_bytes(bytes([channel]) + chunk)


async def _read_all(session: ClientSession, kind: str) -> bytes:
    collected = b""
    while chunk := await session.read(kind):
        collected += chunk
    return collected


async def _run(
    down: web.WebSocketResponse,
    *,
    url: str,
    params: list[tuple[str, str]],
    tls: ssl.SSLContext | bool,
    flags: dict[str, bool],
) -> Status:
    headers = [("Connection", "Upgrade"), ("Upgrade", "SPDY/3.1")]
    headers += [("X-Stream-Protocol-Version", p) for p in SPDY_OFFER]
    reader, writer, status, answer = await open_upgrade(
        method="POST", url=url, params=params, headers=headers, tls=tls
    )
    try:
        if status != 101:
            return _refusal(await read_refusal(reader, answer))
        protocol = next(
            (v for k, v in answer if k.lower() == "x-stream-protocol-version"), "channel.k8s.io"
        )
        streams = ["error"] + [k for k in ("stdin", "stdout", "stderr") if flags[k]]
        if flags["tty"]:
            streams = [k for k in streams if k != "stderr"]
            if protocol not in ("v2.channel.k8s.io", "channel.k8s.io"):
                streams.append("resize")
        session = ClientSession(reader, writer)
        for kind in streams:
            session.open(kind)
        frames = asyncio.create_task(session.run(), name="spdy-kubelet")
        upward: asyncio.Task[None] | None = None
        try:
            async with asyncio.timeout(STREAM_REPLY_TIMEOUT_SECONDS):
                await session.replies()
            upward = asyncio.create_task(_client_to_kubelet(down, session, streams))
            outputs = [
                _kubelet_to_client(session, kind, channel, down)
                for kind, channel in (("stdout", STDOUT), ("stderr", STDERR))
                if kind in streams
            ]
            await asyncio.gather(*outputs)
            raw = await _read_all(session, "error")
            if session.reset:
                return internal_error(session.reset)
            return decode_error_stream(raw, protocol)
        except (SpdyClientError, TimeoutError) as exc:
            return internal_error(str(exc) or "timed out waiting for the kubelet's stream replies")
        finally:
            writer.close()
            await frames
            if upward is not None:
                # It only waits on the client's socket; the command is over, so nothing
                # it could be sending matters any more.
                upward.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
                    await upward
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()


async def translate(
    request: web.Request,
    *,
    url: str,
    params: list[tuple[str, str]],
    tls: ssl.SSLContext | bool,
) -> web.WebSocketResponse:
    flags = {
        name: request.query.get(name, "").lower() in {"1", "true"}
        for name in ("stdin", "stdout", "stderr", "tty")
    }
    down = web.WebSocketResponse(protocols=(V5,))
    await down.prepare(request)
    try:
        status = await _run(down, url=url, params=params, tls=tls, flags=flags)
    except ApiError as exc:
        status = internal_error(exc.message)
    try:
        if not down.closed:
            await down.send_bytes(bytes([ERROR]) + json.dumps(status).encode())
    except (ConnectionError, RuntimeError):
        pass
    finally:
        await down.close()
    return down
