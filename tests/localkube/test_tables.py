"""Server-side Table output for built-in kinds: what `kubectl get` prints for pods and events."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.localkube.conftest import ABSENT_NODE, MERGE_PATCH, TABLE, call, pod_body


async def _pod_row(api: client.ApiClient, namespace: str, name: str) -> dict[str, Any]:
    table = await call(api, "GET", f"/api/v1/namespaces/{namespace}/pods/{name}", accept=TABLE)
    assert table.body["kind"] == "Table"
    names = [c["name"] for c in table.body["columnDefinitions"]]
    return dict(zip(names, table.body["rows"][0]["cells"], strict=True))


async def test_pod_columns_follow_container_states(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    await call(kube_api, "POST", path, body=pod_body("shown", node=ABSENT_NODE))
    row = await _pod_row(kube_api, namespace, "shown")
    assert [row["Name"], row["Ready"], row["Status"], row["Restarts"]] == [
        "shown",
        "0/1",
        "Pending",
        "0",
    ]
    assert row["Node"] == ABSENT_NODE

    waiting = {"waiting": {"reason": "ContainerCreating"}}
    status: dict[str, Any] = {
        "containerStatuses": [
            {
                "name": "main",
                "ready": False,
                "restartCount": 0,
                "image": "busybox:1.36",
                "imageID": "",
                "state": waiting,
            }
        ]
    }
    await call(
        kube_api, "PATCH", f"{path}/shown/status", body={"status": status}, content_type=MERGE_PATCH
    )
    assert (await _pod_row(kube_api, namespace, "shown"))["Status"] == "ContainerCreating"

    status["phase"] = "Running"
    status["containerStatuses"][0].update(
        ready=True, restartCount=2, state={"running": {"startedAt": "2026-01-01T00:00:00Z"}}
    )
    await call(
        kube_api, "PATCH", f"{path}/shown/status", body={"status": status}, content_type=MERGE_PATCH
    )
    row = await _pod_row(kube_api, namespace, "shown")
    assert [row["Ready"], row["Status"], row["Restarts"]] == ["1/1", "Running", "2"]


async def test_event_columns(kube_api: client.ApiClient, namespace: str) -> None:
    body = {
        "metadata": {"name": "started"},
        "involvedObject": {"kind": "Pod", "name": "web", "namespace": namespace},
        "reason": "Started",
        "message": "Started container main",
        "type": "Normal",
        "source": {"component": "virtual-kubelet"},
        "count": 1,
    }
    path = f"/api/v1/namespaces/{namespace}/events"
    assert (await call(kube_api, "POST", path, body=body)).status == 201
    table = await call(kube_api, "GET", path, accept=TABLE)
    names = [c["name"] for c in table.body["columnDefinitions"] if c["priority"] == 0]
    assert names == ["Last Seen", "Type", "Reason", "Object", "Message"]
    all_names = [c["name"] for c in table.body["columnDefinitions"]]
    row = dict(zip(all_names, table.body["rows"][0]["cells"], strict=True))
    assert [row["Type"], row["Reason"], row["Object"], row["Message"]] == [
        "Normal",
        "Started",
        "pod/web",
        "Started container main",
    ]


async def test_watch_as_table_for_kubectl_get_watch(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    start = (await call(kube_api, "GET", path)).body["metadata"]["resourceVersion"]
    await call(kube_api, "POST", path, body=pod_body("watched", node=ABSENT_NODE))
    response = await kube_api.call_api(
        path,
        "GET",
        query_params=[("watch", "true"), ("resourceVersion", start)],
        header_params={"Accept": TABLE},
        auth_settings=["BearerToken"],
        _preload_content=False,
    )
    try:
        line = await asyncio.wait_for(response.content.readline(), 10)
    finally:
        response.release()
    event = json.loads(line)
    assert event["type"] == "ADDED"
    assert event["object"]["kind"] == "Table"
    assert event["object"]["rows"][0]["cells"][:3] == ["watched", "0/1", "Pending"]


async def test_node_columns(kube_api: client.ApiClient, needs_embedded: LocalKube) -> None:
    node = {
        "metadata": {"name": "lk-table-node", "labels": {"kubernetes.io/role": "agent"}},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "addresses": [{"type": "InternalIP", "address": "10.0.0.7"}],
            "nodeInfo": {"kubeletVersion": "v1.32.0-vk", "containerRuntimeVersion": "eci://"},
        },
    }
    await call(kube_api, "POST", "/api/v1/nodes", body=node)
    table = await call(kube_api, "GET", "/api/v1/nodes/lk-table-node", accept=TABLE)
    names = [c["name"] for c in table.body["columnDefinitions"]]
    row = dict(zip(names, table.body["rows"][0]["cells"], strict=True))
    assert [row["Name"], row["Status"], row["Roles"], row["Version"]] == [
        "lk-table-node",
        "Ready",
        "agent",
        "v1.32.0-vk",
    ]
    assert [row["Internal-IP"], row["External-IP"], row["Container-Runtime"]] == [
        "10.0.0.7",
        "<none>",
        "eci://",
    ]
