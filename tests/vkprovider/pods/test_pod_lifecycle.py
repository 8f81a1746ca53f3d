"""A Pod bound to the virtual node runs as an ECI container group, end to end."""

from __future__ import annotations

import json
from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import (
    condition,
    create_pod,
    eventually,
    pod_events,
    pod_manifest,
    read_pod,
)


async def test_pod_reaches_running_with_status_and_events(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("web"))

    async def running() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "web")
        return (
            pod
            if pod["status"].get("phase") == "Running" and condition(pod, "Ready") == "True"
            else None
        )

    pod = await eventually(running, deadline_seconds=20, what="pod Running and Ready")
    status = pod["status"]
    assert condition(pod, "PodScheduled") == "True"
    assert condition(pod, "Initialized") == "True"
    assert condition(pod, "ContainersReady") == "True"
    assert status["podIP"]
    (main,) = status["containerStatuses"]
    assert main["name"] == "main"
    assert main["ready"] is True
    assert main["started"] is True
    assert main["restartCount"] == 0
    assert "running" in main["state"]
    assert main["containerID"].startswith("eci://eci-")
    assert main["image"]

    async def annotated() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "web")
        value = (pod["metadata"].get("annotations") or {}).get("vk-eci.io/phase-seconds")
        return json.loads(value) if value else None

    phases = await eventually(annotated, what="phase-seconds annotation")
    assert phases["imageCacheId"] is None
    assert phases["imagePreparation"] > 0
    annotations = (await read_pod(kube_api, ns, "web"))["metadata"]["annotations"]
    assert annotations["vk-eci.io/region-id"] == "cn-hangzhou"
    assert annotations["vk-eci.io/zone-id"] == "cn-hangzhou-h"  # ECI's first zone, none asked

    async def all_events() -> list[str] | None:
        reasons = [e["reason"] for e in await pod_events(kube_api, ns, "web")]
        wanted = {"ProviderCreated", "Pulling", "Pulled", "Created", "Started"}
        return reasons if wanted <= set(reasons) else None

    await eventually(all_events, what="pod events")
    events = await pod_events(kube_api, ns, "web")
    created = next(e for e in events if e["reason"] == "ProviderCreated")
    assert "eci-" in created["message"]
    assert created["source"]["component"] == "virtual-kubelet"


async def _wait_phase(api: client.ApiClient, ns: str, name: str, phase: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        pod = await read_pod(api, ns, name)
        return pod if pod["status"].get("phase") == phase else None

    return await eventually(reached, deadline_seconds=20, what=f"{name} {phase}")


async def test_run_to_completion_pod_succeeds(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    manifest = pod_manifest(
        "job", image="busybox:1.37", command=["sh", "-c", "sleep 5; exit 0"], restart_policy="Never"
    )
    await create_pod(kube_api, ns, manifest)
    pod = await _wait_phase(kube_api, ns, "job", "Succeeded")
    (main,) = pod["status"]["containerStatuses"]
    terminated = main["state"]["terminated"]
    assert terminated["exitCode"] == 0
    assert terminated["reason"] == "Completed"
    assert condition(pod, "Ready") == "False"


async def test_failing_pod_fails_with_its_exit_code(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    manifest = pod_manifest(
        "broken", image="busybox:1.37", command=["sh", "-c", "exit 3"], restart_policy="Never"
    )
    await create_pod(kube_api, ns, manifest)
    pod = await _wait_phase(kube_api, ns, "broken", "Failed")
    (main,) = pod["status"]["containerStatuses"]
    assert main["state"]["terminated"]["exitCode"] == 3
    assert main["state"]["terminated"]["reason"] == "Error"
    assert "exited with code 3" in pod["status"]["message"]


async def test_crash_looping_container_backs_off(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    await create_pod(
        kube_api,
        ns,
        pod_manifest("crashy", image="busybox:1.37", env={"ECI_SIM_CRASH_LOOP": "true"}),
    )

    async def looping() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "crashy")
        statuses = pod["status"].get("containerStatuses") or []
        if not statuses or statuses[0]["restartCount"] < 2:
            return None
        return pod

    pod = await eventually(looping, deadline_seconds=30, what="restartCount >= 2")
    assert pod["status"]["phase"] == "Running"
    first = pod["status"]["containerStatuses"][0]["restartCount"]

    async def crash_loop_back_off() -> bool:
        pod = await read_pod(kube_api, ns, "crashy")
        main = pod["status"]["containerStatuses"][0]
        waiting = main["state"].get("waiting") or {}
        return waiting.get("reason") == "CrashLoopBackOff" and main["restartCount"] > first

    await eventually(
        crash_loop_back_off, deadline_seconds=30, what="CrashLoopBackOff, more restarts"
    )

    async def back_off_event() -> bool:
        return any(e["reason"] == "BackOff" for e in await pod_events(kube_api, ns, "crashy"))

    await eventually(back_off_event, what="BackOff event")


async def test_deleting_the_pod_deletes_the_instance(
    agent: AgentHandle, kube_api: client.ApiClient, eci_client: Client, eci: EciTarget
) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("doomed"))
    pod = await _wait_phase(kube_api, ns, "doomed", "Running")
    group_id = pod["status"]["containerStatuses"][0]["containerID"].split("/")[2]
    assert await _group_exists(eci_client, eci.region_id, group_id)
    core: Any = client.CoreV1Api(kube_api)
    await core.delete_namespaced_pod("doomed", ns)

    async def pod_gone() -> bool:
        try:
            await core.read_namespaced_pod("doomed", ns)
        except client.ApiException as exc:
            return exc.status == 404
        return False

    await eventually(pod_gone, what="pod removed")
    assert not await _group_exists(eci_client, eci.region_id, group_id)


async def _group_exists(eci_client: Client, region_id: str, group_id: str) -> bool:
    response = await eci_client.describe_container_groups_async(
        eci_models.DescribeContainerGroupsRequest(
            region_id=region_id, container_group_ids=json.dumps([group_id])
        )
    )
    groups = response.body.container_groups or []
    return any(g.status not in ("Terminating",) for g in groups)


async def _daemon_set_pod(api: client.ApiClient, ns: str, node: str) -> str:
    """The name of a DaemonSet Pod on `node`, made the way the cluster makes them.

    Where apps/v1 is served (a real cluster), a real DaemonSet selecting only the virtual
    node and tolerating its taint makes the Pod; its controller and garbage collector keep
    it. Elsewhere (the embedded server has neither), the Pod is made by hand with the
    controller reference a DaemonSet would give it.
    """
    labels = {"app": "node-exporter"}
    tolerations = pod_manifest("template", node=node)["spec"]["tolerations"]
    daemon_set = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "node-exporter"},
        "spec": {
            "selector": {"matchLabels": labels},
            "updateStrategy": {"type": "OnDelete"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "nodeSelector": {"kubernetes.io/hostname": node},
                    "tolerations": tolerations,
                    "containers": [{"name": "main", "image": "busybox:1.37"}],
                },
            },
        },
    }
    apps: Any = client.AppsV1Api(api)
    core: Any = client.CoreV1Api(api)
    try:
        await apps.create_namespaced_daemon_set(ns, daemon_set)
    except client.ApiException as exc:
        if exc.status != 404:
            raise
        owner = {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "name": "node-exporter",
            "uid": "00000000-0000-0000-0000-000000000001",
            "controller": True,
        }
        await create_pod(api, ns, pod_manifest("node-exporter-abcde", node=node, owner=owner))
        return "node-exporter-abcde"

    async def made() -> str | None:
        pods = await core.list_namespaced_pod(ns, label_selector="app=node-exporter")
        bound = [p for p in pods.items if p.spec.node_name == node]
        return str(bound[0].metadata.name) if bound else None

    return await eventually(made, deadline_seconds=60, what="the DaemonSet's Pod on the node")


