"""The open registry through the SDK: users' own images run, the same way on every restart.

`manifest unknown` stays reachable: a strict registry, or a reference marked missing by
the admin API. Private registries still want their credential.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import structlog
from alibabacloud_eci20180808 import models as m
from alibabacloud_eci20180808.client import Client

from simulator.server import Simulator
from simulator.settings import RegistryMode
from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import REGION, container, create_group, describe
from tests.simulator.service.test_durability import client_for, virtual_settings

USER_IMAGES = ("nginx:1.25", "redis:7", "ghcr.io/org/app:v1", "myrepo/app@sha256:" + "c" * 64)


async def _observed(
    eci: EciTarget | None, client: Client, clock: VirtualClock, simulator: Any
) -> dict[str, Any]:
    """What a user sees of each image: its imageID and how long preparation took."""
    seen: dict[str, Any] = {}
    for index, image in enumerate(USER_IMAGES):
        group_id = await create_group(client, container("c", image), name=f"g{index}")
        clock.advance(600)
        status = await client.describe_container_group_status_async(
            m.DescribeContainerGroupStatusRequest(
                region_id=REGION, container_group_ids=f'["{group_id}"]'
            )
        )
        image_id = status.body.data[0].pod_status.container_statuses[0].image_id
        body = await simulator.service.call(
            "DescribeContainerGroups",
            {"RegionId": REGION, "ContainerGroupIds": json.dumps([group_id])},
        )
        group = body["ContainerGroups"][0]
        assert group["Status"] == "Running", (image, group["Events"])
        seen[image] = (image_id, group["SimulatedPhases"]["ImagePreparationSeconds"])
    return seen


async def test_users_images_pull_the_same_in_every_simulator(tmp_path: Path) -> None:
    runs = []
    for index in range(2):  # two simulators, each with its own database and catalog
        settings = virtual_settings(tmp_path / f"sim{index}")
        (tmp_path / f"sim{index}").mkdir()
        async with Simulator(settings) as simulator:
            clock = simulator.service.clock
            assert isinstance(clock, VirtualClock)
            with structlog.testing.capture_logs() as log:
                runs.append(
                    await _observed(None, client_for(simulator, settings), clock, simulator)
                )
        synthesized = {
            e["image"] for e in log if e.get("event", "").startswith("pulling a synthesized")
        }
        assert synthesized == set(USER_IMAGES)
    assert runs[0] == runs[1]
    image_id, seconds = runs[0]["nginx:1.25"]
    assert image_id.startswith("docker.io/library/nginx@sha256:")
    assert seconds > 0
    assert runs[0]["myrepo/app@sha256:" + "c" * 64][0] == "docker.io/myrepo/app@sha256:" + "c" * 64


async def test_a_restart_keeps_what_the_group_pulled(tmp_path: Path) -> None:
    settings = virtual_settings(tmp_path)
    async with Simulator(settings) as simulator:
        client = client_for(simulator, settings)
        group_id = await create_group(client, container("c", "ghcr.io/org/app:v1"))
        before = await describe(client, group_id)
    async with Simulator(settings) as simulator:
        after = await describe(client_for(simulator, settings), group_id)
    assert after.containers[0].image == before.containers[0].image == "ghcr.io/org/app:v1"


async def test_synthesized_pulls_say_nothing_in_the_groups_events(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(eci_client, container("c", "nginx:1.25"))
    clock.advance(600)
    group = await describe(eci_client, group_id)
    assert group.status == "Running"
    messages = " ".join(e.message for e in group.events)
    assert "synthesized" not in messages
    assert 'Pulling image "nginx:1.25"' in messages


async def test_strict_registry_knows_only_the_catalog(tmp_path: Path) -> None:
    settings = dataclasses.replace(virtual_settings(tmp_path), registry_mode=RegistryMode.STRICT)
    async with Simulator(settings) as simulator:
        client = client_for(simulator, settings)
        clock = simulator.service.clock
        assert isinstance(clock, VirtualClock)
        unknown = await create_group(client, container("c", "nginx:1.25"), name="unknown")
        known = await create_group(client, container("c", "nginx:1.31.3"), name="known")
        clock.advance(60)
        state = (await describe(client, unknown)).containers[0].current_state
        assert state.state == "Waiting"
        assert state.reason in ("ErrImagePull", "ImagePullBackOff")
        assert 'failed to resolve reference "docker.io/library/nginx:1.25": manifest unknown' in (
            state.message
        )
        assert (await describe(client, known)).status == "Running"


async def test_the_admin_api_marks_a_reference_missing(
    eci: EciTarget, eci_client: Client, clock: VirtualClock
) -> None:
    answer = await eci.admin("POST", "/catalog", {"missing": ["redis:7"]})
    assert answer["missing"] == ["docker.io/library/redis:7"]
    group_id = await create_group(eci_client, container("c", "redis:7"))
    clock.advance(60)
    state = (await describe(eci_client, group_id)).containers[0].current_state
    assert state.reason in ("ErrImagePull", "ImagePullBackOff")
    assert "manifest unknown" in state.message


async def test_a_private_registry_still_needs_its_credential(
    eci_client: Client, clock: VirtualClock
) -> None:
    image = "registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/not-listed:2"
    group_id = await create_group(eci_client, container("c", image))
    clock.advance(60)
    state = (await describe(eci_client, group_id)).containers[0].current_state
    assert state.reason in ("ErrImagePull", "ImagePullBackOff")
    assert "unauthorized" in state.message


def test_the_registry_flag_picks_the_mode() -> None:
    from vkeci.cli import build_parser
    from vkeci.commands.simulator import build_settings

    env = {"ECI_ACCESS_KEY_ID": "LTAIexample", "ECI_ACCESS_KEY_SECRET": "example-secret"}
    default = build_settings(build_parser().parse_args(["simulator"]), env)
    strict = build_settings(build_parser().parse_args(["simulator", "--registry", "strict"]), env)
    assert (default.registry_mode, strict.registry_mode) == (RegistryMode.OPEN, RegistryMode.STRICT)
