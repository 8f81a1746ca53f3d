"""Admin endpoints `/_sim/...`: token-guarded clock, faults and metrics on the API port."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.exceptions import (
    ClientException,
    ServerException,
    ThrottlingException,
)

from simulator.server import Simulator
from tests.fixtures.eci import EciTarget, make_test_settings
from tests.simulator.api.edge_support import RecordingService


async def describe_regions(client: Client) -> None:
    await client.describe_regions_async(eci_models.DescribeRegionsRequest(region_id="cn-hangzhou"))


async def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic abc"])
async def test_admin_needs_the_bearer_token(edge: EciTarget, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else None
    assert await status_of(edge.admin_url + "/clock", headers) == 401
    ok = {"Authorization": f"Bearer {edge.admin_token}"}
    assert await status_of(edge.admin_url + "/clock", ok) == 200


async def test_admin_is_absent_without_a_configured_token(
    tmp_path: Path, recording: RecordingService
) -> None:
    settings = make_test_settings(tmp_path)
    settings = replace(settings, security=replace(settings.security, admin_token=None))
    async with Simulator(settings, service_factory=recording.factory) as simulator:
        assert await status_of(simulator.admin_url + "/clock") == 404
        assert await status_of(simulator.admin_url + "/metrics") == 404


async def test_a_virtual_clock_moves_only_when_told(
    edge: EciTarget, recording: RecordingService
) -> None:
    before = await edge.admin("GET", "/clock")
    assert before["advanceable"] is True
    after = await edge.admin("POST", "/clock", {"advance_seconds": 90})
    moved = datetime.fromisoformat(after["now"]) - datetime.fromisoformat(before["now"])
    assert moved.total_seconds() == 90
    assert recording.settled == 1, "what fell due must be materialised before the answer"
    target = "2026-01-01T01:00:00+00:00"
    assert (await edge.admin("POST", "/clock", {"advance_to": target}))["now"] == target


async def test_injected_failures_reach_the_sdk_then_stop(edge: EciTarget) -> None:
    client = Client(edge.sdk_config())
    await edge.admin(
        "POST",
        "/faults",
        {"fail": {"count": 2, "code": "ServiceUnavailable", "status": 503}},
    )
    for _ in range(2):
        with pytest.raises(ServerException) as raised:
            await describe_regions(client)
        assert raised.value.code == "ServiceUnavailable"
        assert raised.value.status_code == 503
    await describe_regions(client)
    faults = await edge.admin("GET", "/faults")
    assert faults["failures"] == []
    assert faults["failures_sent"] == 2


async def test_injected_failures_can_target_one_action(
    edge: EciTarget, recording: RecordingService
) -> None:
    client = Client(edge.sdk_config())
    await edge.admin(
        "POST",
        "/faults",
        {
            "fail": {
                "count": 1,
                "code": "Throttling.User",
                "status": 400,
                "actions": ["DeleteContainerGroup"],
            }
        },
    )
    await describe_regions(client)
    request = eci_models.DeleteContainerGroupRequest(
        region_id="cn-hangzhou", container_group_id="eci-1"
    )
    with pytest.raises(ClientException) as raised:
        await client.delete_container_group_async(request)
    assert raised.value.code == "Throttling.User"
    await client.delete_container_group_async(request)
    assert [action for action, _ in recording.calls] == ["DescribeRegions", "DeleteContainerGroup"]
    faults = await edge.admin("GET", "/faults")
    assert (faults["failures"], faults["failures_sent"]) == ([], 1)


async def test_a_throttle_refuses_calls_beyond_the_rate_with_a_retry_hint(
    edge: EciTarget,
) -> None:
    client = Client(edge.sdk_config())
    await edge.admin("POST", "/faults", {"throttle_per_second": 2})
    codes = []
    hints = []
    for _ in range(5):
        try:
            await describe_regions(client)
            codes.append("Success")
        except ThrottlingException as error:
            codes.append(error.code)
            hints.append(error.retry_after)
    assert codes[:2] == ["Success", "Success"]
    assert "Throttling.User" in codes[2:]
    assert all(0 < hint <= 500 for hint in hints), hints  # milliseconds until the next token
    await edge.admin("DELETE", "/faults")
    await describe_regions(client)


async def test_metrics_count_calls_by_action_and_code(edge: EciTarget) -> None:
    await describe_regions(Client(edge.sdk_config()))
    with pytest.raises(ClientException):
        await describe_regions(Client(edge.sdk_config(access_key_secret="wrong")))
    text = await edge.admin("GET", "/metrics")
    assert 'eci_api_calls_total{action="DescribeRegions",code="Success"} 1.0' in text
    assert 'eci_api_calls_total{action="DescribeRegions",code="SignatureDoesNotMatch"} 1.0' in text
    assert 'eci_api_call_duration_seconds_count{action="DescribeRegions"} 2.0' in text


@pytest.mark.parametrize(
    "body",
    [
        {"advance_seconds": -1},
        {"advance_seconds": "soon"},
        {"advance_to": "yesterday"},
        {"advance_to": "2026-01-01T00:00:00"},
        {},
    ],
)
async def test_bad_clock_requests_say_what_is_wrong(
    edge: EciTarget, body: dict[str, object]
) -> None:
    with pytest.raises(AssertionError, match=r"400 .*(advance_seconds|advance_to)"):
        await edge.admin("POST", "/clock", body)


async def test_the_catalog_lists_builtin_images_and_takes_new_ones(edge: EciTarget) -> None:
    listed = await edge.admin("GET", "/catalog")
    references = {image["reference"] for image in listed["images"]}
    assert "docker.io/library/flink:seed" in references
    added = await edge.admin(
        "POST", "/catalog", {"ref": "example.com/team/tool:2.0", "layers_mb": [10, 2.5]}
    )
    [image] = added["added"]
    assert image["reference"] == "example.com/team/tool:2.0"
    assert image["compressed_bytes"] == 12_500_000
    relisted = await edge.admin("GET", "/catalog")
    assert "example.com/team/tool:2.0" in {image["reference"] for image in relisted["images"]}


async def test_a_bad_catalog_entry_is_refused_with_the_reason(edge: EciTarget) -> None:
    with pytest.raises(AssertionError, match=r"400 .*layers_mb"):
        await edge.admin("POST", "/catalog", {"ref": "example.com/team/tool:2.0"})


async def test_latency_delays_calls_and_concurrent_calls_spend_a_failure_once(
    edge: EciTarget,
) -> None:
    client = Client(edge.sdk_config())
    await edge.admin(
        "POST", "/faults", {"latency_seconds": 0.2, "fail": {"count": 1, "code": "Busy"}}
    )
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(describe_regions(client) for _ in range(3)), return_exceptions=True
    )
    assert time.perf_counter() - started >= 0.2
    assert [getattr(outcome, "code", "ok") for outcome in outcomes].count("Busy") == 1
    faults = await edge.admin("GET", "/faults")
    assert faults["failures"] == []
    assert faults["failures_sent"] == 1
