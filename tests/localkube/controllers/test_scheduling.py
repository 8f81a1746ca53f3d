"""Pods without nodeName: bound to a node that fits, or Pending with kube-scheduler's reason."""

from __future__ import annotations

import re
from typing import Any

from kubernetes_asyncio import client

from tests.localkube.conftest import call
from tests.localkube.controllers.manifests import NODE_SELECTOR, condition, get, pod_spec
from tests.polling import eventually
from tests.vkprovider.conftest import AgentHandle

TAINT_REASON = re.compile(
    r"0/(\d+) nodes are available: (.*, )?1 node\(s\) had untolerated taint "
    r"\{virtual-kubelet\.io/provider: alibabacloud\}[,.]"
)


async def test_pod_without_toleration_stays_pending_with_failed_scheduling(
    agent: AgentHandle, namespace: str, kube_api: client.ApiClient
) -> None:
    spec = pod_spec(image="nginx:1.7.9")
    del spec["tolerations"]
    pods = f"/api/v1/namespaces/{namespace}/pods"
    body = {"metadata": {"name": "intolerant"}, "spec": spec}
    assert (await call(kube_api, "POST", pods, body=body)).status == 201

    async def unschedulable() -> dict[str, Any] | None:
        pod = await get(kube_api, f"{pods}/intolerant")
        state = condition(pod, "PodScheduled")
        return pod if state is not None and state.get("reason") == "Unschedulable" else None

    pod = await eventually(unschedulable, deadline_seconds=30, what="PodScheduled=False")
    assert condition(pod, "PodScheduled")["status"] == "False"  # type: ignore[index]
    assert TAINT_REASON.match(condition(pod, "PodScheduled")["message"])  # type: ignore[index]
    assert pod["status"]["phase"] == "Pending"
    assert not pod["spec"].get("nodeName")

    async def event() -> list[Any] | None:
        events = await get(
            kube_api,
            f"/api/v1/namespaces/{namespace}/events?fieldSelector=involvedObject.name%3Dintolerant",
        )
        found = [e for e in events["items"] if e["reason"] == "FailedScheduling"]
        return found or None

    (failed, *_) = await eventually(event, deadline_seconds=30, what="a FailedScheduling event")
    assert failed["type"] == "Warning"
    assert TAINT_REASON.match(failed["message"]), failed["message"]


async def test_pod_with_selector_and_toleration_is_bound_to_the_virtual_node(
    agent: AgentHandle, namespace: str, kube_api: client.ApiClient
) -> None:
    pods = f"/api/v1/namespaces/{namespace}/pods"
    body = {"metadata": {"name": "placed"}, "spec": pod_spec(image="nginx:1.7.9")}
    assert (await call(kube_api, "POST", pods, body=body)).status == 201

    async def running() -> dict[str, Any] | None:
        pod = await get(kube_api, f"{pods}/placed")
        return pod if pod["status"].get("phase") == "Running" else None

    pod = await eventually(running, deadline_seconds=30, what="the Pod Running")
    assert pod["spec"]["nodeName"] == agent.node_name
    assert pod["spec"]["nodeSelector"] == NODE_SELECTOR
    scheduled = condition(pod, "PodScheduled")
    assert scheduled is not None
    assert scheduled["status"] == "True"
