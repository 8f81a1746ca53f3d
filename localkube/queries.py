"""Query parameters read as kube-apiserver's parameter codec reads them.

Integers (`limit`, `timeoutSeconds`, `gracePeriodSeconds`) go through Go's
`strconv.ParseInt`, so `1.5`, `abc` or a value past int64 is a 400 naming the value; booleans
(`watch`, `allowWatchBookmarks`, `force`) are false only when absent, empty, `0` or `false`
(any case), exactly as apimachinery converts them.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from localkube.conversion import SELECTOR_ALIASES, is_events_v1
from localkube.errors import bad_request
from localkube.routing import Target
from localkube.selectors import parse_field_selector, parse_label_selector

_INTEGER = re.compile(r"[+-]?[0-9]+")
INT64_MAX = 2**63 - 1


def go_int(raw: str | None) -> int | None:
    """An int64 query value, None when absent or empty."""
    if raw is None or raw == "":
        return None
    if not _INTEGER.fullmatch(raw):
        raise bad_request(f'strconv.ParseInt: parsing "{raw}": invalid syntax')
    value = int(raw)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise bad_request(f'strconv.ParseInt: parsing "{raw}": value out of range')
    return value


def go_bool(raw: str | None) -> bool:
    if raw is None or raw == "" or raw == "0":
        return False
    return raw.lower() != "false"


def resource_version(raw: str | None) -> int | None:
    """A list's `resourceVersion` (empty or "0": any; otherwise a stored version)."""
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise bad_request(f'Invalid value: "{raw}": resourceVersion must be an integer')
    return int(raw)


def selectors(request: web.Request, target: Target) -> tuple[Any, Any]:
    """`labelSelector` and `fieldSelector` of a list, watch or collection delete."""
    labels = parse_label_selector(request.query.get("labelSelector"))
    fields = parse_field_selector(
        request.query.get("fieldSelector"),
        storage_key=target.resource.key,
        aliases=SELECTOR_ALIASES if is_events_v1(target.resource) else None,
    )
    return labels, fields
