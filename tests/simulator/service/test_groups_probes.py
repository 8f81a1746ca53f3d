"""Probes act and workloads read their mounted files, on exact simulated time."""

from __future__ import annotations

import base64
from typing import Any

import structlog
from alibabacloud_eci20180808 import models as m
from alibabacloud_eci20180808.client import Client

from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import (
    REGION,
    container,
    create_group,
    describe,
    env,
    seconds_between,
)
from tests.simulator.service.test_groups_workloads import running_at

APP_CONF = "server.port=8080\nfeature.x=on\n"


def _config_volume(*files: tuple[str, str]) -> m.CreateContainerGroupRequestVolume:
    return m.CreateContainerGroupRequestVolume(
        name="conf",
        type="ConfigFileVolume",
        config_file_volume=m.CreateContainerGroupRequestVolumeConfigFileVolume(
            config_file_to_path=[
                m.CreateContainerGroupRequestVolumeConfigFileVolumeConfigFileToPath(
                    path=path, content=base64.b64encode(text.encode()).decode()
                )
                for path, text in files
            ]
        ),
    )


def _mount(path: str, sub_path: str | None = None) -> list[Any]:
    return [
        m.CreateContainerGroupRequestContainerVolumeMount(
            name="conf", mount_path=path, sub_path=sub_path
        )
    ]


async def _log(client: Client, group_id: str, name: str) -> str:
    request = m.DescribeContainerLogRequest(
        region_id=REGION, container_group_id=group_id, container_name=name
    )
    return str((await client.describe_container_log_async(request)).body.content)


async def test_cat_of_a_mounted_config_file_logs_its_content(
    eci_client: Client, clock: VirtualClock
) -> None:
    with structlog.testing.capture_logs() as simulator_log:
        group_id = await create_group(
            eci_client,
            container(
                "show",
                "busybox:1.37",
                command=["cat", "/etc/app/app.conf"],
                volume_mount=_mount("/etc/app"),
            ),
            container(
                "one",
                "busybox:1.37",
                command=["sh", "-c", "cat /config/app.conf; sleep 3600"],
                volume_mount=_mount("/config/app.conf", sub_path="app.conf"),
            ),
            container("miss", "busybox:1.37", command=["cat", "/etc/app/app.conf"]),
            volume=[_config_volume(("app.conf", APP_CONF), ("other.conf", "x=1\n"))],
            restart_policy="Never",
        )
        await running_at(eci_client, clock, group_id)
        clock.advance(5)
        logs = {name: await _log(eci_client, group_id, name) for name in ("show", "one", "miss")}
    assert "server.port=8080\nfeature.x=on\n" in logs["show"]
    assert "server.port=8080\nfeature.x=on\n" in logs["one"]
    assert "cat: /etc/app/app.conf: No such file or directory" in logs["miss"]
    group = await describe(eci_client, group_id)
    states = {c.name: c.current_state for c in group.containers}
    assert (states["show"].state, states["show"].exit_code) == ("Terminated", 0)
    assert (states["miss"].state, states["miss"].exit_code) == ("Terminated", 1)
    assert states["one"].state == "Running"
    # The content never reaches the simulator's own log, at any level.
    assert simulator_log
    assert not [entry for entry in simulator_log if "server.port" in repr(entry)]
    assert not [e for e in group.events if "server.port" in e.message]


