"""Workloads, restart policies and readiness, seen through DescribeContainerGroups."""

from __future__ import annotations

import itertools
from datetime import timedelta

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import (
    container,
    create_group,
    describe,
    env,
    parse,
    seconds_between,
)


async def running_at(client: Client, clock: VirtualClock, group_id: str) -> str:
    """Advance until the group has started its containers; return when it did."""
    for _ in range(200):
        group = await describe(client, group_id)
        state = group.containers[0].current_state
        if state.start_time:
            return str(state.start_time)
        clock.advance(1)
    raise AssertionError("the group never started")


async def test_a_job_that_sleeps_succeeds_at_the_exact_time(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client,
        container("job", "busybox:1.37", command=["sleep", "30"]),
        restart_policy="Never",
    )
    started = await running_at(eci_client, clock, group_id)
    clock.advance(29)
    assert (await describe(eci_client, group_id)).status == "Running"
    clock.advance(30)
    group = await describe(eci_client, group_id)
    assert group.status == "Succeeded"
    state = group.containers[0].current_state
    assert (state.state, state.exit_code, state.reason) == ("Terminated", 0, "Completed")
    assert seconds_between(started, state.finish_time) == 30.0
    assert group.succeeded_time == state.finish_time


async def test_a_failing_command_fails_the_group_with_its_exit_code(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client,
        container("job", "busybox:1.37", command=["sh", "-c", "exit 3"]),
        restart_policy="Never",
    )
    await running_at(eci_client, clock, group_id)
    clock.advance(1)
    group = await describe(eci_client, group_id)
    assert group.status == "Failed"
    state = group.containers[0].current_state
    assert (state.state, state.exit_code, state.reason) == ("Terminated", 3, "Error")
    assert group.failed_time == state.finish_time


async def test_crash_loop_restarts_with_doubling_back_off(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client,
        container(
            "app",
            "busybox:1.37",
            environment_var=env(ECI_SIM_CRASH_LOOP="true", ECI_SIM_EXIT_AFTER_SECONDS="5"),
        ),
        restart_policy="OnFailure",
    )
    first_start = await running_at(eci_client, clock, group_id)
    clock.advance(5)  # exits at +5 s, back-off 10 s
    group = await describe(eci_client, group_id)
    app = group.containers[0]
    assert app.current_state.state == "Waiting"
    assert app.current_state.reason == "CrashLoopBackOff"
    assert app.previous_state.exit_code == 1
    assert app.restart_count == 0
    assert group.status == "Running"

    clock.advance(10)  # back-off over (container start time comes on top)
    for _ in range(10):
        app = (await describe(eci_client, group_id)).containers[0]
        if app.current_state.state == "Running":
            break
        clock.advance(1)
    assert app.restart_count == 1
    second_start = app.current_state.start_time
    restart_gap = seconds_between(first_start, second_start)
    # The second run ends 5 s after it started; the back-off has doubled to 20 s.
    clock.advance_to(parse(second_start) + timedelta(seconds=restart_gap + 10))
    group = await describe(eci_client, group_id)
    app = group.containers[0]
    assert app.current_state.state == "Running"
    assert app.restart_count == 2
    assert seconds_between(second_start, app.current_state.start_time) == restart_gap + 10
    backoff = next(e for e in group.events if e.reason == "BackOff")
    assert backoff.count == 2
    assert backoff.type == "Warning"


async def test_a_container_that_never_becomes_ready(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client,
        container("web", "nginx:1.7.9", environment_var=env(ECI_SIM_FAIL_READINESS="true")),
    )
    await running_at(eci_client, clock, group_id)
    clock.advance(600)
    group = await describe(eci_client, group_id)
    assert group.status == "Running"
    assert group.containers[0].ready is False


async def test_readiness_waits_for_the_probe_initial_delay(
    eci_client: Client, clock: VirtualClock
) -> None:
    probe = eci_models.CreateContainerGroupRequestContainerReadinessProbe(
        initial_delay_seconds=15,
        period_seconds=5,
        tcp_socket=eci_models.CreateContainerGroupRequestContainerReadinessProbeTcpSocket(port=80),
    )
    group_id = await create_group(
        eci_client, container("web", "nginx:1.7.9", readiness_probe=probe)
    )
    await running_at(eci_client, clock, group_id)
    assert (await describe(eci_client, group_id)).containers[0].ready is False
    clock.advance(15)
    assert (await describe(eci_client, group_id)).containers[0].ready is True


async def test_init_containers_run_to_completion_before_the_app(
    eci_client: Client, clock: VirtualClock
) -> None:
    init = eci_models.CreateContainerGroupRequestInitContainer(
        name="migrate", image="busybox:1.37", command=["sleep", "20"]
    )
    group_id = await create_group(
        eci_client, container("web", "nginx:1.7.9"), init_container=[init]
    )
    clock.advance(60)
    group = await describe(eci_client, group_id)
    migrate = group.init_containers[0].current_state
    web = group.containers[0].current_state
    assert (migrate.state, migrate.exit_code) == ("Terminated", 0)
    assert seconds_between(migrate.start_time, migrate.finish_time) == 20.0
    assert web.state == "Running"
    assert web.start_time > migrate.finish_time


async def test_active_deadline_fails_a_group_that_runs_too_long(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client, container("web", "nginx:1.7.9"), active_deadline_seconds=100
    )
    clock.advance(99)
    assert (await describe(eci_client, group_id)).status == "Running"
    clock.advance(1)
    group = await describe(eci_client, group_id)
    assert group.status == "Failed"
    assert seconds_between(group.creation_time, group.failed_time) == 100.0
    state = group.containers[0].current_state
    assert (state.state, state.reason) == ("Terminated", "DeadlineExceeded")
    assert any(e.reason == "DeadlineExceeded" for e in group.events)


async def test_an_instance_too_big_for_any_host_fails_to_schedule(
    eci_client: Client, clock: VirtualClock
) -> None:
    # 128 vCPU is no vCPU/memory specification ECI sells; an ECS type that large is, but
    # no simulated host has it.
    group_id = await create_group(
        eci_client, container("big", "nginx:1.7.9"), instance_type="ecs.g7.32xlarge"
    )
    assert (await describe(eci_client, group_id)).status == "Scheduling"
    clock.advance(10)
    group = await describe(eci_client, group_id)
    assert group.status == "ScheduleFailed"
    event = next(e for e in group.events if e.reason == "NoStock")
    assert event.type == "Warning"
    assert "128 vCPU" in event.message
    assert group.containers[0].current_state.state == "Waiting"


async def test_back_off_starts_afresh_after_a_long_run(
    eci_client: Client, clock: VirtualClock
) -> None:
    # Each run lasts 700 s, longer than kubelet's 10 minute reset: the wait stays 10 s.
    group_id = await create_group(
        eci_client,
        container(
            "slow",
            "busybox:1.37",
            environment_var=env(ECI_SIM_CRASH_LOOP="true", ECI_SIM_EXIT_AFTER_SECONDS="700"),
        ),
        restart_policy="OnFailure",
    )
    first = await running_at(eci_client, clock, group_id)
    starts = [first]
    for restarts in (1, 2):
        clock.advance_to(parse(starts[-1]) + timedelta(seconds=700 + 10 + 5))
        app = (await describe(eci_client, group_id)).containers[0]
        assert app.restart_count == restarts
        starts.append(app.current_state.start_time)
    gaps = [seconds_between(a, b) for a, b in itertools.pairwise(starts)]
    assert gaps[0] == gaps[1]
    assert 710 < gaps[0] < 715
