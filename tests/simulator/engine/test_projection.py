"""The engine's contract with its plans: walking from one due time to the next sees every
transition once, in order, and never stalls (a due time is always in the future)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from simulator.engine.groupplan import GroupPlan
from simulator.engine.groupstate import project
from simulator.engine.grouptypes import GroupStatus
from simulator.timemodel.settings import TimeModelSettings
from tests.simulator.plans import START, spec_and_plan, walk_request


def plan_for(env: dict[str, str], policy: str, command: list[str] | None = None) -> GroupPlan:
    container = {
        "Command": command or [],
        "EnvironmentVar": [{"Key": k, "Value": v} for k, v in env.items()],
    }
    return spec_and_plan(walk_request(container, RestartPolicy=policy))[1]


@pytest.mark.parametrize(
    ("env", "policy", "command", "final"),
    [
        ({}, "Always", ["sleep", "30"], GroupStatus.RUNNING),
        ({}, "Never", ["sleep", "30"], GroupStatus.SUCCEEDED),
        ({}, "Never", ["sh", "-c", "exit 4"], GroupStatus.FAILED),
        ({"ECI_SIM_CRASH_LOOP": "true"}, "OnFailure", None, GroupStatus.RUNNING),
        ({}, "Always", None, GroupStatus.RUNNING),
    ],
)
def test_walking_due_times_sees_every_transition_once(
    env: dict[str, str], policy: str, command: list[str] | None, final: GroupStatus
) -> None:
    plan = plan_for(env, policy, command)
    at = START
    seen = [at]
    for _ in range(200):
        state = project(plan, deleted_at=None, at=at)
        assert state.changed_at <= at
        if state.next_change_at is None:
            break
        assert state.next_change_at > at  # the runner never spins on a past due time
        at = state.next_change_at
        assert project(plan, deleted_at=None, at=at).changed_at == at
        seen.append(at)
    assert seen == sorted(set(seen))
    assert project(plan, deleted_at=None, at=at + timedelta(hours=1)).status is final


def test_deletion_ends_every_timeline() -> None:
    plan = plan_for({"ECI_SIM_CRASH_LOOP": "true"}, "Always")
    deleted = START + timedelta(seconds=40)
    state = project(plan, deleted_at=deleted, at=deleted)
    assert state.status is GroupStatus.TERMINATING
    assert state.next_change_at == deleted + timedelta(
        seconds=TimeModelSettings().termination_seconds
    )
    assert project(plan, deleted_at=deleted, at=state.next_change_at).gone
