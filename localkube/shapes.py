"""Shapes of the raw JSON the server keeps and sends, and the ids it hands out.

Objects stay plain JSON dicts end to end (that is what a real API server stores and what
clients send), so these aliases only name them; `TypedDict`s describe the few envelopes we
build ourselves.
"""

from __future__ import annotations

from typing import Any, NewType, TypedDict

JsonObject = dict[str, Any]
ResourceVersion = NewType("ResourceVersion", int)
ObjectUid = NewType("ObjectUid", str)


class WatchEventBody(TypedDict):
    """One line of a watch stream."""

    type: str
    object: JsonObject
