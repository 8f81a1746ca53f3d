"""SPDY/3.1 upgrades to a kubelet, proxied as bytes, as kube-apiserver's upgrade-aware proxy does.

`kubectl exec` with `KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false` (and any client-go
SPDY client) asks for `Upgrade: SPDY/3.1`. kube-apiserver does not read SPDY:
it sends the request on to the kubelet with the client's `Connection`,
`Upgrade` and `X-Stream-Protocol-Version` headers (as itself, with its kubelet
client certificate, not the user's credentials), and if the kubelet answers
101 it passes that answer back and then copies bytes both ways until either
side closes. Any other answer from the kubelet goes back to the client as the
kubelet gave it (status, content type, body), which client-go reports as
"unable to upgrade connection: ...".

aiohttp's HTTP parser treats only WebSocket upgrades as upgrades, so once the
101 is on its way the connection's bytes are taken from it (`set_parser`,
the hook aiohttp's own WebSocket uses); the client sends nothing before it has
read the 101, so no byte reaches the HTTP parser in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from localkube.errors import ApiError, Reason
from localkube.logs import KUBELET_CONNECT_TIMEOUT_SECONDS, MAX_KUBELET_ERROR_BYTES

FORWARDED_HEADERS = ("Connection", "Upgrade", "X-Stream-Protocol-Version", "User-Agent")
"""What the client said that the kubelet needs; credentials stay with the API server."""
ANSWERED_HEADERS = ("Connection", "Upgrade", "X-Stream-Protocol-Version")
MAX_HEAD_BYTES = 64 * 1024
COPY_CHUNK_BYTES = 64 * 1024


class _ToKubelet:
    """aiohttp's parser interface: the client's bytes, written on to the kubelet."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        if not self._writer.is_closing():
            self._writer.write(data)
        return False, b""

    def feed_eof(self) -> None:
        if not self._writer.is_closing() and self._writer.can_write_eof():
            with contextlib.suppress(OSError, RuntimeError):
                self._writer.write_eof()


def _tls(url: str, tls: ssl.SSLContext | bool) -> ssl.SSLContext | None:
    if urlsplit(url).scheme != "https":
        return None
    if isinstance(tls, ssl.SSLContext):
        return tls
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _request_head(
    method: str, url: str, params: list[tuple[str, str]], headers: list[tuple[str, str]]
) -> bytes:
    parts = urlsplit(url)
    target = parts.path + ("?" + urlencode(params) if params else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _parse_head(head: bytes) -> tuple[int, list[tuple[str, str]]]:
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    fields = status_line.split(" ", 2)
    if len(fields) < 2 or not fields[1].isdigit():
        raise ValueError(f"not an HTTP answer: {status_line!r}")
    headers = []
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers.append((name.strip(), value.strip()))
    return int(fields[1]), headers


async def _copy_down(reader: asyncio.StreamReader, response: web.StreamResponse) -> None:
    while chunk := await reader.read(COPY_CHUNK_BYTES):
        await response.write(chunk)


async def open_upgrade(
    *,
    method: str,
    url: str,
    params: list[tuple[str, str]],
    headers: list[tuple[str, str]],
    tls: ssl.SSLContext | bool,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, int, list[tuple[str, str]]]:
    """Send an upgrade request to the kubelet; its status and headers, the rest unread."""
    parts = urlsplit(url)
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                parts.hostname, parts.port, ssl=_tls(url, tls), limit=MAX_HEAD_BYTES
            ),
            KUBELET_CONNECT_TIMEOUT_SECONDS,
        )
    except (OSError, TimeoutError) as exc:
        raise ApiError(
            code=500, reason=Reason.INTERNAL_ERROR, message=f'Post "{url}": {exc or "timeout"}'
        ) from exc
    try:
        writer.write(_request_head(method, url, params, headers))
        head = await asyncio.wait_for(
            reader.readuntil(b"\r\n\r\n"), KUBELET_CONNECT_TIMEOUT_SECONDS
        )
        status, answer_headers = _parse_head(head[:-4])
    except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
        writer.close()
        raise ApiError(
            code=500,
            reason=Reason.INTERNAL_ERROR,
            message=f"error proxying the upgrade to the kubelet: {exc}",
        ) from exc
    return reader, writer, status, answer_headers


async def read_refusal(reader: asyncio.StreamReader, headers: list[tuple[str, str]]) -> bytes:
    """The body of a kubelet's non-101 answer (at most MAX_KUBELET_ERROR_BYTES)."""
    fields = {name.lower(): value for name, value in headers}
    length = fields.get("content-length", "")
    size = min(int(length), MAX_KUBELET_ERROR_BYTES) if length.isdigit() else 0
    return await reader.readexactly(size) if size else b""


async def proxy(
    request: web.Request,
    *,
    url: str,
    params: list[tuple[str, str]],
    tls: ssl.SSLContext | bool,
) -> web.StreamResponse:
    forwarded = [
        (name, value) for name in FORWARDED_HEADERS for value in request.headers.getall(name, [])
    ]
    reader, writer, status, headers = await open_upgrade(
        method=request.method, url=url, params=params, headers=forwarded, tls=tls
    )
    try:
        if status != 101:
            return await _echo(reader, status, headers)
        answered = [(name, value) for name, value in headers if name.title() in ANSWERED_HEADERS]
        response = web.StreamResponse(status=101)
        for name, value in answered:
            response.headers.add(name, value)
        response.force_close()
        request.protocol.set_parser(cast(Any, _ToKubelet(writer)))
        await response.prepare(request)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await _copy_down(reader, response)
            await response.write_eof()
        return response
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()


async def _echo(
    reader: asyncio.StreamReader, status: int, headers: list[tuple[str, str]]
) -> web.Response:
    """The kubelet's refusal, as it gave it (kube-apiserver copies a non-101 answer through)."""
    fields = {name.lower(): value for name, value in headers}
    answer = web.Response(status=status, body=await read_refusal(reader, headers))
    if "content-type" in fields:
        answer.headers["Content-Type"] = fields["content-type"]
    for name, value in headers:
        if name.lower() == "x-accepted-stream-protocol-versions":
            answer.headers.add(name, value)
    return answer
