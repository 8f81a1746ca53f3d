"""Recovery: agent restarts, instances vanishing, API server and ECI faults.

Fault injection needs the embedded API server (`needs_embedded`) or the
simulator's admin API; the restart and lost-instance tests also run against a
real cluster.
"""

from __future__ import annotations

import json
from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.fixtures.eci import EciTarget
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod


async def _groups_of(eci_client: Client, region_id: str, uid: str) -> list[Any]:
    response = await eci_client.describe_container_groups_async(
        eci_models.DescribeContainerGroupsRequest(
            region_id=region_id,
            tag=[eci_models.DescribeContainerGroupsRequestTag(key="vk-eci.io/pod-uid", value=uid)],
        )
    )
    return list(response.body.container_groups or [])


async def _running(api: client.ApiClient, ns: str, name: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        pod = await read_pod(api, ns, name)
        return pod if pod["status"].get("phase") == "Running" else None

    return await eventually(probe, deadline_seconds=25, what=f"{name} Running")


async def test_restart_mid_creation_leaves_exactly_one_instance(
    agent_factory: Any, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    first = await agent_factory()
    ns = first.namespace
    try:
        pod = await create_pod(
            kube_api, ns, pod_manifest("survivor", image="docker.io/library/flink:seed")
        )
        uid = pod["metadata"]["uid"]

        async def created() -> bool:
            return bool(await _groups_of(eci_client, eci.region_id, uid))

        await eventually(created, what="container group created")
    finally:
        await first.stop()
    assert (await read_pod(kube_api, ns, "survivor"))["status"].get("phase") != "Running"
    second = await agent_factory()
    try:
        await _running(kube_api, ns, "survivor")
        assert len(await _groups_of(eci_client, eci.region_id, uid)) == 1
    finally:
        await second.stop()


async def test_client_token_makes_creation_idempotent(
    agent_factory: Any,
    kube_api: client.ApiClient,
    eci: EciTarget,
    eci_client: Client,
    namespace: str,
) -> None:
    """An instance created (with the Pod UID as ClientToken) but never recorded is reused."""
    pod = await create_pod(kube_api, namespace, pod_manifest("tokened"))
    uid = pod["metadata"]["uid"]
    made = await eci_client.create_container_group_async(
        eci_models.CreateContainerGroupRequest(
            region_id=eci.region_id,
            client_token=uid,
            container_group_name="orphan-before-tags",
            container=[
                eci_models.CreateContainerGroupRequestContainer(
                    name="main", image="nginx:1.7.9", cpu=0.5, memory=0.5
                )
            ],
            cpu=0.5,
            memory=1.0,
        )
    )
    handle = await agent_factory()
    try:
        pod = await _running(kube_api, namespace, "tokened")
        group_id = pod["status"]["containerStatuses"][0]["containerID"].split("/")[2]
        assert group_id == made.body.container_group_id
    finally:
        await handle.stop()


async def test_instance_deleted_behind_the_agents_back_fails_the_pod(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("victim"))
    pod = await _running(kube_api, ns, "victim")
    group_id = pod["status"]["containerStatuses"][0]["containerID"].split("/")[2]
    await eci_client.delete_container_group_async(
        eci_models.DeleteContainerGroupRequest(region_id=eci.region_id, container_group_id=group_id)
    )

    async def lost() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "victim")
        return pod if pod["status"].get("phase") == "Failed" else None

    pod = await eventually(lost, deadline_seconds=20, what="pod Failed")
    assert pod["status"]["reason"] == "ProviderInstanceLost"
    assert group_id in pod["status"]["message"]
    assert not await _groups_of(eci_client, eci.region_id, pod["metadata"]["uid"]) or all(
        g.status == "Terminating"
        for g in await _groups_of(eci_client, eci.region_id, pod["metadata"]["uid"])
    )


async def test_orphaned_instances_are_cleaned_after_the_grace_period(
    agent: AgentHandle, eci: EciTarget, eci_client: Client
) -> None:
    made = await eci_client.create_container_group_async(
        eci_models.CreateContainerGroupRequest(
            region_id=eci.region_id,
            container_group_name="left-behind",
            container=[eci_models.CreateContainerGroupRequestContainer(name="c", image="nginx")],
            cpu=0.5,
            memory=1.0,
            tag=[
                eci_models.CreateContainerGroupRequestTag(
                    key="vk-eci.io/node", value=agent.node_name
                ),
                eci_models.CreateContainerGroupRequestTag(key="vk-eci.io/namespace", value="gone"),
                eci_models.CreateContainerGroupRequestTag(key="vk-eci.io/pod-name", value="gone"),
                eci_models.CreateContainerGroupRequestTag(key="vk-eci.io/pod-uid", value="nope"),
            ],
        )
    )
    group_id = made.body.container_group_id

    async def cleaned() -> bool:
        response = await eci_client.describe_container_groups_async(
            eci_models.DescribeContainerGroupsRequest(
                region_id=eci.region_id, container_group_ids=json.dumps([group_id])
            )
        )
        groups = response.body.container_groups or []
        return all(g.status == "Terminating" for g in groups)

    await eventually(cleaned, deadline_seconds=10, what="orphan deleted")


async def test_dropped_watches_and_410_gone_are_recovered(
    agent: AgentHandle, kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    informer = agent.agent.informer
    relists = informer.relists

    async def dropped() -> bool:  # the watch opens just after the initial list
        return needs_embedded.faults.drop_watches() >= 1

    await eventually(dropped, deadline_seconds=5, what="the pod watch open (and dropped)")
    needs_embedded.compact_history()
    await create_pod(kube_api, agent.namespace, pod_manifest("after-drop"))
    await _running(kube_api, agent.namespace, "after-drop")
    await eventually(dropped, deadline_seconds=5, what="the relisted pod watch open (and dropped)")
    await create_pod(kube_api, agent.namespace, pod_manifest("after-second-drop"))
    await _running(kube_api, agent.namespace, "after-second-drop")
    assert informer.rewatches >= 2
    assert informer.relists > relists  # the 410 forced a fresh list


async def test_api_server_500_and_429_are_retried(
    agent: AgentHandle, kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    lease = agent.agent.lease
    assert lease is not None
    renewals = lease.renewals
    await create_pod(kube_api, agent.namespace, pod_manifest("weathered"))
    needs_embedded.faults.fail_next(4, status=500)
    needs_embedded.faults.fail_next(3, status=429, retry_after_seconds=1)
    pod = await _running(kube_api, agent.namespace, "weathered")
    assert pod["status"]["podIP"]
    await eventually(
        lambda: _true(lease.renewals > renewals + 1), deadline_seconds=10, what="lease renewals"
    )
    faults = needs_embedded.faults
    assert (faults.failures_sent, faults.failures_pending) == (7, 0)  # every one was answered


async def _true(value: bool) -> bool:
    return value


async def _eci_failures(eci: EciTarget) -> tuple[list[Any], int]:
    """The simulator's failure rules still pending, and how many injected failures it sent."""
    faults = await eci.admin("GET", "/faults")
    return faults["failures"], faults["failures_sent"]


async def test_eci_errors_and_throttling_are_retried(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget
) -> None:
    await eci.admin(
        "POST",
        "/faults",
        {"fail": {"count": 3, "status": 503, "actions": ["CreateContainerGroup"]}},
    )
    await create_pod(kube_api, agent.namespace, pod_manifest("retried"))
    await _running(kube_api, agent.namespace, "retried")
    assert await _eci_failures(eci) == ([], 3)
    await eci.admin(
        "POST",
        "/faults",
        {"fail": {"count": 2, "status": 400, "code": "Throttling.User", "actions": []}},
    )
    await create_pod(kube_api, agent.namespace, pod_manifest("throttled"))
    await _running(kube_api, agent.namespace, "throttled")
    assert await _eci_failures(eci) == ([], 5)


async def test_status_polling_survives_eci_outages(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget
) -> None:
    await eci.admin(
        "POST",
        "/faults",
        {
            "fail": {
                "count": 12,
                "status": 503,
                "actions": ["DescribeContainerGroups", "DescribeContainerGroupStatus"],
            }
        },
    )
    await create_pod(kube_api, agent.namespace, pod_manifest("patient"))
    pod = await _running(kube_api, agent.namespace, "patient")
    assert pod["status"]["podIP"]
    assert await _eci_failures(eci) == ([], 12)


async def _calls(eci: EciTarget, action: str) -> dict[str, int]:
    """Calls of `action` the simulator answered, by answer code (its /_sim/metrics)."""
    prefix = f'eci_api_calls_total{{action="{action}",code="'
    counts: dict[str, int] = {}
    for line in str(await eci.admin("GET", "/metrics")).splitlines():
        if line.startswith(prefix):
            code, value = line[len(prefix) :].split('"} ')
            counts[code] = int(float(value))
    return counts


async def test_pods_deleted_after_a_restart_whose_groups_are_gone_disappear_at_once(
    agent_factory: Any, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    """ECI answers `InvalidContainerGroup.NotFound` for a group that is gone: that is done."""
    first = await agent_factory()
    ns = first.namespace
    names = ("gone-a", "gone-b")
    try:
        for name in names:
            await create_pod(kube_api, ns, pod_manifest(name))
        group_ids = []
        for name in names:
            pod = await _running(kube_api, ns, name)
            group_ids.append(pod["status"]["containerStatuses"][0]["containerID"].split("/")[2])
    finally:
        await first.stop()
    for group_id in group_ids:
        await eci_client.delete_container_group_async(
            eci_models.DeleteContainerGroupRequest(
                region_id=eci.region_id, container_group_id=group_id
            )
        )
    core: Any = client.CoreV1Api(kube_api)
    for name in names:
        await core.delete_namespaced_pod(name, ns)  # graceful: waits for its kubelet, us
    await eci.admin(
        "POST",
        "/faults",
        {
            "fail": {
                "count": 2,
                "status": 404,
                "code": "InvalidContainerGroup.NotFound",
                "message": "The specified container group does not exist.",
                "actions": ["DeleteContainerGroup"],
            }
        },
    )
    before = sum((await _calls(eci, "DeleteContainerGroup")).values())
    second = await agent_factory()
    try:

        async def removed() -> bool:
            pods = await core.list_namespaced_pod(ns)
            return not [p for p in pods.items if p.metadata.name in names]

        await eventually(removed, deadline_seconds=10, what="the deleted Pods gone")
        assert await _eci_failures(eci) == ([], 2)
        await _reconcile_rounds(second, 2)
        # One DeleteContainerGroup per Pod, both answered NotFound: no retries.
        assert sum((await _calls(eci, "DeleteContainerGroup")).values()) - before == 2
    finally:
        await second.stop()


async def _reconcile_rounds(handle: AgentHandle, rounds: int) -> None:
    reconciler = handle.agent.reconciler
    target = reconciler.rounds + rounds

    async def done() -> bool:
        return reconciler.rounds >= target

    await eventually(done, what=f"{rounds} more full reconciles")


async def test_logs_of_a_pod_whose_group_is_gone_are_not_found(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    eci: EciTarget,
    eci_client: Client,
    needs_embedded: LocalKube,
) -> None:
    """`kubectl logs` of a Pod whose ECI group was deleted: 404 NotFound, not 502."""
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("vanished"))
    pod = await _running(kube_api, ns, "vanished")
    group_id = pod["status"]["containerStatuses"][0]["containerID"].split("/")[2]
    await eci_client.delete_container_group_async(
        eci_models.DeleteContainerGroupRequest(region_id=eci.region_id, container_group_id=group_id)
    )
    await eci.admin(
        "POST",
        "/faults",
        {
            "fail": {
                "count": 1,
                "status": 404,
                "code": "InvalidContainerGroup.NotFound",
                "message": "The specified container group does not exist.",
                "actions": ["DescribeContainerLog"],
            }
        },
    )
    core: Any = client.CoreV1Api(kube_api)
    try:
        await core.read_namespaced_pod_log("vanished", ns, container="main")
    except client.ApiException as exc:
        error = exc
    else:
        raise AssertionError("kubectl logs of a gone group answered 200")
    assert error.status == 404
    assert error.body is not None
    status = json.loads(error.body)
    assert status["reason"] == "NotFound"
    assert status["kind"] == "Status"
    assert status["message"] == (
        "the server could not find the requested resource ( pods/log vanished)"
    )
    assert await _eci_failures(eci) == ([], 1)
