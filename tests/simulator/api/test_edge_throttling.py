"""Flow control: a caller over its per-operation rate gets `Throttling.User`, others do not.

The rate here is tiny (one token per 1,000 s) so that the bucket cannot refill
during the test: which call is refused is exact, not a matter of timing.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.exceptions import ThrottlingException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkeci.request.v20180808.DescribeRegionsRequest import DescribeRegionsRequest

from simulator.server import Simulator
from simulator.settings import Credential, ThrottleSettings
from tests.fixtures.eci import EciTarget, make_test_settings
from tests.fixtures.legacy_eci import LegacyEci
from tests.simulator.api.edge_support import RecordingService

SECOND_KEY = Credential(access_key_id="LTAIsecondcaller", access_key_secret=secrets.token_hex(12))


@pytest.fixture
async def throttled(tmp_path: Path, recording: RecordingService) -> AsyncIterator[EciTarget]:
    settings = make_test_settings(tmp_path)
    settings = dataclasses.replace(
        settings,
        security=dataclasses.replace(
            settings.security, credentials=(*settings.security.credentials, SECOND_KEY)
        ),
        throttle=ThrottleSettings(
            calls_per_second=0.001, burst=2, per_action=(("DescribeContainerGroups", 0.0),)
        ),
    )
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


async def describe_regions(client: Client) -> None:
    await client.describe_regions_async(eci_models.DescribeRegionsRequest(region_id="cn-hangzhou"))


async def test_the_call_past_the_burst_is_throttled(
    throttled: EciTarget, recording: RecordingService
) -> None:
    client = Client(throttled.sdk_config())
    await describe_regions(client)
    await describe_regions(client)
    with pytest.raises(ThrottlingException) as raised:
        await describe_regions(client)
    error = raised.value
    assert error.code == "Throttling.User"
    assert error.status_code == 400
    assert "Request was denied due to user flow control." in error.message
    # one token per 1,000 s: the next one is about 1,000 s away
    assert 990_000 <= error.retry_after <= 1_000_000
    assert [action for action, _ in recording.calls] == ["DescribeRegions"] * 2


async def test_the_old_sdk_sees_the_same_throttle(throttled: EciTarget) -> None:
    legacy = LegacyEci(throttled)
    await legacy.call(DescribeRegionsRequest())
    await legacy.call(DescribeRegionsRequest())
    with pytest.raises(ServerException) as raised:
        await legacy.call(DescribeRegionsRequest())
    assert raised.value.get_error_code() == "Throttling.User"
    assert raised.value.get_http_status() == 400


async def test_the_rate_is_per_access_key_and_per_operation(
    throttled: EciTarget, recording: RecordingService
) -> None:
    first = Client(throttled.sdk_config())
    for _ in range(2):
        await describe_regions(first)
    with pytest.raises(ThrottlingException):
        await describe_regions(first)
    second = Client(
        throttled.sdk_config(
            access_key_id=SECOND_KEY.access_key_id,
            access_key_secret=SECOND_KEY.access_key_secret,
        )
    )
    await describe_regions(second)  # another AccessKey has its own bucket
    for _ in range(5):  # an operation rated 0 is exempt
        await first.describe_container_groups_async(
            eci_models.DescribeContainerGroupsRequest(region_id="cn-hangzhou")
        )
    assert [action for action, _ in recording.calls] == ["DescribeRegions"] * 3 + [
        "DescribeContainerGroups"
    ] * 5
