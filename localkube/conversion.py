"""Serving one stored kind at two API versions: core/v1 Event and events.k8s.io/v1 Event.

kube-apiserver keeps a single events store and converts on the way in and out, so an Event
written through either API is listed, watched and described through both (kubectl describe
reads core/v1). The field pairs follow kube's conversion (`regarding` <-> `involvedObject`,
`note` <-> `message`, `deprecated*` <-> the legacy fields). Every other resource is
stored as served and passes through unchanged.
"""

from __future__ import annotations

from localkube.resources import ResourceType
from localkube.shapes import JsonObject

EVENTS_GROUP = "events.k8s.io"
CORE_EVENTS = ("", "events")
EVENT_FIELD_PAIRS = (
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
)
SELECTOR_ALIASES = {"regarding.": "involvedObject.", "reportingController": "reportingComponent"}
"""events.k8s.io field-selector paths, rewritten onto the stored core/v1 shape."""


def is_events_v1(resource: ResourceType) -> bool:
    return resource.group == EVENTS_GROUP and resource.plural == "events"


def to_storage(resource: ResourceType, obj: JsonObject) -> JsonObject:
    """The stored (core/v1) shape of an object sent to `resource`."""
    if not is_events_v1(resource) or not isinstance(obj, dict):
        return obj
    stored = {k: v for k, v in obj.items() if k not in {new for new, _ in EVENT_FIELD_PAIRS}}
    for new, old in EVENT_FIELD_PAIRS:
        if new in obj:
            stored[old] = obj[new]
    stored["apiVersion"] = "v1"
    stored["kind"] = "Event"
    return stored


def to_view(resource: ResourceType, obj: JsonObject) -> JsonObject:
    """A stored object as `resource` serves it."""
    if not is_events_v1(resource):
        if obj.get("apiVersion") != resource.api_version and obj.get("kind") == resource.kind:
            return {**obj, "apiVersion": resource.api_version}
        return obj
    view = {k: v for k, v in obj.items() if k not in {old for _, old in EVENT_FIELD_PAIRS}}
    for new, old in EVENT_FIELD_PAIRS:
        if old in obj:
            view[new] = obj[old]
    view["apiVersion"] = resource.api_version
    view["kind"] = "Event"
    return view
