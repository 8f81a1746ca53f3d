"""Which Events to write, and how: client-go's EventCorrelator rules, without the I/O.

`EventCorrelator.correlate(event, now=...)` answers one of three things for an Event about to
be written (`Decision`):

* drop it: the object's spam filter is out of tokens (a token bucket per source + object:
  `spam_burst` Events at once, then one per `spam_refill_seconds`);
* patch an earlier Event: the same reason, type, object and message was written within
  `similar_window_seconds`, so that Event's `count` goes up and its `lastTimestamp` moves
  (what `kubectl describe` shows as `(x5 over 2m)`);
* create a new Event, possibly a combined one: after `max_similar` different messages with
  the same reason on one object within the window, further ones are folded into a single
  Event whose message is "(combined from similar events): " and the newest message, and
  whose count grows with each.

Memory is bounded: both caches are LRUs of `remembered` entries, and the spam filter keeps a
bucket per object only until `forget(uid)`. Times are seconds from the caller (the agent
passes its clock), so the rules are tested on exact virtual times.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum
from typing import Generic, TypeVar

from vkprovider.settings import EventSettings

COMBINED_PREFIX = "(combined from similar events): "

K = TypeVar("K", bound=tuple[str, ...])
"""A cache key: a tuple whose first item is the Pod UID."""
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A dict that forgets its least recently used entry beyond `size`.

    Its keys are tuples whose first item is a Pod UID, and it keeps the keys of each UID
    apart, so `drop_uid` forgets one Pod's entries without walking the others (a Pod's
    deletion costs what it remembered, not what all Pods remembered).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._keys_of: dict[str, set[K]] = {}

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        self._keys_of.setdefault(key[0], set()).add(key)
        while len(self._items) > self._size:
            oldest, _ = self._items.popitem(last=False)
            self._unindex(oldest)

    def drop_uid(self, uid: str) -> None:
        for key in self._keys_of.pop(uid, ()):
            del self._items[key]

    def _unindex(self, key: K) -> None:
        keys = self._keys_of[key[0]]
        keys.discard(key)
        if not keys:
            del self._keys_of[key[0]]

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class PendingEvent:
    """An Event as the agent asked for it: on which Pod, what, and when (agent seconds)."""

    namespace: str
    name: str
    uid: str
    type: str
    reason: str
    message: str


class Action(Enum):
    DROP = "drop"
    CREATE = "create"
    PATCH = "patch"


@dataclass(frozen=True)
class Decision:
    action: Action
    event_name: str = ""
    """The Event object to create or patch."""
    message: str = ""
    count: int = 1
    first_seen: float = 0.0
    """Agent seconds the Event (or the one it aggregates into) was first written."""


@dataclass
class _Seen:
    event_name: str
    count: int
    first_seen: float
    last_seen: float


@dataclass
class _Similar:
    messages: set[str] = field(default_factory=set)
    last_seen: float = 0.0


@dataclass
class _Bucket:
    tokens: float
    updated: float


def _identity(message: str) -> str:
    return COMBINED_PREFIX if message.startswith(COMBINED_PREFIX) else message


class EventCorrelator:
    def __init__(self, settings: EventSettings) -> None:
        self._settings = settings
        self._seen: _Lru[tuple[str, str, str, str], _Seen] = _Lru(settings.remembered)
        self._similar: _Lru[tuple[str, str, str], _Similar] = _Lru(settings.remembered)
        self._buckets: dict[str, _Bucket] = {}

    def correlate(self, event: PendingEvent, *, now: float) -> Decision:
        if not self._allowed(event.uid, now=now):
            return Decision(Action.DROP)
        message = self._aggregated_message(event, now=now)
        # Every combined Event of a reason is one Event: its count grows, its message follows.
        key = (event.uid, event.type, event.reason, _identity(message))
        seen = self._seen.get(key)
        window = self._settings.similar_window_seconds
        if seen is not None and now - seen.last_seen <= window:
            seen.count += 1
            seen.last_seen = now
            return Decision(
                Action.PATCH,
                event_name=seen.event_name,
                message=message,
                count=seen.count,
                first_seen=seen.first_seen,
            )
        name = f"{event.name}.{secrets.token_hex(8)}"
        self._seen.put(key, _Seen(event_name=name, count=1, first_seen=now, last_seen=now))
        return Decision(Action.CREATE, event_name=name, message=message, first_seen=now)

    def recreated(self, event: PendingEvent, decision: Decision, *, now: float) -> Decision:
        """The Event to patch is gone (expired, deleted): create it again under a new name."""
        name = f"{event.name}.{secrets.token_hex(8)}"
        key = (event.uid, event.type, event.reason, _identity(decision.message))
        self._seen.put(key, _Seen(event_name=name, count=1, first_seen=now, last_seen=now))
        return Decision(Action.CREATE, event_name=name, message=decision.message, first_seen=now)

    def forget(self, uid: str) -> None:
        """The Pod is gone: nothing about it needs remembering."""
        self._buckets.pop(uid, None)
        self._seen.drop_uid(uid)
        self._similar.drop_uid(uid)

    def _allowed(self, uid: str, *, now: float) -> bool:
        """One token from the object's bucket, if it has one."""
        settings = self._settings
        bucket = self._buckets.get(uid)
        if bucket is None:
            bucket = self._buckets[uid] = _Bucket(tokens=float(settings.spam_burst), updated=now)
        refill = (now - bucket.updated) / settings.spam_refill_seconds
        bucket.tokens = min(float(settings.spam_burst), bucket.tokens + refill)
        bucket.updated = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def _aggregated_message(self, event: PendingEvent, *, now: float) -> str:
        """The message itself, or the combined one past `max_similar` distinct messages."""
        key = (event.uid, event.type, event.reason)
        similar = self._similar.get(key)
        if similar is None or now - similar.last_seen > self._settings.similar_window_seconds:
            similar = _Similar()
            self._similar.put(key, similar)
        similar.last_seen = now
        if event.message in similar.messages:
            return event.message
        if len(similar.messages) < self._settings.max_similar:
            similar.messages.add(event.message)
            return event.message
        return COMBINED_PREFIX + event.message
