"""HTTP plumbing shared by the handlers: content negotiation and JSON replies.

Replies are always JSON (kubectl accepts it even when it sends protobuf), as a Table or as
partial metadata only when the client asks for them in `Accept`. Request bodies are read in
`bodies.py` (`read_body` is re-exported here for callers written before the move).
"""

from __future__ import annotations

from aiohttp import web

from localkube import jsonbytes
from localkube.bodies import read_body
from localkube.errors import ApiError
from localkube.queries import go_bool
from localkube.shapes import JsonObject

__all__ = [
    "accepts_metadata_only",
    "accepts_table",
    "flag",
    "json_reply",
    "read_body",
    "render_error",
]


def render_error(error: ApiError) -> web.Response:
    return web.json_response(error.status_body(), status=error.code, headers=error.headers)


def json_reply(body: JsonObject, status: int = 200) -> web.Response:
    return web.Response(
        body=jsonbytes.dumps(body),
        status=status,
        content_type="application/json",
    )


def flag(value: str | None) -> bool:
    """A boolean query parameter, converted as apimachinery does (see `queries.go_bool`)."""
    return go_bool(value)


def accepts_table(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return "as=Table" in accept and "g=meta.k8s.io" in accept


def accepts_metadata_only(request: web.Request) -> bool:
    return "as=PartialObjectMetadata" in request.headers.get("Accept", "")
