"""ECI image cache → `status` of the ImageCache resource, in the product document's shape.

Pure functions, no I/O: given what DescribeImageCaches said (or why the controller refused the
resource) and the status already written, compute the status to write. Times the controller
stamps (`startTime`, `lastUpdatedTime`, `expireDateTime`) are real wall-clock time so kubectl
ages stay sane even against a simulator running on a scaled clock; `events` mirror ECI's own
records, their times clamped into [startTime, now] (see `events_from_cloud`). A status that
did not change apart from `lastUpdatedTime` is reported unchanged, so a settled cache causes
no writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from vkprovider.imagecaches.kinds import (
    CloudEvent,
    CloudImageCache,
    ImageCacheStatusBody,
    Phase,
    StatusEvent,
)

EVENT_SOURCE_COMPONENT = "kubelet"
EVENT_SOURCE_HOST = "eci"
CONTROLLER_COMPONENT = "vk-eci-imagecache-controller"
"""Source of the events the controller adds itself (ECI's own say kubelet/eci)."""
UNKNOWN_ANNOTATION_REASON = "UnknownAnnotation"
_VOLATILE = frozenset({"lastUpdatedTime"})


def format_time(when: datetime) -> str:
    """RFC 3339 in UTC with second precision, as Kubernetes writes `metav1.Time`."""
    return when.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object) -> datetime | None:
    """ECI and Kubernetes timestamps (`...Z`, `+00:00`, with or without seconds) → aware UTC."""
    if not isinstance(text, str) or not text:
        return None
    candidate = text.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _normal_time(text: object) -> str | None:
    parsed = parse_time(text)
    return format_time(parsed) if parsed else None


def progress_text(raw: object) -> str:
    """ECI's progress (`"45%"`, `"45"`, `45`) → `"45%"`, clamped to 0..100."""
    text = str(raw if raw is not None else "0").strip().rstrip("%").strip()
    try:
        value = round(float(text))
    except ValueError:
        value = 0
    return f"{min(max(value, 0), 100)}%"


def event_from_cloud(event: CloudEvent) -> StatusEvent:
    """One ECI event in the shape of a core/v1 Event, as the seed's `status.events` shows."""
    kind = event.get("Type") or "Normal"
    shaped: StatusEvent = {
        "count": int(event.get("Count") or 1),
        "eventTime": None,
        "firstTimestamp": _normal_time(event.get("FirstTimestamp")),
        "involvedObject": {},
        "lastTimestamp": _normal_time(event.get("LastTimestamp") or event.get("FirstTimestamp")),
        "message": event.get("Message") or "",
        "metadata": {"creationTimestamp": None, "name": event.get("Name") or ""},
        "reportingComponent": "",
        "reportingInstance": "",
        "source": {"component": EVENT_SOURCE_COMPONENT, "host": EVENT_SOURCE_HOST},
        "type": "Warning" if kind.lower() == "warning" else "Normal",
    }
    if event.get("Reason"):
        shaped["reason"] = str(event.get("Reason"))
    return shaped


def _event_key(event: Mapping[str, Any]) -> tuple[str, str, str]:
    return (
        str((event.get("metadata") or {}).get("name") or ""),
        str(event.get("message") or ""),
        str(event.get("type") or ""),
    )


def events_from_cloud(
    events: list[CloudEvent], *, previous: list[Any], start: datetime, now: datetime
) -> list[StatusEvent]:
    """ECI's events, with times that stay sane in Kubernetes.

    Against real ECI the event times are real and are kept as they are. A simulator on a
    scaled clock runs ahead of the wall clock, so each time is clamped into [startTime, now];
    an event already in the previous status keeps its times (unless its count moved), so the
    status does not change on every pass.
    """

    def clamp(text: str | None) -> str:
        when = parse_time(text) or now
        return format_time(min(max(when, start), now))

    known = {_event_key(event): event for event in previous if isinstance(event, Mapping)}
    shaped_events = []
    for event in events:
        shaped = event_from_cloud(event)
        earlier = known.get(_event_key(shaped))
        if earlier is not None and earlier.get("count") == shaped["count"]:
            shaped["firstTimestamp"] = earlier.get("firstTimestamp") or clamp(None)
            shaped["lastTimestamp"] = earlier.get("lastTimestamp") or clamp(None)
        else:
            first = earlier.get("firstTimestamp") if earlier is not None else None
            shaped["firstTimestamp"] = first or clamp(shaped["firstTimestamp"])
            shaped["lastTimestamp"] = clamp(shaped["lastTimestamp"])
        shaped_events.append(shaped)
    return shaped_events


def _matched_time(text: object, *, start: datetime, now: datetime) -> str | None:
    """ECI's LastMatchedTime, clamped into [startTime, now] like event times (a scaled
    simulator clock runs ahead of the wall clock); None if never matched."""
    when = parse_time(text)
    return None if when is None else format_time(min(max(when, start), now))


def annotation_warning(key: str, *, previous: list[Any], now: datetime) -> StatusEvent:
    """A Warning event saying annotation `key` is unknown; its times kept across passes."""
    message = f"annotation {key} is not one ECI documents for an ImageCache; it was not sent to ECI"
    when = format_time(now)
    warning: StatusEvent = {
        "count": 1,
        "eventTime": None,
        "firstTimestamp": when,
        "involvedObject": {},
        "lastTimestamp": when,
        "message": message,
        "metadata": {"creationTimestamp": None, "name": key},
        "reason": UNKNOWN_ANNOTATION_REASON,
        "reportingComponent": CONTROLLER_COMPONENT,
        "reportingInstance": "",
        "source": {"component": CONTROLLER_COMPONENT, "host": ""},
        "type": "Warning",
    }
    for event in previous:
        if isinstance(event, Mapping) and _event_key(event) == _event_key(warning):
            warning["firstTimestamp"] = event.get("firstTimestamp") or when
            warning["lastTimestamp"] = event.get("lastTimestamp") or when
    return warning


