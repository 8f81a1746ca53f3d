"""HTTP plumbing shared by the handlers: body decoding, content negotiation, JSON replies.

Bodies come as JSON or YAML (kubectl sends both); replies are always JSON, as a Table or as
partial metadata only when the client asks for them in `Accept`.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from aiohttp import web

from localkube.errors import ApiError, bad_request
from localkube.shapes import JsonObject


def render_error(error: ApiError) -> web.Response:
    return web.json_response(error.status_body(), status=error.code, headers=error.headers)


def json_reply(body: JsonObject, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def flag(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


async def read_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        return None
    content_type = request.content_type
    try:
        if "yaml" in content_type:
            return yaml.safe_load(raw)
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise bad_request(f"the body of the request could not be decoded: {exc}") from exc


def accepts_table(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return "as=Table" in accept and "g=meta.k8s.io" in accept


def accepts_metadata_only(request: web.Request) -> bool:
    return "as=PartialObjectMetadata" in request.headers.get("Accept", "")