async def test_a_failing_liveness_probe_restarts_the_container_with_back_off(
    eci_client: Client, clock: VirtualClock
) -> None:
    probe = m.CreateContainerGroupRequestContainerLivenessProbe(
        exec=m.CreateContainerGroupRequestContainerLivenessProbeExec(
            command=["cat", "/tmp/healthy"]
        ),
        initial_delay_seconds=5,
        period_seconds=10,
        failure_threshold=3,
    )
    group_id = await create_group(eci_client, container("web", "nginx:1.25", liveness_probe=probe))
    started = await running_at(eci_client, clock, group_id)
    group = await describe(eci_client, group_id)
    first = group.containers[0]
    assert (first.restart_count, first.current_state.state) == (0, "Running")
    # Probes at 5, 15 and 25 s fail: killed at 25 s, restarted after the 10 s back-off.
    clock.advance(25)
    killed = (await describe(eci_client, group_id)).containers[0]
    assert killed.current_state.state == "Waiting"
    assert killed.previous_state.exit_code == 137
    assert killed.previous_state.start_time == started
    clock.advance(10 + 1)
    web = (await describe(eci_client, group_id)).containers[0]
    assert (web.restart_count, web.current_state.state) == (1, "Running")
    events = {e.reason: e for e in (await describe(eci_client, group_id)).events}
    assert events["Unhealthy"].message == "Liveness probe failed: exec cat /tmp/healthy"
    assert "failed liveness probe" in events["Killing"].message
    # Every run is killed exactly 25 s after it starts; the back-off doubles to 20 s.
    clock.advance(25 + 20 + 5)
    again = (await describe(eci_client, group_id)).containers[0]
    assert again.restart_count == 2
    previous = again.previous_state
    assert seconds_between(previous.start_time, previous.finish_time) == 25.0
    assert seconds_between(killed.previous_state.finish_time, again.current_state.start_time) > 30


async def test_a_passing_liveness_probe_leaves_the_container_alone(
    eci_client: Client, clock: VirtualClock
) -> None:
    probe = m.CreateContainerGroupRequestContainerLivenessProbe(
        exec=m.CreateContainerGroupRequestContainerLivenessProbeExec(
            command=["cat", "/etc/app/app.conf"]
        ),
        period_seconds=1,
    )
    group_id = await create_group(
        eci_client,
        container("web", "nginx:1.25", liveness_probe=probe, volume_mount=_mount("/etc/app")),
        volume=[_config_volume(("app.conf", APP_CONF))],
    )
    await running_at(eci_client, clock, group_id)
    clock.advance(600)
    web = (await describe(eci_client, group_id)).containers[0]
    assert (web.restart_count, web.current_state.state, web.ready) == (0, "Running", True)


async def test_a_liveness_failure_can_be_forced_and_respects_never(
    eci_client: Client, clock: VirtualClock
) -> None:
    probe = m.CreateContainerGroupRequestContainerLivenessProbe(
        http_get=m.CreateContainerGroupRequestContainerLivenessProbeHttpGet(port=80),
        initial_delay_seconds=2,
        period_seconds=3,
        failure_threshold=1,
    )
    group_id = await create_group(
        eci_client,
        container(
            "web",
            "nginx:1.25",
            liveness_probe=probe,
            environment_var=env(ECI_SIM_FAIL_LIVENESS="true"),
        ),
        restart_policy="Never",
    )
    await running_at(eci_client, clock, group_id)
    clock.advance(2)
    group = await describe(eci_client, group_id)
    web = group.containers[0]
    assert (web.current_state.state, web.current_state.exit_code, web.restart_count) == (
        "Terminated",
        137,
        0,
    )
    assert group.status == "Failed"
    clock.advance(600)
    assert (await describe(eci_client, group_id)).containers[0].restart_count == 0


async def test_a_never_ready_container_keeps_the_group_not_ready(
    eci_client: Client, clock: VirtualClock
) -> None:
    probe = m.CreateContainerGroupRequestContainerReadinessProbe(
        exec=m.CreateContainerGroupRequestContainerReadinessProbeExec(
            command=["cat", "/etc/app/missing"]
        ),
        initial_delay_seconds=4,
    )
    group_id = await create_group(
        eci_client,
        container("web", "nginx:1.25", readiness_probe=probe),
        container("side", "redis:7"),
    )
    await running_at(eci_client, clock, group_id)
    clock.advance(3600)
    group = await describe(eci_client, group_id)
    ready = {c.name: c.ready for c in group.containers}
    assert ready == {"web": False, "side": True}
    assert group.status == "Running"
    assert group.containers[0].restart_count == 0
    unhealthy = next(e for e in group.events if e.reason == "Unhealthy")
    assert unhealthy.message == "Readiness probe failed: exec cat /etc/app/missing"
    status = await eci_client.describe_container_group_status_async(
        m.DescribeContainerGroupStatusRequest(
            region_id=REGION, container_group_ids=f'["{group_id}"]'
        )
    )
    conditions = {c.type: c.status for c in status.body.data[0].pod_status.conditions}
    assert (conditions["ContainersReady"], conditions["Ready"]) == ("False", "False")
