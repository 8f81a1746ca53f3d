"""Projections of stored groups, remembered while they cannot change.

Reads project every group they show at the current instant (`groupstate.project`), and
at 10,000 groups a status poller sees each one about five times while nothing about it
changes. A projection is a pure function of (plan, deletion instant, instant), and
`project_until` says until when it stays what it is. So this cache keeps, per group,
the plan's stored text, the deletion instant, the instant projected at and that limit:
a later read of the same text and deletion at an instant from the one projected at up
to the limit gets the same state without projecting again. Anything else (a plan
rewritten by a restart, a deletion, an instant outside the range) projects afresh and
replaces the entry. The parsed plan is kept too, so a plan's text is parsed once while
its group is cached (the text-keyed LRU of `plan_from_text` holds fewer than a 10k run),
and so is the spec (`spec`), across the group's states.

It must never answer with a state `project` would not return for that instant; it
holds no process-wide truth (another process writing the same database only makes
its texts differ, which is a miss).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulator.engine.groupplan import GroupPlan, plan_from_text
from simulator.engine.groupstate import project_until
from simulator.engine.grouptypes import GroupState
from simulator.specs.groups import GroupSpec, spec_from_text

DEFAULT_MAX_GROUPS = 20_000
"""Groups remembered at most (the least recently used go first)."""


@dataclass(frozen=True)
class _Entry:
    plan_text: str
    plan: GroupPlan
    deleted_at: datetime | None
    at: datetime
    until: datetime | None
    state: GroupState
    views: dict[str, Any] = field(default_factory=dict)
    """What callers derived from `state` (and keep with it: gone when it is replaced)."""
    specs: dict[str, GroupSpec] = field(default_factory=dict)
    """The group's spec text → the spec parsed from it (at most one; kept across states)."""


class ProjectionCache:
    """`project` of stored groups, keyed by group id (see the module docstring)."""

    def __init__(self, *, max_groups: int = DEFAULT_MAX_GROUPS) -> None:
        self._entries: dict[str, _Entry] = {}
        self._max_groups = max_groups
        self.hits = 0
        self.misses = 0

    def project(
        self, group_id: str, plan_text: str, *, deleted_at: datetime | None, at: datetime
    ) -> tuple[GroupPlan, GroupState]:
        """The plan stored as `plan_text`, and the group's state at `at`."""
        entry = self._entries.get(group_id)
        if entry is not None and entry.plan_text == plan_text and entry.deleted_at == deleted_at:
            if entry.at <= at and (entry.until is None or at < entry.until):
                self.hits += 1
                del self._entries[group_id]
                self._entries[group_id] = entry  # the most recently used: forgotten last
                return entry.plan, entry.state
            plan = entry.plan
        else:
            plan = plan_from_text(plan_text)
        self.misses += 1
        state, until = project_until(plan, deleted_at=deleted_at, at=at)
        specs: dict[str, GroupSpec] = {}
        if entry is not None:
            specs = entry.specs  # keyed by the spec's text: right whatever else changed
            del self._entries[group_id]  # re-inserted last
        elif len(self._entries) >= self._max_groups:
            del self._entries[next(iter(self._entries))]
        self._entries[group_id] = _Entry(plan_text, plan, deleted_at, at, until, state, specs=specs)
        return plan, state

    def seed(
        self,
        group_id: str,
        plan_text: str,
        plan: GroupPlan,
        *,
        at: datetime,
        state: GroupState,
        until: datetime | None,
    ) -> None:
        """Remember what `project_until(plan, deleted_at=None, at=at)` returned for a group
        just stored with `plan_text` (a text the store does not give back is only a miss)."""
        if group_id not in self._entries and len(self._entries) >= self._max_groups:
            del self._entries[next(iter(self._entries))]
        self._entries.pop(group_id, None)
        self._entries[group_id] = _Entry(plan_text, plan, None, at, until, state)

    def spec(self, group_id: str, spec_text: str) -> GroupSpec:
        """`spec_from_text(spec_text)`, parsed once while the group is cached (that
        function's text-keyed LRU holds fewer groups than a 10k run shows)."""
        entry = self._entries.get(group_id)
        if entry is None:
            return spec_from_text(spec_text)
        spec = entry.specs.get(spec_text)
        if spec is None:
            spec = spec_from_text(spec_text)
            entry.specs.clear()
            entry.specs[spec_text] = spec
        return spec

    def view(self, group_id: str, state: GroupState, name: str) -> Any:
        """What `keep_view` kept under `name` for the group while its state is `state`
        (the very object `project` returned), else None."""
        entry = self._entries.get(group_id)
        if entry is None or entry.state is not state:
            return None
        return entry.views.get(name)

    def keep_view(self, group_id: str, state: GroupState, name: str, value: Any) -> None:
        """Keep `value`, derived from `state`, with the group's entry while it holds `state`.

        A view must depend on the instant only through what the state itself holds for
        as long as `project` returns it (e.g. whether `scheduled_at` has passed: an
        instant the projection looks at, so it cannot pass within that range)."""
        entry = self._entries.get(group_id)
        if entry is not None and entry.state is state:
            entry.views[name] = value

    def forget(self, group_id: str) -> None:
        """Drop what is remembered of a group (it is gone)."""
        self._entries.pop(group_id, None)
