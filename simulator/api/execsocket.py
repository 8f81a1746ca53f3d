"""The WebSocket behind ExecContainerCommand's `WebSocketUri`.

One session per token (`simulator.operations.execs`): the upgrade is refused
with ECI's error body when the token is bad or the container not running;
otherwise the command's output goes out in the Kubernetes remote-command
channel framing (`v4.channel.k8s.io` and `v5.channel.k8s.io`: a leading
channel byte, 1 stdout, 2 stderr, 3 the `metav1.Status` with the exit code;
stdin comes in on 0, and in v5 a `[255, 0]` message closes stdin). A command
that sleeps waits on the simulator's clock; one that reads stdin (`cat`)
echoes it until stdin closes. It never runs anything.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web

from simulator.engine.execcommands import ExecResult
from simulator.errors import EciError
from simulator.timemodel.clock import Clock

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255

Opener = Callable[[str], Awaitable[tuple[Any, ExecResult]]]
LineRunner = Callable[[Any, str], Awaitable[ExecResult]]
PROMPT = "# "


def exit_status(exit_code: int, command: tuple[str, ...]) -> dict[str, Any]:
    """The `metav1.Status` a kubelet sends on the error channel when a command ends."""
    if exit_code == 0:
        return {"metadata": {}, "status": "Success"}
    return {
        "metadata": {},
        "status": "Failure",
        "message": (
            f"command terminated with non-zero exit code: error executing command "
            f"[{' '.join(command)}], exit code {exit_code}"
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(exit_code)}]},
    }


class ExecSockets:
    """Serves `/exec/session?token=...` for one service."""

    def __init__(self, *, open_session: Opener, run_line: LineRunner, clock: Clock) -> None:
        self._open = open_session
        self._run_line = run_line
        self._clock = clock

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            session, result = await self._open(request.query.get("token", ""))
        except EciError as error:
            return web.json_response(
                {"Code": error.code, "Message": error.message}, status=error.http_status
            )
        socket = web.WebSocketResponse(protocols=PROTOCOLS)
        await socket.prepare(request)
        try:
            await self._play(socket, session, result)
        finally:
            await socket.close()
        return socket

    async def _play(self, socket: web.WebSocketResponse, session: Any, result: ExecResult) -> None:
        if result.stdout:
            await socket.send_bytes(bytes([STDOUT]) + bytes(result.stdout))
        if result.stderr:
            await socket.send_bytes(bytes([STDERR]) + bytes(result.stderr))
        if result.interactive_shell and session.stdin:
            code = await self._shell(socket, session)
            await socket.send_bytes(
                bytes([ERROR]) + json.dumps(exit_status(code, session.command)).encode()
            )
            return
        if result.reads_stdin and session.stdin:
            await self._echo_stdin(socket)
        elif math.isinf(result.seconds):
            await self._until_closed(socket)
            return
        elif result.seconds > 0:
            await self._clock.sleep_until(self._clock.now() + timedelta(seconds=result.seconds))
        status = exit_status(result.exit_code, session.command)
        await socket.send_bytes(bytes([ERROR]) + json.dumps(status).encode())

    async def _echo_stdin(self, socket: web.WebSocketResponse) -> None:
        async for message in socket:
            if message.type is not aiohttp.WSMsgType.BINARY or not message.data:
                continue
            channel, data = message.data[0], message.data[1:]
            if channel == STDIN and data:
                await socket.send_bytes(bytes([STDOUT]) + data)
            elif channel == CLOSE and data[:1] == bytes([STDIN]):
                return

    async def _shell(self, socket: web.WebSocketResponse, session: Any) -> int:
        """Run each line read from stdin as a script; the status of the last, or `exit`'s."""
        newline = "\r\n" if session.tty else "\n"
        prompt = bytes([STDOUT]) + PROMPT.encode()  # a shell prompts only on a terminal
        if session.tty:
            await socket.send_bytes(prompt)
        buffer, status = "", 0
        async for message in socket:
            if message.type is not aiohttp.WSMsgType.BINARY or not message.data:
                continue
            channel, data = message.data[0], message.data[1:]
            if channel == CLOSE and data[:1] == bytes([STDIN]):
                return status
            if channel != STDIN:
                continue  # terminal resizes and the like change nothing here
            text = data.decode(errors="replace")
            if session.tty:
                await socket.send_bytes(bytes([STDOUT]) + text.replace("\r", "\r\n").encode())
                text = text.replace("\r", "\n")
            buffer += text
            while "\n" in buffer:
                line, buffer = buffer.split("\n", 1)
                if not line.strip():
                    if session.tty:
                        await socket.send_bytes(prompt)
                    continue
                try:
                    result = await self._run_line(session, line)
                except EciError as error:
                    await socket.send_bytes(bytes([STDERR]) + f"{error.message}{newline}".encode())
                    return 137
                for channel_id, output in ((STDOUT, result.stdout), (STDERR, result.stderr)):
                    if output:
                        shown = bytes(output).replace(b"\n", newline.encode())
                        await socket.send_bytes(bytes([channel_id]) + shown)
                status = result.exit_code
                if line.split()[0] == "exit":
                    return status
                if session.tty:
                    await socket.send_bytes(prompt)
        return status

    async def _until_closed(self, socket: web.WebSocketResponse) -> None:
        async for _ in socket:
            pass
