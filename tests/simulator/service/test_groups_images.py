"""Missing and private images: the call succeeds, the instance waits with ErrImagePull (as ECI)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.registry.images import DEMO_PRIVATE_IMAGE
from simulator.settings import ClockMode, ClockSettings, SimulatorSettings
from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import make_test_settings
from tests.simulator.service.conftest import container, create_group, describe

DEMO_SERVER = "registry.cn-hangzhou.aliyuncs.com"
MISSING = "nginx:0.0.0-no-such-tag"


@pytest.fixture
def eci_settings(tmp_path: Path) -> SimulatorSettings:
    """Virtual clock, and a catalog file marking one reference missing (the registry is open)."""
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"missing": [MISSING]}))
    return dataclasses.replace(
        make_test_settings(tmp_path),
        clock=ClockSettings(mode=ClockMode.VIRTUAL),
        catalog_paths=(catalog,),
    )


def credential(password: str) -> eci_models.CreateContainerGroupRequestImageRegistryCredential:
    return eci_models.CreateContainerGroupRequestImageRegistryCredential(
        server=DEMO_SERVER, user_name="vk-eci-demo", password=password
    )


async def test_an_unknown_image_waits_in_err_image_pull_and_retries(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(eci_client, container("c", MISSING))
    clock.advance(10)
    group = await describe(eci_client, group_id)
    assert group.status == "Pending"
    state = group.containers[0].current_state
    assert (state.state, state.reason) == ("Waiting", "ErrImagePull")
    assert "manifest unknown" in state.message
    failed = next(e for e in group.events if e.reason == "Failed")
    assert failed.type == "Warning"
    assert failed.count == 1
    clock.advance(600)  # retries with back-off 10, 20, 40, 80, 160, 300 s
    group = await describe(eci_client, group_id)
    assert group.status == "Pending"
    failed = next(e for e in group.events if e.reason == "Failed")
    assert failed.count > 3
    assert group.containers[0].current_state.reason == "ImagePullBackOff"


async def test_a_private_image_needs_the_right_credential(
    eci_client: Client, clock: VirtualClock
) -> None:
    without = await create_group(eci_client, container("c", DEMO_PRIVATE_IMAGE), name="without")
    wrong = await create_group(
        eci_client,
        container("c", DEMO_PRIVATE_IMAGE),
        name="wrong",
        image_registry_credential=[credential("not-the-password")],
    )
    right = await create_group(
        eci_client,
        container("c", DEMO_PRIVATE_IMAGE),
        name="right",
        image_registry_credential=[credential("vk-eci-demo-password")],
    )
    clock.advance(120)
    for group_id in (without, wrong):
        group = await describe(eci_client, group_id)
        assert group.status == "Pending"
        state = group.containers[0].current_state
        assert state.reason in ("ErrImagePull", "ImagePullBackOff")
        assert "unauthorized" in state.message.lower()
    assert (await describe(eci_client, right)).status == "Running"