def failure_message(cache: CloudImageCache) -> str:
    """Why ECI failed the cache: its last Warning event, else a generic line with the id."""
    for event in reversed(cache.get("Events") or []):
        if (event.get("Type") or "").lower() == "warning" and event.get("Message"):
            return str(event.get("Message"))
    return f"ECI reports image cache {cache.get('ImageCacheId', '')} as {cache.get('Status')}"


def _phase_of(raw: object) -> str:
    text = str(raw or "")
    try:
        return Phase(text).value
    except ValueError:
        return text or Phase.PENDING.value


def _since_failure(previous: Mapping[str, Any], message: str, now: datetime) -> datetime:
    """When the current failure began: kept across passes so `expireDateTime` stays put."""
    same = (
        previous.get("phase") in (Phase.FAILED, Phase.UPDATE_FAILED)
        and previous.get("message") == message
    )
    earlier = parse_time(previous.get("lastUpdatedTime")) if same else None
    return earlier or now


def status_from_cloud(
    *,
    cache: CloudImageCache,
    previous: Mapping[str, Any],
    retention_days: int | None,
    failed_retention: timedelta,
    generation: int,
    now: datetime,
    unknown_annotations: Sequence[str] = (),
) -> ImageCacheStatusBody:
    """The status mirroring one DescribeImageCaches item, plus a Warning event for each
    `unknown_annotations` entry (an `imc-*` annotation not sent to ECI)."""
    phase = _phase_of(cache.get("Status"))
    start = parse_time(previous.get("startTime")) or now
    status: ImageCacheStatusBody = {
        "phase": phase,
        "progress": progress_text(cache.get("Progress")),
        "imageCacheId": cache.get("ImageCacheId") or previous.get("imageCacheId"),
        "startTime": format_time(start),
        "lastUpdatedTime": format_time(now),
        "expireDateTime": None,
        "lastMatchedTime": _matched_time(cache.get("LastMatchedTime"), start=start, now=now),
        "message": None,
        "observedGeneration": generation,
        "events": events_from_cloud(
            cache.get("Events") or [],
            previous=list(previous.get("events") or []),
            start=start,
            now=now,
        )
        + [
            annotation_warning(key, previous=list(previous.get("events") or []), now=now)
            for key in unknown_annotations
        ],
    }
    if phase in (Phase.FAILED, Phase.UPDATE_FAILED):
        message = failure_message(cache)
        status["message"] = message
        failed_at = _since_failure(previous, message, now)
        status["lastUpdatedTime"] = format_time(failed_at)
        if phase == Phase.FAILED:
            status["expireDateTime"] = format_time(failed_at + failed_retention)
    if status["expireDateTime"] is None and retention_days is not None:
        status["expireDateTime"] = format_time(start + timedelta(days=retention_days))
    return status


def refused_status(
    *,
    message: str,
    previous: Mapping[str, Any],
    cache_exists: bool,
    failed_retention: timedelta,
    generation: int,
    now: datetime,
) -> ImageCacheStatusBody:
    """The status of a resource the controller will not (or cannot) build as written.

    A resource without a usable ECI cache is `Failed` and expires like a failed ECI build; one
    whose cache exists keeps it (`UpdateFailed`), so Pods can go on using the old contents.
    """
    cache_id = previous.get("imageCacheId")
    phase = Phase.UPDATE_FAILED if cache_exists else Phase.FAILED
    failed_at = _since_failure(previous, message, now)
    status: ImageCacheStatusBody = {
        "phase": phase.value,
        "progress": str(previous.get("progress") or "0%"),
        "imageCacheId": cache_id,
        "startTime": previous.get("startTime"),
        "lastUpdatedTime": format_time(failed_at),
        "expireDateTime": previous.get("expireDateTime")
        if cache_exists
        else format_time(failed_at + failed_retention),
        "message": message,
        "observedGeneration": generation,
        "events": list(previous.get("events") or []),
    }
    return status


def expired_status(*, previous: Mapping[str, Any], now: datetime) -> ImageCacheStatusBody:
    """Past `expireDateTime`: the cache is gone from ECI (or about to be)."""
    status: ImageCacheStatusBody = {
        "phase": Phase.EXPIRED.value,
        "lastUpdatedTime": format_time(now),
    }
    if previous.get("phase") == Phase.EXPIRED:
        status["lastUpdatedTime"] = str(previous.get("lastUpdatedTime") or format_time(now))
    return status


def is_expired(previous: Mapping[str, Any], *, now: datetime) -> bool:
    """True once a settled cache's `expireDateTime` has passed."""
    expires = parse_time(previous.get("expireDateTime"))
    return expires is not None and now >= expires


def _without_nulls(value: Any) -> Any:
    """`value` with every null object member dropped: an API server may store `eventTime: null`
    or leave it out, and either way it is the same status."""
    if isinstance(value, Mapping):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def differs(previous: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """True when writing `new` would change anything but the `lastUpdatedTime` stamp."""
    keys = (set(previous) | set(new)) - _VOLATILE
    return any(
        _without_nulls(previous.get(key)) != _without_nulls(new.get(key))
        for key in keys
        if key in new
    )


def merge_patch(new: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON merge patch body for `/status`: None values delete fields."""
    return {"status": dict(new)}
