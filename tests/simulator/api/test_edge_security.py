"""Request signing as ECI enforces it, seen through the official SDK over real HTTP.

Each refusal must reach the SDK as the ECI error code a real endpoint returns,
so that client code written against ECI handles the simulator the same way.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config, GlobalParameters

from simulator.server import Simulator
from tests.fixtures.eci import EciTarget, make_test_settings
from tests.simulator.api.edge_support import BatchRecordingService, RecordingService

DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


async def describe_regions(client: Client) -> eci_models.DescribeRegionsResponseBody:
    response = await client.describe_regions_async(
        eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    return response.body


async def refused(client: Client) -> ClientException:
    with pytest.raises(ClientException) as raised:
        await describe_regions(client)
    return raised.value


async def test_a_correctly_signed_call_reaches_the_service(
    edge_client: Client, recording: RecordingService
) -> None:
    body = await describe_regions(edge_client)
    assert body.regions[0].region_id == "cn-hangzhou"
    assert body.regions[0].zones == ["cn-hangzhou-h", "cn-hangzhou-i"]
    assert recording.calls == [("DescribeRegions", {"RegionId": "cn-hangzhou"})]


async def test_unknown_access_key_is_refused(edge: EciTarget) -> None:
    error = await refused(Client(edge.sdk_config(access_key_id="LTAIunknown")))
    assert error.code == "InvalidAccessKeyId.NotFound"
    assert error.status_code == 404
    assert "LTAIunknown" in error.message


async def test_wrong_secret_is_refused(edge: EciTarget) -> None:
    error = await refused(Client(edge.sdk_config(access_key_secret="not-the-secret")))
    assert error.code == "SignatureDoesNotMatch"
    assert error.status_code == 400
    assert "not-the-secret" not in str(error.data)


@pytest.mark.parametrize("minutes", [-16, 16])
async def test_a_date_more_than_15_minutes_off_is_refused(edge: EciTarget, minutes: int) -> None:
    signed_at = (datetime.now(UTC) + timedelta(minutes=minutes)).strftime(DATE_FORMAT)
    config = edge.sdk_config(global_parameters=GlobalParameters(headers={"x-acs-date": signed_at}))
    error = await refused(Client(config))
    assert error.code == "InvalidTimeStamp.Expired"


async def test_a_date_within_15_minutes_is_accepted(edge: EciTarget) -> None:
    signed_at = (datetime.now(UTC) - timedelta(minutes=14)).strftime(DATE_FORMAT)
    config = edge.sdk_config(global_parameters=GlobalParameters(headers={"x-acs-date": signed_at}))
    body = await describe_regions(Client(config))
    assert body.regions[0].region_id == "cn-hangzhou"


async def test_a_replayed_nonce_is_refused(edge: EciTarget, recording: RecordingService) -> None:
    nonce = "nonce-used-twice"
    config = edge.sdk_config(
        global_parameters=GlobalParameters(headers={"x-acs-signature-nonce": nonce})
    )
    client = Client(config)
    await describe_regions(client)
    error = await refused(client)
    assert error.code == "SignatureNonceUsed"
    assert error.status_code == 400
    assert set(recording.nonces) == {nonce}
    remembered_until = recording.nonces[nonce]
    assert remembered_until - datetime.now(UTC) > timedelta(minutes=29)


async def test_a_refused_signature_does_not_burn_the_nonce(
    edge: EciTarget, recording: RecordingService
) -> None:
    headers = {"x-acs-signature-nonce": "kept-for-the-real-caller"}
    forged = edge.sdk_config(
        access_key_secret="guess", global_parameters=GlobalParameters(headers=headers)
    )
    assert (await refused(Client(forged))).code == "SignatureDoesNotMatch"
    genuine = edge.sdk_config(global_parameters=GlobalParameters(headers=headers))
    await describe_regions(Client(genuine))
    assert list(recording.nonces) == ["kept-for-the-real-caller"]


async def test_replays_are_refused_when_nonces_are_group_committed(tmp_path: Path) -> None:
    service = BatchRecordingService()
    settings = make_test_settings(tmp_path)
    credential = settings.security.credentials[0]
    async with Simulator(settings, service_factory=service.factory) as simulator:
        config = Config(
            access_key_id=credential.access_key_id,
            access_key_secret=credential.access_key_secret,
            endpoint=simulator.endpoint,
            protocol="http",
            region_id="cn-hangzhou",
        )
        await asyncio.gather(*(describe_regions(Client(config)) for _ in range(20)))
        assert len(service.nonces) == 20
        assert sum(len(write) for write in service.nonce_writes) == 20
        config.global_parameters = GlobalParameters(headers={"x-acs-signature-nonce": "again"})
        await describe_regions(Client(config))
        assert (await refused(Client(config))).code == "SignatureNonceUsed"
