"""Response bodies in XML, for callers that ask for `Format=XML` (the v1 RPC scheme's default).

ECI renders the same document it would send as JSON: a successful answer is
the root element `<{Action}Response>` holding `RequestId` and the body's
fields, an error is `<Error>` holding `RequestId`, `HostId`, `Code`,
`Message` and `Recommend`. A JSON object becomes child elements, a JSON list
becomes one element per item named after the list's field
(`"Zones": ["a", "b"]` → `<Zones>a</Zones><Zones>b</Zones>`), booleans are
`true`/`false`, and a null is an empty element. Nothing here decides what
goes into a body; it only changes how the body is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

XML_CONTENT_TYPE = "text/xml"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def to_xml(root: str, body: Mapping[str, Any]) -> str:
    """The XML document of `body` under the element `root`."""
    parts: list[str] = [XML_DECLARATION, f"<{root}>"]
    _fields(body, parts)
    parts.append(f"</{root}>")
    return "".join(parts)


def _fields(body: Mapping[str, Any], parts: list[str]) -> None:
    for name, value in body.items():
        _element(str(name), value, parts)


def _element(name: str, value: Any, parts: list[str]) -> None:
    if isinstance(value, list | tuple):
        for item in value:
            _element(name, item, parts)
        return
    parts.append(f"<{name}>")
    if isinstance(value, Mapping):
        _fields(value, parts)
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif value is not None:
        parts.append(escape(str(value)))
    parts.append(f"</{name}>")


def xml_response(
    root: str,
    body: Mapping[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> web.Response:
    return web.Response(
        body=to_xml(root, body).encode(),
        status=status,
        content_type=XML_CONTENT_TYPE,
        charset="utf-8",
        headers=headers,
    )
