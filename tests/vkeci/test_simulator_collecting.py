"""`vk-eci simulator` paces the cycle collector for the groups it keeps, as the agent does
(`vkprovider.collecting`, whose own tests cover the pace)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from tests.fixtures.eci import make_test_settings
from tests.polling import eventually
from vkeci.commands import simulator as simulator_command
from vkprovider import collecting


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("thresholds")
async def test_the_simulator_command_serves_with_the_collector_paced_and_settled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collecting, "_settled", False)  # as in a fresh process
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()
    serving = asyncio.create_task(
        simulator_command._serve(make_test_settings(tmp_path), structlog.get_logger("test"))
    )
    try:
        seen: list[str] = []

        async def ready() -> dict[str, str] | None:
            if serving.done():
                serving.result()
            seen.extend(capsys.readouterr().out.splitlines())
            lines = [line for line in seen if line.startswith('{"endpoint"')]
            return json.loads(lines[0]) if lines else None

        assert (await eventually(ready, what="the simulator's ready line"))["endpoint"]
        assert gc.get_threshold() == (collecting.YOUNG_THRESHOLD, *collecting.OLDER_THRESHOLDS)
        assert gc.get_freeze_count() > 0
        os.kill(os.getpid(), signal.SIGTERM)  # what stops `vk-eci simulator`
        assert await asyncio.wait_for(serving, timeout=30) == 0
    finally:
        serving.cancel()
        gc.unfreeze()
