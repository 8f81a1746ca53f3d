"""ECI's own events (Scheduled, Pulling, Pulled, Created, Started, BackOff...) on the Pod.

Each occurrence is forwarded once: a record keeps how many of each
(reason, message) were sent. A restarted agent does not replay the history
of Pods that were already past Pending (the previous process sent it).
"""

from __future__ import annotations

from vkprovider.kube.events import EventKind, EventRecorder
from vkprovider.pods.status import PodPhase, cache_used
from vkprovider.pods.tracking import PodRecord
from vkprovider.types import RawGroup, RawObject

# ECI's "Scheduled" is left out: the agent's own ProviderCreated says the same (with the
# container group id), and every Event is an API call per Pod.
FORWARDED_REASONS = frozenset(
    {
        "SuccessfulHitImageCache",
        "Pulling",
        "Pulled",
        "Failed",
        "BackOff",
        "Created",
        "Started",
        "Killing",
        "Unhealthy",
    }
)


def forward_events(
    *, events: EventRecorder, pod: RawObject, record: PodRecord, group: RawGroup
) -> None:
    """Re-emit ECI's events on the Pod, each occurrence once."""
    eci_events = group.get("Events") or []
    if not record.events_seeded:
        record.events_seeded = True
        already = (pod.get("status") or {}).get("phase") not in (None, PodPhase.PENDING)
        if already and not record.created_here:
            # A restarted agent: these were forwarded by the previous process.
            for event in eci_events:
                key = hash((str(event.get("Reason") or ""), str(event.get("Message") or "")))
                record.forwarded[key] = int(event.get("Count") or 1)
            return
    for event in sorted(eci_events, key=lambda e: str(e.get("FirstTimestamp") or "")):
        reason = str(event.get("Reason") or "")
        if reason not in FORWARDED_REASONS:
            continue
        message = str(event.get("Message") or "")
        count = int(event.get("Count") or 1)
        key = hash((reason, message))
        seen = record.forwarded.get(key, 0)
        if count <= seen:
            continue
        record.forwarded[key] = count
        kind = EventKind.WARNING if event.get("Type") == "Warning" else EventKind.NORMAL
        if reason == "Pulled" and not cache_used(group) and "image cache" not in message:
            message += " (no image cache)"
        for _ in range(min(count - seen, 3)):
            events.emit(pod, kind, reason, message)
