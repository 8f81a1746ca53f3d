"""EventCorrelator's memory per Pod: `forget(uid)` drops that Pod's entries and no other's.

Pure rules, exact times: no API server. (The writes themselves are `test_events.py`.)
"""

from __future__ import annotations

from vkprovider.kube.correlating import Action, EventCorrelator, PendingEvent
from vkprovider.settings import EventSettings


def event(uid: str, reason: str = "Pulling", message: str = "Pulling image") -> PendingEvent:
    return PendingEvent(
        namespace="default",
        name=f"pod-{uid}",
        uid=uid,
        type="Normal",
        reason=reason,
        message=message,
    )


def test_a_forgotten_pod_starts_over_and_the_others_keep_their_events() -> None:
    correlator = EventCorrelator(EventSettings())
    first = correlator.correlate(event("a"), now=0.0)
    other = correlator.correlate(event("b"), now=0.0)
    assert (first.action, other.action) == (Action.CREATE, Action.CREATE)

    correlator.forget("a")

    again = correlator.correlate(event("a"), now=1.0)
    assert again.action is Action.CREATE
    assert again.event_name != first.event_name
    repeat = correlator.correlate(event("b"), now=1.0)
    assert (repeat.action, repeat.event_name, repeat.count) == (
        Action.PATCH,
        other.event_name,
        2,
    )


def test_forgetting_pods_whose_entries_the_lru_already_evicted() -> None:
    correlator = EventCorrelator(EventSettings(remembered=2))
    for uid in ("a", "b", "c", "d"):
        correlator.correlate(event(uid), now=0.0)
    # "a" and "b" fell out of both LRUs; forgetting them (and a Pod never seen) is harmless.
    for uid in ("a", "b", "never-seen"):
        correlator.forget(uid)
    assert correlator.correlate(event("d"), now=1.0).action is Action.PATCH
    assert correlator.correlate(event("a"), now=1.0).action is Action.CREATE

    correlator.forget("d")
    assert correlator.correlate(event("d"), now=2.0).action is Action.CREATE
    # "c" was evicted by the re-created "a" and "d": a new Event again, not a patch.
    assert correlator.correlate(event("c"), now=2.0).action is Action.CREATE


def test_combined_messages_start_over_after_forget() -> None:
    correlator = EventCorrelator(EventSettings(max_similar=2))
    for attempt in range(3):
        decision = correlator.correlate(event("a", "Failed", f"pull failed {attempt}"), now=0.0)
    assert decision.message.startswith("(combined from similar events): ")
    correlator.forget("a")
    fresh = correlator.correlate(event("a", "Failed", "pull failed 9"), now=1.0)
    assert (fresh.action, fresh.message) == (Action.CREATE, "pull failed 9")
