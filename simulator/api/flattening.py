"""Un-flattening of RPC-style parameters into the nested values the service reads.

The SDK sends nested request models as flat keys: lists become 1-based
indices (`Container.1.EnvironmentVar.2.Key`) and objects become dotted names
(`DnsConfig.NameServer.1`). This module turns those pairs back into dicts and
lists. Values stay the strings sent on the wire: converting and validating
types is the service's job, because only it knows each parameter's type.
It never guesses: a key that is both a value and a container is refused with
an error naming the key. Work is bounded: a name has at most 10 segments (the
deepest ECI parameter, `Volume.1.ConfigFileVolume.ConfigFileToPath.1.Content`,
has 6) and a list index is at most 10,000 (ECI lists hold at most a few
hundred items), so a 10,000-segment name or a 5,000-digit index is an
`InvalidParameter` naming the key, never a RecursionError.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simulator.errors import InvalidParameter

_Node = dict[str, Any]

MAX_SEGMENTS = 10
"""Dot-separated segments of one parameter name."""
MAX_INDEX = 10_000
"""The largest list index (`Container.10000.Name`)."""


def unflatten(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nest `(flat key, value)` pairs: `[("Tag.1.Key", "a")]` → `{"Tag": [{"Key": "a"}]}`.

    Lists keep the order of their indices; gaps in the indices are closed (the
    SDK never sends gaps). A later duplicate of the same key replaces the
    earlier value.
    """
    root: _Node = {}
    for key, value in pairs:
        if "." not in key:
            if isinstance(root.get(key), dict):
                raise _conflict(key)
            root[key] = value
            continue
        segments = key.split(".", MAX_SEGMENTS)
        if len(segments) > MAX_SEGMENTS:
            raise InvalidParameter(
                f"{key[:64]}...: more than {MAX_SEGMENTS} dot-separated segments in the"
                " parameter name"
            )
        node = root
        for depth, segment in enumerate(segments[:-1]):
            if not segment:
                raise InvalidParameter(f"{key}: empty segment in the parameter name")
            _check_index(key, segment)
            child = node.get(segment)
            if child is None:
                child = node[segment] = {}
            elif not isinstance(child, dict):
                raise _conflict(".".join(segments[: depth + 1]))
            node = child
        last = segments[-1]
        if not last:
            raise InvalidParameter(f"{key}: empty segment in the parameter name")
        _check_index(key, last)
        if isinstance(node.get(last), dict):
            raise _conflict(key)
        node[last] = value
    return {name: _listify(name, child) for name, child in root.items()}


def _listify(path: str, node: Any) -> Any:
    """Turn dicts whose keys are all positive integers into lists, in index order."""
    if not isinstance(node, dict):
        return node
    if node and all(_is_index(segment) for segment in node):
        ordered = sorted(node.items(), key=lambda item: int(item[0]))
        return [_listify(f"{path}.{index}", child) for index, child in ordered]
    if any(_is_index(segment) for segment in node):
        names = ", ".join(f"{path}.{segment}" for segment in sorted(node))
        raise InvalidParameter(f"{path}: mixes list indices and field names ({names})")
    return {name: _listify(f"{path}.{name}", child) for name, child in node.items()}


def _check_index(key: str, segment: str) -> None:
    if _is_index(segment) and (len(segment) > 5 or int(segment) > MAX_INDEX):
        raise InvalidParameter(f"{key}: list index {segment[:16]} is above {MAX_INDEX}")


def _is_index(segment: str) -> bool:
    return segment.isascii() and segment.isdigit() and segment[0] != "0"


def _conflict(key: str) -> InvalidParameter:
    return InvalidParameter(f"{key}: given both as a value and as a list or object")
