"""What a bad-input probe is: one request, how it is signed and altered, what must come back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

REGION = "cn-hangzhou"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Probe:
    """One request and what must come back."""

    name: str
    action: str = "DescribeRegions"
    params: tuple[tuple[str, str], ...] = (("RegionId", REGION),)
    """Query parameters as sent (repeats allowed); the signature covers `dict(params)`."""
    signed: tuple[tuple[str, str], ...] | None = None
    """What the signature covers instead of `params` (a request altered after signing)."""
    raw_query: str | None = None
    """The query string exactly as sent, instead of encoding `params`."""
    body: bytes = b""
    content_type: str | None = None
    method: str = "POST"
    version: str = "2018-08-08"
    headers: dict[str, str | None] = field(default_factory=dict)
    """Header overrides after signing; None removes the header."""
    secret: str | None = None
    """Sign with this AccessKey secret instead of the right one."""
    access_key_id: str | None = None
    send_twice: bool = False
    """Send the identical signed request twice; the second answer counts (a replay)."""
    expect: str | None = None


def query(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (("RegionId", REGION), *pairs)


def create(*pairs: tuple[str, str | None], name: str = "probe") -> tuple[tuple[str, str], ...]:
    """CreateContainerGroup parameters: one valid container, then `pairs` added or replacing
    (a None value removes the parameter)."""
    base: dict[str, str | None] = {
        "RegionId": REGION,
        "ContainerGroupName": name,
        "Container.1.Name": "app",
        "Container.1.Image": "nginx",
    }
    for key, value in pairs:
        base[key] = value
    return tuple((k, v) for k, v in base.items() if v is not None)


def date(offset: timedelta) -> str:
    return (datetime.now(UTC) + offset).strftime(DATE_FORMAT)


def encoded(pairs: tuple[tuple[str, str], ...]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


FORM = "application/x-www-form-urlencoded"


def form(name: str, body: bytes, **fields: Any) -> Probe:
    """A probe whose parameters (or garbage) travel in a form body."""
    return Probe(name, body=body, content_type=fields.pop("content_type", FORM), **fields)
