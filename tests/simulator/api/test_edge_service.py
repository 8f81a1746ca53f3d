"""The edge over the real service: fixtures, cross-process replays, admin clock, metrics."""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config, GlobalParameters

from simulator.server import Simulator
from simulator.settings import ClockMode, ClockSettings
from tests.fixtures.eci import EciTarget, make_test_settings
from tests.polling import eventually
from tests.simulator.service.postgres import PostgresServer, postgres_server

__all__ = ["postgres_server"]  # the session-wide server fixture, shared with the service tests

REGION = "cn-hangzhou"
VIRTUAL = {"clock": ClockSettings(mode=ClockMode.VIRTUAL)}


def flink_group(name: str) -> eci_models.CreateContainerGroupRequest:
    return eci_models.CreateContainerGroupRequest(
        region_id=REGION,
        container_group_name=name,
        cpu=1.0,
        memory=2.0,
        container=[eci_models.CreateContainerGroupRequestContainer(name="app", image="flink:seed")],
    )


async def group_status(client: Client, group_id: str) -> str:
    response = await client.describe_container_groups_async(
        eci_models.DescribeContainerGroupsRequest(
            region_id=REGION, container_group_ids=json.dumps([group_id])
        )
    )
    [group] = response.body.container_groups
    return str(group.status)


async def wait_for_status(client: Client, group_id: str, wanted: str) -> None:
    """Poll until the group reaches `wanted`, failing after 20 real seconds."""

    async def reached() -> bool:
        return await group_status(client, group_id) == wanted

    await eventually(reached, what=f"container group {group_id} {wanted}", deadline_seconds=20)


async def test_the_fixture_serves_the_sdk_end_to_end(eci: EciTarget, eci_client: Client) -> None:
    created = await eci_client.create_container_group_async(flink_group("web"))
    group_id = created.body.container_group_id
    await wait_for_status(eci_client, group_id, "Running")
    metrics = await eci.admin("GET", "/metrics")
    assert 'eci_resources{kind="container_group",state="Running"} 1.0' in metrics
    assert 'eci_api_calls_total{action="CreateContainerGroup",code="Success"} 1.0' in metrics


@pytest.mark.parametrize("eci", [VIRTUAL], indirect=True)
async def test_an_admin_clock_move_shows_what_fell_due(eci: EciTarget, eci_client: Client) -> None:
    created = await eci_client.create_container_group_async(flink_group("batch"))
    group_id = created.body.container_group_id
    assert await group_status(eci_client, group_id) != "Running"
    await eci.admin("POST", "/clock", {"advance_seconds": 120})
    assert await group_status(eci_client, group_id) == "Running"


async def postgres_database(server: PostgresServer) -> str:
    """A fresh database on the shared test server; its SQLAlchemy URL."""
    name = "edge_" + secrets.token_hex(4)
    admin = await asyncpg.connect(
        host=server.host, port=server.port, user=server.user, database="postgres"
    )
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return server.url(name)


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_nonce_used_on_one_process_is_refused_by_another(
    tmp_path: Path, request: pytest.FixtureRequest, store: str
) -> None:
    settings = make_test_settings(tmp_path)
    if store == "postgres":
        server = request.getfixturevalue("postgres_server")
        settings = replace(settings, database_url=await postgres_database(server))
    credential = settings.security.credentials[0]
    async with (
        Simulator(settings) as first,
        Simulator(
            replace(settings, clock=ClockSettings(mode=ClockMode.SCALED, time_scale=0.01))
        ) as second,
    ):

        def client_for(simulator: Simulator) -> Client:
            return Client(
                Config(
                    access_key_id=credential.access_key_id,
                    access_key_secret=credential.access_key_secret,
                    endpoint=simulator.endpoint,
                    protocol="http",
                    region_id=REGION,
                    global_parameters=GlobalParameters(
                        headers={"x-acs-signature-nonce": "shared-nonce-1"}
                    ),
                )
            )

        request = eci_models.DescribeRegionsRequest(region_id=REGION)
        await client_for(first).describe_regions_async(request)
        with pytest.raises(ClientException) as raised:
            await client_for(second).describe_regions_async(request)
    assert raised.value.code == "SignatureNonceUsed"
