"""Simulated instants as ECI writes them (RFC 3339, UTC) and as plans store them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def to_wire(when: datetime) -> str:
    """RFC 3339 in UTC with a `Z`; fractions of a second only when there are any."""
    when = when.astimezone(UTC)
    if when.microsecond:
        return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_plan(when: datetime) -> str:
    """Lossless text for a plan (JSON): ISO 8601 with microseconds and offset."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_plan(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def after(when: datetime, seconds: float) -> datetime:
    """`when` plus `seconds`, rounded to whole microseconds so plans round-trip exactly."""
    return when + timedelta(microseconds=round(seconds * 1_000_000))
