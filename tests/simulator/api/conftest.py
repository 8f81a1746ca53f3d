"""Fixtures for edge tests: a simulator over a recording stand-in service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alibabacloud_eci20180808.client import Client

from simulator.server import Simulator
from tests.fixtures.eci import EciTarget, make_test_settings
from tests.simulator.api.edge_support import RecordingService


@pytest.fixture
def recording() -> RecordingService:
    return RecordingService()


@pytest.fixture
async def edge(tmp_path: Path, recording: RecordingService) -> AsyncIterator[EciTarget]:
    settings = make_test_settings(tmp_path)
    credential = settings.security.credentials[0]
    async with Simulator(settings, service_factory=recording.factory) as simulator:
        yield EciTarget(
            endpoint=simulator.endpoint,
            access_key_id=credential.access_key_id,
            access_key_secret=credential.access_key_secret,
            region_id=settings.region.region_id,
            admin_url=simulator.admin_url,
            admin_token=settings.security.admin_token or "",
            simulator=simulator,
        )


@pytest.fixture
def edge_client(edge: EciTarget) -> Client:
    return Client(edge.sdk_config())
