"""The agent's ECI calls reuse connections: N calls over at most `EciSettings.connections`.

Against the in-process simulator through the official SDK; the simulator counts the TCP
connections that carried calls (`eci_api_connections_total` on its admin metrics). The
SDK's own async methods open one connection per call, which is what the agent avoids.
"""

from __future__ import annotations

import asyncio
import re

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from tests.fixtures.eci import EciTarget
from vkprovider.eci.client import EciClient
from vkprovider.settings import EciSettings

CALLS = 60


async def connections_seen(eci: EciTarget) -> int:
    text = await eci.admin("GET", "/metrics")
    match = re.search(r"^eci_api_connections_total (\S+)$", text, re.MULTILINE)
    assert match, text
    return int(float(match.group(1)))


async def calls_answered(eci: EciTarget, action: str) -> int:
    text = await eci.admin("GET", "/metrics")
    pattern = rf'^eci_api_calls_total{{action="{action}",code="Success"}} (\S+)$'
    match = re.search(pattern, text, re.MULTILINE)
    return int(float(match.group(1))) if match else 0


def regions() -> eci_models.DescribeRegionsRequest:
    return eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")


async def test_the_sdks_async_methods_open_a_connection_per_call(
    eci: EciTarget, eci_client: Client
) -> None:
    before = await connections_seen(eci)
    for _ in range(5):
        await eci_client.describe_regions_async(regions())
    assert await connections_seen(eci) - before == 5


async def test_agent_calls_share_a_few_kept_alive_connections(eci: EciTarget) -> None:
    settings = EciSettings(
        endpoint=eci.endpoint,
        region_id=eci.region_id,
        access_key_id=eci.access_key_id,
        access_key_secret=eci.access_key_secret,
        connections=4,
    )
    client = EciClient(settings=settings)
    before = await connections_seen(eci)
    try:
        answers = await asyncio.gather(
            *(client.call("DescribeRegions", regions()) for _ in range(CALLS))
        )
    finally:
        client.close()
    assert all(answer.regions for answer in answers)
    assert await calls_answered(eci, "DescribeRegions") == CALLS
    opened = await connections_seen(eci) - before
    assert 1 <= opened <= settings.connections
