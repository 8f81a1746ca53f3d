"""Simulated instants as ECI writes them (RFC 3339, UTC) and as plans store them."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta


@functools.lru_cache(maxsize=8192)
def to_wire(when: datetime) -> str:
    """RFC 3339 in UTC with a `Z`; milliseconds only when there is a fraction of a second.

    Cached: a group's instants are written into every Describe answer that shows it, a
    dozen per group (events, containers), and formatting one costs microseconds. Equal
    instants in other offsets compare and hash equal and have the same UTC text.
    """
    utc = when.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds" if utc.microsecond else "seconds") + "Z"


@functools.lru_cache(maxsize=8192)
def to_plan(when: datetime) -> str:
    """Lossless text for a plan (JSON): ISO 8601 with microseconds and offset.

    Cached as `to_wire` is: the groups written in one transaction share their creation
    and scheduling instants, and equal instants have the same UTC text."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_plan(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def after(when: datetime, seconds: float) -> datetime:
    """`when` plus `seconds`, rounded to whole milliseconds.

    Plans keep every instant on a millisecond, the precision ECI's timestamps
    carry on the wire, so a duration computed from two wire timestamps is
    exactly the planned one.
    """
    return when + timedelta(milliseconds=round(seconds * 1000))


def on_millisecond(when: datetime) -> datetime:
    """`when` truncated to its millisecond (plans start on one)."""
    return when.replace(microsecond=when.microsecond - when.microsecond % 1000)
