"""The virtual Node and its Lease, as a cluster's controllers see them."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from kubernetes_asyncio import client

from localkube.quantities import canonical
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import eventually
from vkprovider.node import node_labels
from vkprovider.settings import AgentSettings, EciSettings, NodeSettings


async def test_node_is_registered_ready_and_tainted(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    core: Any = client.CoreV1Api(kube_api)
    node = kube_api.sanitize_for_serialization(await core.read_node(agent.node_name))
    labels = node["metadata"]["labels"]
    assert labels["type"] == "virtual-kubelet"
    assert labels["kubernetes.io/role"] == "agent"
    assert labels["kubernetes.io/hostname"] == agent.node_name
    assert labels["topology.kubernetes.io/region"] == agent.settings.eci.region_id
    assert "topology.kubernetes.io/zone" in labels
    ours = {"key": "virtual-kubelet.io/provider", "value": "alibabacloud", "effect": "NoSchedule"}

    async def only_our_taint() -> bool:
        # A real cluster's admission adds `node.kubernetes.io/not-ready` to a new Node and its
        # node lifecycle controller lifts it a few seconds after it sees Ready=True.
        taints = kube_api.sanitize_for_serialization(await core.read_node(agent.node_name))
        return bool(taints["spec"].get("taints") == [ours])

    await eventually(only_our_taint, deadline_seconds=30, what="the provider taint alone")
    status = node["status"]
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert conditions == {
        "Ready": "True",
        "MemoryPressure": "False",
        "DiskPressure": "False",
        "PIDPressure": "False",
        "NetworkUnavailable": "False",
    }
    # kube-apiserver stores quantities canonical (`20000` pods -> `20k`).
    assert status["capacity"]["pods"] == canonical(agent.settings.node.pods)
    assert set(status["allocatable"]) == {"cpu", "memory", "pods", "ephemeral-storage"}
    assert status["daemonEndpoints"]["kubeletEndpoint"]["Port"] == agent.agent.node.kubelet_port
    assert agent.agent.node.kubelet_port > 0
    assert status["nodeInfo"]["kubeletVersion"].endswith("-vk-eci")
    assert status["nodeInfo"]["containerRuntimeVersion"] == "eci://2018-08-08"
    assert {a["type"] for a in status["addresses"]} == {"InternalIP", "Hostname"}


async def test_lease_is_owned_by_the_node_and_renewed(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    coordination: Any = client.CoordinationV1Api(kube_api)
    core: Any = client.CoreV1Api(kube_api)
    node = await core.read_node(agent.node_name)
    lease = await coordination.read_namespaced_lease(agent.node_name, "kube-node-lease")
    assert lease.spec.holder_identity == agent.node_name
    assert lease.spec.lease_duration_seconds == 40
    (owner,) = lease.metadata.owner_references
    assert (owner.kind, owner.name, owner.uid) == ("Node", agent.node_name, node.metadata.uid)
    first: datetime = lease.spec.renew_time

    async def renewed() -> bool:
        again = await coordination.read_namespaced_lease(agent.node_name, "kube-node-lease")
        return bool(again.spec.renew_time > first)

    await eventually(renewed, deadline_seconds=5, what="lease renewal")


async def test_stopping_with_mark_not_ready_leaves_the_node_not_ready(
    agent_factory: Any, kube_api: client.ApiClient, agent_settings: Any
) -> None:
    from dataclasses import replace

    handle = await agent_factory(node=replace(agent_settings.node, mark_not_ready_on_exit=True))
    await handle.stop()
    core: Any = client.CoreV1Api(kube_api)
    node = await core.read_node(agent_settings.node.name)
    ready = next(c for c in node.status.conditions if c.type == "Ready")
    assert ready.status == "False"


async def test_node_heartbeat_stays_fresh(
    agent_factory: Any, kube_api: client.ApiClient, agent_settings: Any
) -> None:
    from dataclasses import replace

    handle = await agent_factory(node=replace(agent_settings.node, status_interval_seconds=0.3))
    core: Any = client.CoreV1Api(kube_api)
    try:

        async def heartbeat() -> datetime:
            node = await core.read_node(handle.node_name)
            ready = next(c for c in node.status.conditions if c.type == "Ready")
            assert ready.status == "True"
            return ready.last_heartbeat_time  # type: ignore[no-any-return]

        first = await heartbeat()

        async def advanced() -> bool:
            return await heartbeat() > first

        await eventually(advanced, deadline_seconds=5, what="a newer node heartbeat")
    finally:
        await handle.stop()


def test_the_zone_label_follows_the_eci_zone_unless_one_is_given() -> None:
    beijing = AgentSettings(eci=EciSettings(region_id="cn-beijing", zone_id="cn-beijing-h"))
    labels = node_labels(beijing)
    assert labels["topology.kubernetes.io/region"] == "cn-beijing"
    assert labels["topology.kubernetes.io/zone"] == "cn-beijing-h"
    explicit = dataclasses.replace(beijing, node=NodeSettings(zone="cn-beijing-k"))
    assert node_labels(explicit)["topology.kubernetes.io/zone"] == "cn-beijing-k"
    unset = AgentSettings(eci=EciSettings(region_id="cn-beijing"))
    assert node_labels(unset)["topology.kubernetes.io/zone"] == "cn-beijing-a"
