"""`project_until`'s limit is safe: from the instant projected at up to the limit, `project`
returns the same state at every instant, for plans with every kind of timed behaviour
(restarts with back-off, failing probes, pull failures, deadlines, init containers,
deletion). The projection cache (`engine.projections`) answers within that range only."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from simulator.engine.groupplan import GroupPlan
from simulator.engine.groupstate import project, project_until
from simulator.engine.projections import ProjectionCache
from simulator.operations.groupspec import parse_group_request
from simulator.operations.groupviews import (
    group_body,
    remembered_group_body,
    remembered_status_body,
    status_body,
)
from simulator.operations.params import Params
from simulator.specs.groups import GroupSpec, spec_from_text
from tests.simulator.plans import START, spec_and_plan, walk_request

PROBE = {"Exec": {"Command": ["cat", "/tmp/healthy"]}, "PeriodSeconds": "5"}


def _spec_and_plan(name: str) -> tuple[GroupSpec, GroupPlan]:
    container, group = PLANS[name]
    return spec_and_plan(walk_request(container, **group))


def _env(**values: str) -> dict[str, Any]:
    return {"EnvironmentVar": [{"Key": k, "Value": v} for k, v in values.items()]}


PLANS = {
    "runs until deleted": ({}, {}),
    "crash loop, back-off": (_env(ECI_SIM_CRASH_LOOP="true"), {"RestartPolicy": "Always"}),
    "exits 3 after 7 s, OnFailure": (
        _env(ECI_SIM_EXIT_AFTER_SECONDS="7", ECI_SIM_EXIT_CODE="3"),
        {"RestartPolicy": "OnFailure"},
    ),
    "readiness never passes": (
        {**_env(ECI_SIM_FAIL_READINESS="true"), "ReadinessProbe": PROBE},
        {},
    ),
    "liveness fails": ({**_env(ECI_SIM_FAIL_LIVENESS="true"), "LivenessProbe": PROBE}, {}),
    "image the registry lacks": ({"Image": "example.invalid/none:1"}, {}),
    "deadline": (_env(ECI_SIM_CRASH_LOOP="true"), {"ActiveDeadlineSeconds": "45"}),
    "sleeps then succeeds": ({"Command": ["sleep", "20"]}, {"RestartPolicy": "Never"}),
}


def _named(name: str) -> GroupPlan:
    return _spec_and_plan(name)[1]


def _grid(plan: GroupPlan, deleted_at: datetime | None) -> list[datetime]:
    """Every instant the plan passes through, with a microsecond and a millisecond either
    side, plus every 0.25 s of the first ten minutes."""
    marks: set[datetime] = set()
    at = START
    for _ in range(400):
        marks.add(at)
        state = project(plan, deleted_at=deleted_at, at=at)
        if state.next_change_at is None:
            break
        at = state.next_change_at
    for state_at in list(marks):
        for delta in (-1000, -1, 1, 1000):
            marks.add(state_at + timedelta(microseconds=delta))
    marks.update(START + timedelta(milliseconds=250 * i) for i in range(2400))
    if deleted_at is not None:
        marks.update(deleted_at + timedelta(microseconds=d) for d in (-1000, -1, 0, 1, 1000))
    return sorted(m for m in marks if m >= START)


@pytest.mark.parametrize("deleted_after", [None, 30.0, 100.5])
@pytest.mark.parametrize("name", sorted(PLANS))
def test_the_state_holds_from_the_instant_projected_until_the_limit(
    name: str, deleted_after: float | None
) -> None:
    plan = _named(name)
    deleted_at = None if deleted_after is None else START + timedelta(seconds=deleted_after)
    grid = _grid(plan, deleted_at)
    projected = [project_until(plan, deleted_at=deleted_at, at=at) for at in grid]
    # next_differs[i]: the first grid index after i whose state differs from state i.
    next_differs = [len(grid)] * len(grid)
    for i in range(len(grid) - 2, -1, -1):
        same = projected[i + 1][0] == projected[i][0]
        next_differs[i] = next_differs[i + 1] if same else i + 1
    for i, (state, until) in enumerate(projected):
        assert until is None or until > grid[i]
        if until is not None:
            assert state.next_change_at is None or until <= state.next_change_at
        differs = next_differs[i]
        if differs < len(grid):
            assert until is not None, (name, grid[i])
            assert grid[differs] >= until, (name, grid[i], until)
    changes = sum(1 for i in range(len(grid) - 1) if next_differs[i] == i + 1)
    assert changes >= 2, "the plan should change state on the grid, or this proves nothing"


def test_the_cache_answers_what_project_answers_and_projects_again_when_it_must() -> None:
    plan = _named("crash loop, back-off")
    text = plan_text = _text(plan)
    cache = ProjectionCache()
    deleted = START + timedelta(seconds=100)
    for step in range(0, 1200):
        at = START + timedelta(milliseconds=97 * step)
        for group_id, deleted_at in (("eci-walk", None), ("eci-deleted", deleted)):
            _, state = cache.project(group_id, plan_text, deleted_at=deleted_at, at=at)
            assert state == project(plan, deleted_at=deleted_at, at=at)
    assert cache.hits > cache.misses > 0
    # An earlier instant than the one remembered, or another plan, is projected afresh.
    _, early = cache.project("eci-walk", text, deleted_at=None, at=START)
    assert early == project(plan, deleted_at=None, at=START)
    other = _named("sleeps then succeeds")
    _, state = cache.project("eci-walk", _text(other), deleted_at=None, at=START)
    assert state == project(other, deleted_at=None, at=START)


def test_the_cache_forgets_the_least_recently_used_first() -> None:
    plan = _named("runs until deleted")
    cache = ProjectionCache(max_groups=2)
    at = START + timedelta(hours=1)
    for group_id in ("a", "b", "a", "c"):
        cache.project(group_id, _text(plan), deleted_at=None, at=at)
    misses = cache.misses
    cache.project("a", _text(plan), deleted_at=None, at=at)
    assert cache.misses == misses
    cache.project("b", _text(plan), deleted_at=None, at=at)
    assert cache.misses == misses + 1


def _text(plan: GroupPlan) -> str:
    return json.dumps(plan.to_json())


@pytest.mark.parametrize("name", sorted(PLANS))
def test_a_remembered_status_body_is_the_body_at_every_instant_it_is_returned(name: str) -> None:
    spec, plan = _spec_and_plan(name)
    spec_text, plan_text = json.dumps(spec.to_json()), _text(plan)
    cache = ProjectionCache()
    deleted = START + timedelta(seconds=90)
    reused = 0
    for step in range(0, 2000):
        at = START + timedelta(milliseconds=101 * step)
        deleted_at = deleted if at >= deleted else None
        kept_before = cache.hits
        _, state = cache.project("eci-walk", plan_text, deleted_at=deleted_at, at=at)
        body = remembered_status_body(
            cache,
            group_id="eci-walk",
            spec_text=spec_text,
            intranet_ip="192.168.0.2",
            plan=plan,
            state=state,
            at=at,
        )
        reused += cache.hits - kept_before
        fresh = status_body(
            group_id="eci-walk",
            spec=spec,
            intranet_ip="192.168.0.2",
            plan=plan,
            state=project(plan, deleted_at=deleted_at, at=at),
            at=at,
        )
        assert body == fresh, (name, at)
    assert reused > 1000


@pytest.mark.parametrize("name", sorted(PLANS))
def test_a_remembered_group_body_is_the_body_at_every_instant_it_is_returned(name: str) -> None:
    spec, plan = _spec_and_plan(name)
    spec_text, plan_text = json.dumps(spec.to_json()), _text(plan)
    cache = ProjectionCache()
    deleted = START + timedelta(seconds=90)
    reused = 0
    for step in range(0, 2000):
        at = START + timedelta(milliseconds=101 * step)
        deleted_at = deleted if at >= deleted else None
        with_events = step % 7 != 0
        kept_before = cache.hits
        _, state = cache.project("eci-walk", plan_text, deleted_at=deleted_at, at=at)
        kept_spec, body = remembered_group_body(
            cache,
            group_id="eci-walk",
            spec_text=spec_text,
            zone_id="cn-hangzhou-k",
            intranet_ip="192.168.0.2",
            created_at=START,
            plan=plan,
            state=state,
            with_events=with_events,
        )
        reused += cache.hits - kept_before
        assert kept_spec == spec
        fresh = group_body(
            group_id="eci-walk",
            spec=spec,
            zone_id="cn-hangzhou-k",
            intranet_ip="192.168.0.2",
            created_at=START,
            plan=plan,
            state=project(plan, deleted_at=deleted_at, at=at),
            with_events=with_events,
            charges={"Cost": step},
        )
        assert {**body, "SimulatedCost": {"Cost": step}} == fresh, (name, at)
        assert list({**body, "SimulatedCost": {"Cost": step}}) == list(fresh)
    assert reused > 1000


def test_a_cached_group_s_spec_is_parsed_once_across_its_states() -> None:
    spec, _ = parse_group_request(
        Params(
            {
                "RegionId": "cn-hangzhou",
                "ContainerGroupName": "walk",
                "Container": [{"Name": "app", "Image": "nginx:1.7.9"}],
            }
        )
    )
    plan = _named("runs until deleted")
    spec_text, plan_text = json.dumps(spec.to_json()), _text(plan)
    cache = ProjectionCache()
    _, first_state = cache.project("eci-walk", plan_text, deleted_at=None, at=START)
    first = cache.spec("eci-walk", spec_text)
    assert first == spec_from_text(spec_text)
    spec_from_text.cache_clear()  # the text-keyed LRU no longer holds it (as at 10k groups)
    _, later_state = cache.project(
        "eci-walk", plan_text, deleted_at=None, at=START + timedelta(hours=1)
    )
    assert later_state is not first_state  # a new state, the same spec
    assert cache.spec("eci-walk", spec_text) is first
    # another text (another process rewrote it) is parsed afresh
    other_text = json.dumps({**spec.to_json(), "name": "walk-2"})
    assert cache.spec("eci-walk", other_text).name == "walk-2"
    # a group not cached is parsed as the LRU parses it
    assert cache.spec("eci-other", spec_text) == spec
