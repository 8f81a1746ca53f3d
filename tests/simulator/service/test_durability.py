"""Durable state: a restart resumes in-flight work at the planned instants; two simulators
on one PostgreSQL database behave as one service."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.models import Config
from sqlalchemy import select

from simulator.server import Simulator
from simulator.service import EciService
from simulator.settings import ClockMode, ClockSettings, SimulatorSettings
from simulator.store.tables import ContainerGroupRow
from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import make_test_settings
from tests.simulator.service.conftest import (
    REGION,
    container,
    create_group,
    describe,
    parse,
    seconds_between,
)
from tests.simulator.service.postgres import PostgresServer, postgres_server
from tests.simulator.service.test_groups_lifecycle import uncached_preparation_seconds
from tests.simulator.service.test_imagecaches import build_seconds, create_cache, describe_cache

__all__ = ["postgres_server"]


def virtual_settings(tmp_path: Path, **changes: Any) -> SimulatorSettings:
    settings = make_test_settings(tmp_path)
    return dataclasses.replace(settings, clock=ClockSettings(mode=ClockMode.VIRTUAL), **changes)


def client_for(simulator: Simulator, settings: SimulatorSettings) -> Client:
    credential = settings.security.credentials[0]
    return Client(
        Config(
            access_key_id=credential.access_key_id,
            access_key_secret=credential.access_key_secret,
            endpoint=simulator.endpoint,
            protocol="http",
            region_id=REGION,
        )
    )


def service_of(simulator: Simulator) -> EciService:
    service = simulator.service
    assert isinstance(service, EciService)
    return service


def virtual_clock(simulator: Simulator) -> VirtualClock:
    clock = simulator.service.clock
    assert isinstance(clock, VirtualClock)
    return clock


async def test_a_restart_mid_pull_resumes_at_the_planned_instants(tmp_path: Path) -> None:
    settings = virtual_settings(tmp_path)
    async with Simulator(settings) as first:
        client = client_for(first, settings)
        group_id = await create_group(client, container("flink", "flink:seed"))
        cache_id = await create_cache(client, "busybox:1.37")
        clock = virtual_clock(first)
        created = await describe(client, group_id)
        clock.advance(20)  # scheduling done, the pull is under way, the cache is building
        assert (await describe(client, group_id)).status == "Pending"
        assert (await describe_cache(client, cache_id)).status == "Creating"
        stopped_at = clock.now()

    async with Simulator(settings) as second:
        clock = virtual_clock(second)
        assert clock.now() == stopped_at  # the simulated timeline continues
        client = client_for(second, settings)
        clock.advance(60)
        group = await describe(client, group_id)
        assert group.status == "Running"
        events = {e.reason: e for e in group.events}
        assert seconds_between(created.creation_time, events["Scheduled"].first_timestamp) == 3.0
        preparation = seconds_between(
            events["Pulling"].first_timestamp, events["Pulled"].first_timestamp
        )
        assert abs(preparation - uncached_preparation_seconds("flink:seed")) < 0.001
        assert events["Pulled"].count == 1  # nothing pulled twice
        listing = await client.describe_container_groups_async(
            eci_models.DescribeContainerGroupsRequest(region_id=REGION)
        )
        assert listing.body.total_count == 1  # nothing duplicated
        cache = await describe_cache(client, cache_id)
        assert cache.status == "Ready"
        done = max(parse(e.last_timestamp) for e in cache.events)
        assert (done - parse(cache.creation_time)).total_seconds() < build_seconds("busybox:1.37")
        # The engine caught up too: the stored status is Running.
        await service_of(second).settle()
        async with service_of(second).db.sessions() as session:
            stored = (
                await session.execute(
                    select(ContainerGroupRow.status).where(ContainerGroupRow.id == group_id)
                )
            ).scalar_one()
        assert stored == "Running"


@pytest.mark.postgres
async def test_two_simulators_on_one_postgres_database_are_one_service(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    database = "eci_" + secrets.token_hex(4)
    admin = await asyncpg.connect(
        host=postgres_server.host,
        port=postgres_server.port,
        user=postgres_server.user,
        database="postgres",
    )
    try:
        await admin.execute(f"CREATE DATABASE {database}")
    finally:
        await admin.close()
    settings = virtual_settings(tmp_path, database_url=postgres_server.url(database))
    async with Simulator(settings) as one, Simulator(settings) as two:
        a, b = client_for(one, settings), client_for(two, settings)
        clocks = [virtual_clock(one), virtual_clock(two)]
        assert clocks[0].now() == clocks[1].now()  # one persisted origin

        def advance(seconds: float) -> None:
            for clock in clocks:
                clock.advance(seconds)

        # The same ClientToken at both at once: one instance.
        ids = await asyncio.gather(
            create_group(a, container("web", "nginx:1.7.9"), client_token="pod-uid-42"),
            create_group(b, container("web", "nginx:1.7.9"), client_token="pod-uid-42"),
        )
        assert ids[0] == ids[1]
        # A cache built through one is used through the other.
        cache_id = await create_cache(b, "busybox:1.37")
        advance(build_seconds("busybox:1.37"))
        assert (await describe_cache(a, cache_id)).status == "Ready"
        cached = await create_group(
            a, container("side", "busybox:1.37"), image_snapshot_id=cache_id, name="cached"
        )
        advance(30)
        for client in (a, b):
            listing = await client.describe_container_groups_async(
                eci_models.DescribeContainerGroupsRequest(region_id=REGION, status="Running")
            )
            assert {g.container_group_id for g in listing.body.container_groups} == {
                ids[0],
                cached,
            }
        # Both engines materialise the same due rows; conditional updates keep one write.
        await asyncio.gather(service_of(one).settle(), service_of(two).settle())
        async with service_of(one).db.sessions() as session:
            rows = (await session.execute(select(ContainerGroupRow))).scalars().all()
        assert {row.status for row in rows} == {"Running"}
        # Deleted through one, gone through the other.
        await b.delete_container_group_async(
            eci_models.DeleteContainerGroupRequest(region_id=REGION, container_group_id=cached)
        )
        advance(5)
        listing = await a.describe_container_groups_async(
            eci_models.DescribeContainerGroupsRequest(
                region_id=REGION, container_group_ids=json.dumps([cached])
            )
        )
        assert listing.body.total_count == 0
        # A signature nonce used at one is a replay at the other.
        expires = clocks[0].now()
        assert await one.service.remember_nonce("nonce-1", expires_at=expires.replace(year=2100))
        assert not await two.service.remember_nonce(
            "nonce-1", expires_at=expires.replace(year=2100)
        )
