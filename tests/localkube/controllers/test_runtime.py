"""The embedded server's controllers outlive what ends client watches."""

from __future__ import annotations

import pytest
from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.localkube.conftest import call
from tests.localkube.controllers.manifests import deployment
from tests.polling import eventually


async def test_controllers_keep_working_after_watches_are_dropped(
    needs_embedded: LocalKube, kube_api: client.ApiClient, namespace: str
) -> None:
    needs_embedded.faults.drop_watches()
    body = deployment("after-drop", namespace, image="nginx:1.7.9", replicas=1)
    body["spec"]["template"]["spec"]["nodeSelector"] = {"localkube-test": "nowhere"}
    base = f"/apis/apps/v1/namespaces/{namespace}"
    assert (await call(kube_api, "POST", f"{base}/deployments", body=body)).status == 201

    async def replicaset_made() -> bool:
        found = await call(kube_api, "GET", f"{base}/replicasets")
        return len(found.body["items"]) == 1

    await eventually(replicaset_made, deadline_seconds=10, what="the Deployment's ReplicaSet")


@pytest.mark.without_controllers
async def test_a_bare_server_leaves_workloads_and_pods_alone(
    needs_embedded: LocalKube, kube_api: client.ApiClient, namespace: str
) -> None:
    body = deployment("bare", namespace, image="nginx:1.7.9", replicas=1)
    base = f"/apis/apps/v1/namespaces/{namespace}"
    created = await call(kube_api, "POST", f"{base}/deployments", body=body)
    assert created.status == 201
    assert created.body["spec"]["strategy"]["type"] == "RollingUpdate"  # defaults still apply
    pods = f"/api/v1/namespaces/{namespace}/pods"
    pod = {"metadata": {"name": "unplaced"}, "spec": body["spec"]["template"]["spec"]}
    assert (await call(kube_api, "POST", pods, body=pod)).status == 201
    # In-process controllers act within a few event-loop turns of a write; the round trips
    # below give the server's loop many more than that before anything is checked.
    assert (await call(kube_api, "GET", f"{base}/replicasets")).body["items"] == []
    placed = (await call(kube_api, "GET", f"{pods}/unplaced")).body
    assert not placed["spec"].get("nodeName")
    assert "conditions" not in placed["status"]
