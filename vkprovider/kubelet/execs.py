"""`kubectl exec` on the virtual node: the kubelet's `/exec/...` over WebSocket, relayed to ECI.

A kubelet serves `/exec/{namespace}/{pod}/{container}?command=...&stdin=...&tty=...`
as a streaming upgrade. This one speaks WebSocket with the remote-command
subprotocols `v5.channel.k8s.io` and `v4.channel.k8s.io` (framing: one
leading channel byte, 0 stdin, 1 stdout, 2 stderr, 3 a `metav1.Status` JSON
that carries the exit code, 4 terminal resize; v5 adds 255 to close a
channel), using aiohttp's WebSocket support. SPDY/3.1, what kube-apiserver
speaks to kubelets, is served by `vkprovider.kubelet.spdyexecs` with the same
ECI session behind it.

ECI runs the command: ExecContainerCommand (not Sync) gives a WebSocketUri
whose session carries the same channel framing, so the agent relays frames
both ways and never interprets the command. Errors before the session opens
(no such Pod, no group yet, ECI refusing) go out on the error channel as a
`Status`, which `kubectl exec` prints. `/attach/...` is refused the same
way: ECI has no attach to a container's main process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN_CHANNEL, ERROR_CHANNEL, RESIZE_CHANNEL, CLOSE_CHANNEL = 0, 3, 4, 255
CONNECT_TIMEOUT_SECONDS = 10.0

SessionOpener = Callable[..., Awaitable[str]]


def failure_status(
    message: str, *, reason: str = "InternalError", code: int = 500
) -> dict[str, Any]:
    """The `metav1.Status` of an exec that could not start, as `kubectl exec` prints it."""
    return {
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def failure(message: str, *, reason: str = "InternalError", code: int = 500) -> bytes:
    status = failure_status(message, reason=reason, code=code)
    return bytes([ERROR_CHANNEL]) + json.dumps(status).encode()


async def _relay_down(
    upstream: aiohttp.ClientWebSocketResponse, down: web.WebSocketResponse
) -> None:
    async for message in upstream:
        if message.type is aiohttp.WSMsgType.BINARY:
            await down.send_bytes(message.data)
        elif message.type is aiohttp.WSMsgType.TEXT:
            await down.send_str(message.data)
        else:
            break


async def _relay_up(down: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse) -> None:
    async for message in down:
        if message.type is aiohttp.WSMsgType.BINARY:
            await upstream.send_bytes(message.data)
        elif message.type is aiohttp.WSMsgType.TEXT:
            await upstream.send_str(message.data)
        else:
            break


async def relay(
    *, request: web.Request, session_uri: Callable[[], Awaitable[str]]
) -> web.WebSocketResponse:
    """Upgrade, open ECI's session for the command, relay until ECI's side ends."""
    down = web.WebSocketResponse(protocols=PROTOCOLS)
    await down.prepare(request)
    try:
        try:
            uri = await session_uri()
        except web.HTTPException as exc:
            reason = "NotFound" if exc.status == 404 else "BadRequest"
            await down.send_bytes(failure(exc.text or exc.reason, reason=reason, code=exc.status))
            return down
        protocol = down.ws_protocol or PROTOCOLS[0]
        timeout = aiohttp.ClientWSTimeout(ws_close=CONNECT_TIMEOUT_SECONDS)
        async with (
            aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT_SECONDS)
            ) as http,
            http.ws_connect(uri, protocols=[protocol], timeout=timeout) as upstream,
        ):
            upward = asyncio.create_task(_relay_up(down, upstream), name="exec-stdin")
            try:
                await _relay_down(upstream, down)
            finally:
                upward.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await upward
    except aiohttp.WSServerHandshakeError as exc:
        await down.send_bytes(failure(f"ECI refused the exec session: {exc.status} {exc.message}"))
    except aiohttp.ClientError as exc:
        await down.send_bytes(failure(f"cannot reach ECI's exec session: {exc}"))
    finally:
        await down.close()
    return down


def exec_options(request: web.Request) -> dict[str, Any]:
    """The command and streams `kubectl exec` asked for (repeated `command` parameters)."""
    command = request.query.getall("command", [])
    if not command:
        raise web.HTTPBadRequest(text="you must specify at least 1 command")
    flags = {
        name: request.query.get(name, "").lower() in {"1", "true"} for name in ("stdin", "tty")
    }
    return {"command": command, **flags}