async def test_daemonset_pods_get_a_clear_status(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    name = await _daemon_set_pod(kube_api, ns, agent.node_name)

    async def refused() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, name)
        return pod if pod["status"].get("reason") == "DaemonSetNotSupported" else None

    pod = await eventually(refused, what="DaemonSet pod refused")
    assert pod["status"]["phase"] == "Pending"
    assert "DaemonSet" in pod["status"]["message"]
    assert condition(pod, "Ready") == "False"


async def test_force_deleted_pod_still_loses_its_instance(
    agent: AgentHandle, kube_api: client.ApiClient, eci_client: Client, eci: EciTarget
) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("forced"))
    pod = await _wait_phase(kube_api, ns, "forced", "Running")
    group_id = pod["status"]["containerStatuses"][0]["containerID"].split("/")[2]
    core: Any = client.CoreV1Api(kube_api)
    await core.delete_namespaced_pod("forced", ns, grace_period_seconds=0)

    async def instance_gone() -> bool:
        return not await _group_exists(eci_client, eci.region_id, group_id)

    await eventually(instance_gone, what="instance deleted after a force delete")


async def test_init_containers_run_first(agent: AgentHandle, kube_api: client.ApiClient) -> None:
    ns = agent.namespace
    manifest = pod_manifest("initialised")
    manifest["spec"]["initContainers"] = [
        {"name": "setup", "image": "busybox:1.37", "command": ["sh", "-c", "sleep 2"]}
    ]
    await create_pod(kube_api, ns, manifest)
    pod = await _wait_phase(kube_api, ns, "initialised", "Running")
    assert condition(pod, "Initialized") == "True"
    (setup,) = pod["status"]["initContainerStatuses"]
    assert setup["name"] == "setup"
    assert setup["state"]["terminated"]["exitCode"] == 0
    assert setup["state"]["terminated"]["reason"] == "Completed"


async def test_readiness_probe_delay_keeps_the_pod_unready_first(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    manifest = pod_manifest("probed")
    # 150 simulated seconds of initial delay are 1.5 s here.
    manifest["spec"]["containers"][0]["readinessProbe"] = {
        "tcpSocket": {"port": 80},
        "initialDelaySeconds": 150,
    }
    await create_pod(kube_api, ns, manifest)
    pod = await _wait_phase(kube_api, ns, "probed", "Running")
    assert condition(pod, "Ready") == "False"

    async def ready() -> bool:
        return condition(await read_pod(kube_api, ns, "probed"), "Ready") == "True"

    await eventually(ready, deadline_seconds=20, what="Ready after the probe's delay")
