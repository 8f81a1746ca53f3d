"""Status changes of steady groups are found by SinceSecond polling on ECI's own clock.

The simulator runs 100x faster than real time. With the full reconcile pushed
out of the test's reach, the only way to notice that a Running container
finished is DescribeContainerGroupStatus with a SinceSecond window measured in
the simulator's seconds (estimated rate, never below the minimum window): a
window of agent seconds would be 100x too short and miss it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from copy import deepcopy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod
from vkprovider.pods.polling import described_summary, shown_summary
from vkprovider.pods.pollwindows import Coverage, Latency, Window
from vkprovider.pods.tracking import EciClockEstimate, timestamp_unit
from vkprovider.settings import AgentSettings


def test_clock_estimate_bounds_ecis_rate_from_both_sides() -> None:
    estimate = EciClockEstimate()
    start = datetime(2030, 1, 1, tzinfo=UTC)
    upper: float | None = estimate.upper_rate
    assert upper is None  # nothing created yet
    # ECI runs 100x: a group created by a call sent at 100.0 is seen described at 100.1.
    estimate.created(sent=100.0, seen=100.1, eci_time=start)
    estimate.observe(real=101.0, eci_time=start + timedelta(seconds=100))
    assert estimate.rate == 100.0
    upper = estimate.upper_rate
    assert upper is None  # one creation: no upper bound yet
    estimate.created(sent=110.0, seen=110.1, eci_time=start + timedelta(seconds=1000))
    upper = estimate.upper_rate
    assert upper is not None
    assert 100.0 <= upper <= (1000 + 2) / 9.9  # the true rate, at most a little more
    estimate.observe(real=120.0, eci_time=start + timedelta(seconds=1200))
    assert estimate.upper_rate == upper  # a lower bound below it changes nothing


def test_the_upper_bound_is_as_tight_as_ecis_timestamps() -> None:
    """Whole-second CreationTimes may be a second off either way; millisecond ones are not."""
    assert timestamp_unit("2030-01-01T00:00:00Z") == 1.0
    assert timestamp_unit("2030-01-01T00:00:00.065Z") == 0.001
    assert timestamp_unit("2030-01-01T00:00:00.5+08:00") == 0.1
    start = datetime(2030, 1, 1, tzinfo=UTC)
    bounds = []
    for unit in (1.0, 0.001):
        estimate = EciClockEstimate()
        estimate.created(sent=0.0, seen=0.5, eci_time=start, unit=unit)
        estimate.created(sent=20.5, seen=21.0, eci_time=start + timedelta(seconds=20), unit=unit)
        bounds.append(estimate.upper_rate)
    assert bounds == pytest.approx([22.0 / 20.0, 20.002 / 20.0])


def test_a_slow_poll_does_not_move_the_covered_point() -> None:
    """A poll answered later than its window allowed for may have left a gap: the next
    poll reaches back over it; one that fits moves the covered point to when it was sent."""
    coverage = Coverage(slack=1)
    latency = Latency()
    assert coverage.reach(rate=3.0, sent=1.0, latency=latency) == 1  # the first: slack
    latency.add(0.2, span=None)  # the first poll took 0.2 s
    coverage.covered = 10.0
    seconds = coverage.reach(rate=1.0, sent=14.0, latency=latency)
    assert seconds == 6  # ceil(4 + 0.2) + 1
    window = Window(seconds=seconds, sent=14.0, rate=1.0)
    assert coverage.covers(window, answered=14.3)  # 6 >= 4.3 + 1
    assert not coverage.covers(window, answered=15.5)  # ECI may have answered at 15.4
    # Not covered: the covered point stays at 10.0, so the next poll, sent at 18.0,
    # reaches back 8 seconds (and its allowance) plus the slack instead of 4.
    assert coverage.reach(rate=1.0, sent=18.0, latency=latency) == 10  # ceil(8.2) + 1


def test_the_latency_allowance_grows_with_the_span_reached_back_over() -> None:
    """A sweep over 60 s answers more pages than a poll over 5 s: it is allowed for longer,
    so that it is not found short (and repeated wider) every time."""
    latency = Latency()
    latency.add(0.3, span=None)
    latency.add(0.05, span=0.5)  # a tick while unmeasured: a fixed cost, not per second
    assert latency.allowance(5.0) == 0.3
    latency.add(1.0, span=5.0)
    assert latency.allowance(5.0) == pytest.approx(1.0)
    assert latency.allowance(60.0) == pytest.approx(12.0)
    assert latency.allowance(1.0) == 0.3


def test_first_showing_of_a_group_described_steady_is_not_described_again() -> None:
    group: dict[str, Any] = {
        "ContainerGroupId": "eci-1",
        "Status": "Running",
        "IntranetIp": "10.0.0.7",
        "Containers": [
            {
                "Name": "app",
                "Image": "busybox:1.37",
                "Ready": True,
                "RestartCount": 0,
                "CurrentState": {"State": "Running"},
            }
        ],
    }
    shown: dict[str, Any] = {
        "ContainerGroupId": "eci-1",
        "Status": "Running",
        "PodStatus": {
            "PodIp": "10.0.0.7",
            "ContainerStatuses": [
                {
                    "Name": "app",
                    "Image": "busybox:1.37",
                    "Ready": True,
                    "RestartCount": 0,
                    "State": {"Running": {"StartedAt": "2030-01-01T00:00:00Z"}},
                }
            ],
        },
    }
    assert shown_summary(shown) == described_summary(group)  # type: ignore[arg-type]
    restarted = deepcopy(shown)
    restarted["PodStatus"]["ContainerStatuses"][0]["RestartCount"] = 1
    exited = deepcopy(shown)
    exited["PodStatus"]["ContainerStatuses"][0]["State"] = {"Terminated": {"ExitCode": 1}}
    deleted = deepcopy(shown)
    deleted["Status"] = "Terminating"
    for changed in (restarted, exited, deleted):
        assert shown_summary(changed) != described_summary(group)  # type: ignore[arg-type]


async def _finish_while_steady(
    handle: Any,
    kube_api: client.ApiClient,
    name: str,
    *,
    exit_code: int,
    final_phase: str,
    when_steady: Callable[[], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """A Never-restarting Pod that exits after 300 ECI seconds: Running, steady (no longer
    polled by id), then `final_phase`, which only a status poll can have noticed."""
    ns = handle.namespace
    manifest = pod_manifest(
        name,
        image="busybox:1.37",
        env={"ECI_SIM_EXIT_AFTER_SECONDS": "300", "ECI_SIM_EXIT_CODE": str(exit_code)},
        restart_policy="Never",
    )
    await create_pod(kube_api, ns, manifest)

    async def phase(wanted: str) -> bool:
        pod = await read_pod(kube_api, ns, name)
        return bool(pod["status"].get("phase") == wanted)

    await eventually(lambda: phase("Running"), deadline_seconds=20, what="Running")

    async def steady() -> bool:
        return not handle.agent.cloud_state.in_flight()

    await eventually(steady, what="group steady (no longer polled by id)")
    if when_steady is not None:
        await when_steady()
    await eventually(lambda: phase(final_phase), deadline_seconds=40, what=final_phase)
    pod: dict[str, Any] = await read_pod(kube_api, ns, name)
    return pod


async def test_steady_pod_finishing_later_is_noticed_without_reconcile(
    agent_factory: Any, agent_settings: AgentSettings, kube_api: client.ApiClient
) -> None:
    pods = replace(
        agent_settings.pods,
        reconcile_interval_seconds=600,
        status_poll_interval_seconds=0.2,
        status_poll_overlap_seconds=1,
    )
    handle = await agent_factory(pods=pods)
    try:
        await _finish_while_steady(handle, kube_api, "later", exit_code=0, final_phase="Succeeded")
        assert handle.agent.reconciler.rounds == 1  # only the start-up round ran
        assert handle.agent.cloud_state.eci_rate > 20  # ECI time runs ~100x faster here
    finally:
        await handle.stop()


async def test_polls_between_sweeps_notice_a_change_on_their_own(
    agent_factory: Any, agent_settings: AgentSettings, kube_api: client.ApiClient
) -> None:
    """Only the first poll sweeps (overlap); every later window is just what elapsed since
    the previous poll plus one ECI second, and still the finish is not missed."""
    pods = replace(
        agent_settings.pods,
        reconcile_interval_seconds=600,
        status_poll_interval_seconds=0.2,
        status_poll_sweep_seconds=600,
    )
    handle = await agent_factory(pods=pods)
    try:
        pod = await _finish_while_steady(
            handle, kube_api, "narrow", exit_code=3, final_phase="Failed"
        )
        terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
        assert terminated["exitCode"] == 3
        poller = handle.agent.poller
        assert handle.agent.reconciler.rounds == 1  # only the start-up round ran
        assert poller.sweeps == 1  # the first poll; the finish came through a narrow one
        assert poller.status_polls > poller.sweeps
    finally:
        await handle.stop()


async def test_failed_status_polls_leave_no_gap(
    agent_factory: Any, agent_settings: AgentSettings, kube_api: client.ApiClient, eci: EciTarget
) -> None:
    """The status polls fail (every retry) while the steady Pod's container exits: the first
    poll that answers reaches back over the failed ones' time and finds the exit."""
    pods = replace(
        agent_settings.pods,
        reconcile_interval_seconds=600,
        status_poll_interval_seconds=0.2,
        status_poll_sweep_seconds=600,
    )
    handle = await agent_factory(pods=pods)
    failing = 18  # two polls' worth of attempts (each is retried 8 times)

    async def fail_status_polls() -> None:
        fail = {"count": failing, "actions": ["DescribeContainerGroupStatus"]}
        await eci.admin("POST", "/faults", {"fail": fail})

    try:
        before = (await eci.admin("GET", "/faults"))["failures_sent"]
        await _finish_while_steady(
            handle,
            kube_api,
            "gap",
            exit_code=0,
            final_phase="Succeeded",
            when_steady=fail_status_polls,
        )
        assert (await eci.admin("GET", "/faults"))["failures_sent"] - before == failing
        poller = handle.agent.poller
        assert handle.agent.reconciler.rounds == 1  # only the start-up round ran
        assert poller.sweeps == 1  # the first poll; the finish came through a narrow one
    finally:
        await eci.admin("DELETE", "/faults")
        await handle.stop()
