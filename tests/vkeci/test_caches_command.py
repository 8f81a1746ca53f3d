"""`vk-eci caches`: the cloud's image caches, automatic ones included, through the SDK."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from alibabacloud_eci20180808.client import Client

from simulator.settings import ClockMode, ClockSettings, SimulatorSettings
from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget, make_test_settings
from tests.simulator.service.conftest import container, create_group
from tests.simulator.service.test_imagecaches import build_seconds, create_cache
from vkeci.bench.processes import start_cli
from vkeci.commands.caches import CloudCache, format_table, list_caches
from vkprovider.settings import EciSettings


@pytest.fixture
def eci_settings(tmp_path: Path) -> SimulatorSettings:
    return dataclasses.replace(
        make_test_settings(tmp_path), clock=ClockSettings(mode=ClockMode.VIRTUAL)
    )


def settings_for(eci: EciTarget) -> EciSettings:
    return EciSettings(
        endpoint=eci.endpoint.removeprefix("http://"),
        region_id=eci.region_id,
        access_key_id=eci.access_key_id,
        access_key_secret=eci.access_key_secret,
    )


async def test_the_listing_shows_automatic_and_manual_caches(
    eci: EciTarget, eci_client: Client
) -> None:
    clock = eci.simulator.service.clock
    assert isinstance(clock, VirtualClock)
    manual = await create_cache(eci_client, "busybox:1.37", name="tools")
    await create_group(eci_client, container("web", "nginx:1.7.9"), auto_match_image_cache=True)
    clock.advance(max(build_seconds("busybox:1.37"), build_seconds("nginx:1.7.9")))
    await create_group(eci_client, container("web", "nginx:1.7.9"), auto_match_image_cache=True)
    caches = {c.source: c for c in await list_caches(settings_for(eci))}
    assert set(caches) == {"Automatic", "Manual"}
    assert caches["Manual"] == CloudCache(
        cache_id=manual,
        name="tools",
        source="Manual",
        status="Ready",
        size_gib=20,
        last_matched="",
        uses=0,
        build_usd=caches["Manual"].build_usd,
        images=("busybox:1.37",),
        usd_per_day=caches["Manual"].usd_per_day,
    )
    assert (caches["Manual"].usd_per_day or 0) > 0
    assert caches["Automatic"].images == ("nginx:1.7.9",)
    assert caches["Automatic"].status == "Ready"
    assert caches["Automatic"].uses == 1
    assert caches["Automatic"].build_usd == 0.0
    assert (caches["Manual"].build_usd or 0) > 0
    assert caches["Automatic"].last_matched != ""
    table = format_table(list(caches.values())).splitlines()
    assert table[0].split() == [
        "CACHE",
        "ID",
        "NAME",
        "SOURCE",
        "STATUS",
        "SIZE",
        "USES",
        "BUILD",
        "USD",
        "USD/DAY",
        "LAST",
        "MATCHED",
        "IMAGES",
    ]
    assert any(line.startswith(manual) and line.endswith("busybox:1.37") for line in table)


async def test_the_command_prints_json(eci: EciTarget, eci_client: Client) -> None:
    await create_group(eci_client, container("web", "nginx:1.7.9"), auto_match_image_cache=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECI_")}
    env |= {"ECI_ACCESS_KEY_ID": eci.access_key_id, "ECI_ACCESS_KEY_SECRET": eci.access_key_secret}
    process = await start_cli(
        ["caches", "--eci-endpoint", eci.endpoint.removeprefix("http://"), "--output", "json"],
        env=env,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    [cache] = json.loads(stdout)
    assert (cache["source"], cache["images"]) == ("Automatic", ["nginx:1.7.9"])
