"""Pods the provider cannot run: Pending (Failed only with restartPolicy Never), never a storm.

What a user sees with `kubectl get/describe pod`: a Deployment's Pod the agent refuses stays
`Pending` with reason `ProviderFailed`, a message naming the cause, `Ready=False` and one
Warning Event, so its ReplicaSet does not replace it in a loop; a Job's Pod (restartPolicy
Never) is `Failed`. A permanent ECI refusal costs one CreateContainerGroup per Pod update
(counted by the simulator's own metrics), a transient one is retried until it succeeds.
"""

from __future__ import annotations

import re
from typing import Any

from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.fixtures.kube import KubeTarget
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import (
    condition,
    create_pod,
    eventually,
    pod_events,
    pod_manifest,
    read_pod,
)

CREATE_CALLS = re.compile(r'^eci_api_calls_total\{action="CreateContainerGroup",code="([^"]*)"\} ')


def _deployment_pod(name: str) -> dict[str, Any]:
    """A Deployment's Pod as the agent sees it: restartPolicy Always (the agent's rule reads
    nothing else). Without an ownerReference: a garbage collector (a real cluster's, and the
    embedded server's stand-in) deletes a Pod whose owner does not exist."""
    manifest = pod_manifest(name)
    manifest["metadata"]["labels"] = {"app": "web", "pod-template-hash": "5d9c7b8f6"}
    return manifest


async def _create_calls(eci: EciTarget) -> int:
    """CreateContainerGroup calls the simulator answered, any outcome (its /_sim/metrics)."""
    text = await eci.admin("GET", "/metrics")
    total = 0.0
    for line in str(text).splitlines():
        if CREATE_CALLS.match(line):
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


async def _reconcile_rounds(agent: AgentHandle, rounds: int) -> None:
    """Wait until the agent's full reconcile (which enqueues every Pod) ran `rounds` more times."""
    reconciler = agent.agent.reconciler
    target = reconciler.rounds + rounds

    async def done() -> bool:
        return reconciler.rounds >= target

    await eventually(done, what=f"{rounds} more full reconciles")


