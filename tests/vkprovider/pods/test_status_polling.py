"""Status changes of steady groups are found by SinceSecond polling on ECI's own clock.

The simulator runs 100x faster than real time. With the full reconcile pushed
out of the test's reach, the only way to notice that a Running container
finished is DescribeContainerGroupStatus with a SinceSecond window measured in
the simulator's seconds (estimated rate, never below the minimum window): a
window of agent seconds would be 100x too short and miss it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from kubernetes_asyncio import client

from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod
from vkprovider.pods.tracking import EciClockEstimate
from vkprovider.settings import AgentSettings


def test_clock_estimate_widens_the_window_with_ecis_speed() -> None:
    estimate = EciClockEstimate()
    start = datetime(2030, 1, 1, tzinfo=UTC)
    assert estimate.window_seconds(real_elapsed=2.0, overlap=5) == 8  # unknown: rate 1
    estimate.anchor(real=100.0, eci_time=start)
    estimate.observe(real=101.0, eci_time=start + timedelta(seconds=100))
    assert estimate.rate == 100.0
    assert estimate.window_seconds(real_elapsed=0.2, overlap=5) == 35
    assert estimate.window_seconds(real_elapsed=0.2, overlap=5, margin=1.0) == 25  # sweeps
    estimate.observe(real=102.0, eci_time=start + timedelta(seconds=120))  # lower: ignored
    assert estimate.rate == 100.0


async def _finish_while_steady(
    handle: Any, kube_api: client.ApiClient, name: str, *, exit_code: int, final_phase: str
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
    await eventually(lambda: phase(final_phase), deadline_seconds=20, what=final_phase)
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
        assert poller.polls > poller.sweeps
    finally:
        await handle.stop()
