"""The agent paces the cycle collector for the many objects it keeps (`vkprovider.collecting`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tests.vkprovider.conftest import AgentHandle
from vkprovider import collecting


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("thresholds")
def test_pace_runs_young_collections_less_often() -> None:
    gc.set_threshold(700, 10, 10)
    collecting.pace()
    assert gc.get_threshold() == (collecting.YOUNG_THRESHOLD, *collecting.OLDER_THRESHOLDS)
    assert collecting.YOUNG_THRESHOLD > 700


def test_settle_freezes_what_lives_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collecting, "_settled", False)
    gc.unfreeze()
    kept = [{"pod": index} for index in range(100)]
    try:
        collecting.settle()
        assert gc.get_freeze_count() > len(kept)
        assert not any(obj is kept for obj in gc.get_objects())  # out of every collection
        later = [{"later": index} for index in range(100)]
        collecting.settle()  # a second agent in the same process: nothing more is frozen
        assert any(obj is later for obj in gc.get_objects())
    finally:
        gc.unfreeze()


async def test_a_started_agent_has_paced_the_collector(agent: AgentHandle) -> None:
    assert gc.get_threshold()[0] == collecting.YOUNG_THRESHOLD