async def _refused(api: client.ApiClient, ns: str, name: str, phase: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        pod = await read_pod(api, ns, name)
        status = pod["status"]
        return pod if status.get("reason") == "ProviderFailed" else None

    pod = await eventually(probe, deadline_seconds=20, what=f"{name} ProviderFailed")
    assert pod["status"]["phase"] == phase
    return pod


async def _warnings(api: client.ApiClient, ns: str, name: str) -> list[dict[str, Any]]:
    return [
        e
        for e in await pod_events(api, ns, name)
        if e.get("type") == "Warning" and e.get("reason") == "ProviderFailed"
    ]


async def test_deployment_pod_with_a_host_path_volume_stays_pending_with_one_warning(
    agent: AgentHandle, kube_api: client.ApiClient, kube: KubeTarget, eci: EciTarget
) -> None:
    ns = agent.namespace
    manifest = _deployment_pod("web")
    manifest["spec"]["volumes"] = [{"name": "data", "hostPath": {"path": "/var/lib/web"}}]
    manifest["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    await create_pod(kube_api, ns, manifest)
    pod = await _refused(kube_api, ns, "web", "Pending")
    message = pod["status"]["message"]
    assert "spec.volumes[0]" in message
    assert "'data'" in message
    assert "hostPath" in message
    assert condition(pod, "Ready") == "False"
    assert condition(pod, "PodScheduled") == "True"
    (main,) = pod["status"]["containerStatuses"]
    assert main["state"]["waiting"]["reason"] == "ProviderFailed"
    await eventually(
        lambda: _warnings(kube_api, ns, "web"), what="the ProviderFailed Warning of web"
    )
    await _reconcile_rounds(agent, 3)  # every round enqueues the Pod again
    (warning,) = await _warnings(kube_api, ns, "web")
    assert warning["message"] == message
    assert (warning.get("count") or 1) == 1
    again = await read_pod(kube_api, ns, "web")
    assert again["status"]["phase"] == "Pending"
    assert again["metadata"]["resourceVersion"] == pod["metadata"]["resourceVersion"]
    assert await _create_calls(eci) == 0  # refused before any ECI call


async def test_job_pod_the_provider_cannot_run_fails(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    manifest = pod_manifest("job-run", restart_policy="Never")
    manifest["metadata"]["labels"] = {"job-name": "nightly"}
    manifest["spec"]["volumes"] = [{"name": "claim", "persistentVolumeClaim": {"claimName": "x"}}]
    await create_pod(kube_api, ns, manifest)
    pod = await _refused(kube_api, ns, "job-run", "Failed")
    assert "'claim'" in pod["status"]["message"]
    assert "persistentVolumeClaim" in pod["status"]["message"]
    assert condition(pod, "Ready") == "False"
    (warning,) = await eventually(
        lambda: _warnings(kube_api, ns, "job-run"), what="the ProviderFailed Warning of job-run"
    )
    assert warning["message"] == pod["status"]["message"]


async def test_permanent_eci_refusal_is_tried_once_per_pod_update(
    agent: AgentHandle, kube_api: client.ApiClient, kube: KubeTarget, eci: EciTarget
) -> None:
    ns = agent.namespace
    await eci.admin(
        "POST",
        "/faults",
        {
            "fail": {
                "count": 1000,
                "status": 400,
                "code": "InvalidParameter",
                "message": "The specified parameter Container.1.Image is not valid.",
                "actions": ["CreateContainerGroup"],
            }
        },
    )
    await create_pod(kube_api, ns, _deployment_pod("refused"))
    pod = await _refused(kube_api, ns, "refused", "Pending")
    message = pod["status"]["message"]
    assert "InvalidParameter" in message
    assert "Container.1.Image" in message
    await _reconcile_rounds(agent, 3)
    assert await _create_calls(eci) == 1
    assert len(await _warnings(kube_api, ns, "refused")) == 1

    # A user's edit (an annotation) is a new pod update: exactly one more attempt.
    core: Any = client.CoreV1Api(kube_api)
    await core.patch_namespaced_pod(
        "refused",
        ns,
        {"metadata": {"annotations": {"k8s.aliyun.com/eci-use-specs": "2-4Gi"}}},
    )

    async def retried() -> bool:
        return await _create_calls(eci) >= 2

    await eventually(retried, what="one more CreateContainerGroup after the Pod's update")
    await _reconcile_rounds(agent, 3)
    assert await _create_calls(eci) == 2
    assert (await read_pod(kube_api, ns, "refused"))["status"]["phase"] == "Pending"
    await eci.admin("DELETE", "/faults")


async def test_refused_pod_is_not_reported_again_after_an_agent_restart(
    agent_factory: Any, kube_api: client.ApiClient, kube: KubeTarget, eci: EciTarget
) -> None:
    await eci.admin(
        "POST",
        "/faults",
        {
            "fail": {
                "count": 1000,
                "status": 403,
                "code": "Forbidden.RAM",
                "actions": ["CreateContainerGroup"],
            }
        },
    )
    first = await agent_factory()
    ns = first.namespace
    try:
        await create_pod(kube_api, ns, _deployment_pod("denied"))
        pod = await _refused(kube_api, ns, "denied", "Pending")
        assert "Forbidden.RAM" in pod["status"]["message"]
        await eventually(lambda: _warnings(kube_api, ns, "denied"), what="the Warning of denied")
    finally:
        await first.stop()
    second = await agent_factory()
    try:

        async def tried_again() -> bool:
            return await _create_calls(eci) >= 2

        await eventually(tried_again, what="the restarted agent's one attempt")
        await _reconcile_rounds(second, 3)
        assert await _create_calls(eci) == 2
        (warning,) = await _warnings(kube_api, ns, "denied")
        assert (warning.get("count") or 1) == 1
        again = await read_pod(kube_api, ns, "denied")
        assert again["metadata"]["resourceVersion"] == pod["metadata"]["resourceVersion"]
    finally:
        await second.stop()
        await eci.admin("DELETE", "/faults")


async def test_transient_eci_errors_are_retried_until_the_pod_runs(
    agent: AgentHandle, kube_api: client.ApiClient, kube: KubeTarget, eci: EciTarget
) -> None:
    ns = agent.namespace
    await eci.admin(
        "POST",
        "/faults",
        {"fail": {"count": 4, "status": 503, "actions": ["CreateContainerGroup"]}},
    )
    await create_pod(kube_api, ns, _deployment_pod("patient-web"))

    async def running() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "patient-web")
        return pod if pod["status"].get("phase") == "Running" else None

    pod = await eventually(running, deadline_seconds=25, what="patient-web Running")
    assert "reason" not in pod["status"]
    assert await _create_calls(eci) == 5  # four 503s, then the one that worked
    assert await _warnings(kube_api, ns, "patient-web") == []


async def test_pod_whose_request_is_too_large_for_eci_is_refused_not_retried(
    agent: AgentHandle, kube_api: client.ApiClient, kube: KubeTarget
) -> None:
    """The SDK sends every parameter in the query string: 400 env vars of 200 characters make
    a URL of about 100 KB, which no ECI front end accepts (whatever shape its 400 takes)."""
    ns = agent.namespace
    manifest = _deployment_pod("huge-env")
    manifest["spec"]["containers"][0]["env"] = [
        {"name": f"SETTING_{i:03d}", "value": "x" * 200} for i in range(400)
    ]
    await create_pod(kube_api, ns, manifest)
    pod = await _refused(kube_api, ns, "huge-env", "Pending")
    assert pod["status"]["message"].startswith("ECI refused to create the container group: ")
    await _reconcile_rounds(agent, 3)
    (warning,) = await _warnings(kube_api, ns, "huge-env")
    assert warning["message"] == pod["status"]["message"]
    assert (warning.get("count") or 1) == 1


async def test_a_refused_pod_that_the_user_fixes_runs_and_loses_the_refusal(
    agent: AgentHandle, kube_api: client.ApiClient, kube: KubeTarget, eci: EciTarget
) -> None:
    ns = agent.namespace
    await eci.admin(
        "POST",
        "/faults",
        {
            "fail": {
                "count": 1,
                "status": 400,
                "code": "InvalidParameter.Annotation",
                "actions": ["CreateContainerGroup"],
            }
        },
    )
    await create_pod(kube_api, ns, _deployment_pod("fixed"))
    await _refused(kube_api, ns, "fixed", "Pending")
    core: Any = client.CoreV1Api(kube_api)
    await core.patch_namespaced_pod(
        "fixed", ns, {"metadata": {"annotations": {"example.com/fixed": "true"}}}
    )

    async def running() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "fixed")
        return pod if pod["status"].get("phase") == "Running" else None

    pod = await eventually(running, deadline_seconds=25, what="fixed Running")
    assert "reason" not in pod["status"]
    assert "message" not in pod["status"]
    assert condition(pod, "Ready") == "True"
    assert await _create_calls(eci) == 2
