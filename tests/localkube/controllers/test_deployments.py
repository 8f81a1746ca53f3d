"""Deployments with the real kubectl: rollout status, `kubectl scale`, a rolling update.

The Pods run on the test agent's virtual node (scheduled there by nodeSelector and
toleration), so "available" means what it means on kind: the agent reported them Ready.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client

from tests.fixtures.kube import KubeTarget
from tests.localkube.controllers.manifests import deployment, get, kubectl, write
from tests.polling import eventually
from tests.vkprovider.conftest import AgentHandle

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


def _table(out: str) -> list[list[str]]:
    return [line.split() for line in out.strip().splitlines()]


async def test_deployment_rolls_out_scales_and_rolls_to_a_new_image(
    kube: KubeTarget,
    agent: AgentHandle,
    namespace: str,
    kube_api: client.ApiClient,
    tmp_path: Path,
) -> None:
    config = kube.kubeconfig
    manifest = write(
        tmp_path / "web.yaml", deployment("web", namespace, image="nginx:1.7.9", replicas=2)
    )
    code, out, err = await kubectl(config, "apply", "-f", str(manifest))
    assert code == 0, err
    assert out.strip() == "deployment.apps/web created"

    code, out, err = await kubectl(
        config, "rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s"
    )
    assert code == 0, err
    assert out.strip().endswith('deployment "web" successfully rolled out')
    code, out, err = await kubectl(config, "get", "deployment", "web", "-n", namespace)
    assert code == 0, err
    header, row = _table(out)
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert row[:4] == ["web", "2/2", "2", "2"]

    code, out, err = await kubectl(
        config, "scale", "deployment", "web", "-n", namespace, "--replicas=3"
    )
    assert code == 0, err
    assert out.strip() == "deployment.apps/web scaled"
    code, out, err = await kubectl(
        config, "rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s"
    )
    assert code == 0, err
    code, out, err = await kubectl(
        config, "get", "pods", "-n", namespace, "-l", "app=web", "-o", "wide", "--no-headers"
    )
    assert code == 0, err
    rows = _table(out)
    assert len(rows) == 3, out
    assert {(r[1], r[2], r[6]) for r in rows} == {("1/1", "Running", agent.node_name)}

    updated = deployment("web", namespace, image="nginx:1.31.3", replicas=3)
    code, out, err = await kubectl(config, "apply", "-f", str(write(manifest, updated)))
    assert code == 0, err
    code, out, err = await kubectl(
        config, "rollout", "status", "deployment/web", "-n", namespace, "--timeout=90s"
    )
    assert code == 0, err
    assert out.strip().endswith('deployment "web" successfully rolled out')

    apps = f"/apis/apps/v1/namespaces/{namespace}"
    web = await get(kube_api, f"{apps}/deployments/web")
    assert web["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert web["status"]["updatedReplicas"] == 3
    assert web["status"]["availableReplicas"] == 3
    sets = (await get(kube_api, f"{apps}/replicasets?labelSelector=app%3Dweb"))["items"]
    by_revision = {
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: rs for rs in sets
    }
    assert sorted(by_revision) == ["1", "2"]
    assert by_revision["1"]["spec"]["replicas"] == 0
    assert by_revision["2"]["spec"]["replicas"] == 3
    new_hash = by_revision["2"]["metadata"]["labels"]["pod-template-hash"]
    assert by_revision["2"]["metadata"]["name"] == f"web-{new_hash}"

    async def only_new_pods() -> list[Any] | None:
        pods = await get(kube_api, f"/api/v1/namespaces/{namespace}/pods?labelSelector=app%3Dweb")
        items = [p for p in pods["items"] if not p["metadata"].get("deletionTimestamp")]
        images = {p["spec"]["containers"][0]["image"] for p in items}
        hashes = {p["metadata"]["labels"]["pod-template-hash"] for p in items}
        if len(items) == 3 and images == {"nginx:1.31.3"} and hashes == {new_hash}:
            return items
        return None

    await eventually(only_new_pods, deadline_seconds=60, what="only the new template's Pods")

    code, out, err = await kubectl(config, "delete", "-f", str(manifest))
    assert code == 0, err
    assert out.strip() == 'deployment.apps "web" deleted'

    async def all_gone() -> bool:
        sets = await get(kube_api, f"{apps}/replicasets?labelSelector=app%3Dweb")
        pods = await get(kube_api, f"/api/v1/namespaces/{namespace}/pods?labelSelector=app%3Dweb")
        return not sets["items"] and not pods["items"]

    await eventually(all_gone, deadline_seconds=60, what="the ReplicaSets and Pods to go too")


async def test_a_paused_deployment_rolls_out_only_when_resumed(
    kube: KubeTarget, namespace: str, kube_api: client.ApiClient, tmp_path: Path
) -> None:
    config = kube.kubeconfig
    manifest = write(
        tmp_path / "paused.yaml", deployment("paused", namespace, image="nginx:1.7.9", replicas=0)
    )
    assert (await kubectl(config, "apply", "-f", str(manifest)))[0] == 0
    apps = f"/apis/apps/v1/namespaces/{namespace}"

    async def replicasets(count: int) -> list[Any] | None:
        found = (await get(kube_api, f"{apps}/replicasets"))["items"]
        return found if len(found) == count else None

    await eventually(lambda: replicasets(1), deadline_seconds=20, what="the first ReplicaSet")
    code, out, err = await kubectl(config, "rollout", "pause", "deployment/paused", "-n", namespace)
    assert code == 0, err
    code, out, err = await kubectl(
        config, "set", "image", "deployment/paused", "main=nginx:1.31.3", "-n", namespace
    )
    assert code == 0, err

    async def reported_paused() -> dict[str, Any] | None:
        found = await get(kube_api, f"{apps}/deployments/paused")
        progressing: dict[str, Any] = next(
            (c for c in found["status"].get("conditions", []) if c["type"] == "Progressing"), {}
        )
        observed = found["status"].get("observedGeneration") == found["metadata"]["generation"]
        return found if observed and progressing.get("reason") == "DeploymentPaused" else None

    paused = await eventually(reported_paused, deadline_seconds=20, what="DeploymentPaused")
    assert paused["spec"]["paused"] is True
    assert await replicasets(1)
    code, out, err = await kubectl(
        config, "rollout", "resume", "deployment/paused", "-n", namespace
    )
    assert code == 0, err
    await eventually(lambda: replicasets(2), deadline_seconds=20, what="a second ReplicaSet")
    code, out, err = await kubectl(
        config, "rollout", "status", "deployment/paused", "-n", namespace, "--timeout=30s"
    )
    assert code == 0, err
    assert out.strip().endswith('deployment "paused" successfully rolled out')


async def test_rollout_undo_brings_back_the_previous_replicaset(
    kube: KubeTarget, namespace: str, kube_api: client.ApiClient, tmp_path: Path
) -> None:
    config = kube.kubeconfig
    manifest = write(
        tmp_path / "undo.yaml", deployment("undo", namespace, image="nginx:1.7.9", replicas=0)
    )
    assert (await kubectl(config, "apply", "-f", str(manifest)))[0] == 0
    apps = f"/apis/apps/v1/namespaces/{namespace}"

    async def revisions(wanted: dict[str, str]) -> bool:
        found = (await get(kube_api, f"{apps}/replicasets"))["items"]
        images = {
            rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: rs["spec"][
                "template"
            ]["spec"]["containers"][0]["image"]
            for rs in found
        }
        return images == wanted

    await eventually(lambda: revisions({"1": "nginx:1.7.9"}), what="revision 1")
    code, _, err = await kubectl(
        config, "set", "image", "deployment/undo", "main=nginx:1.31.3", "-n", namespace
    )
    assert code == 0, err
    await eventually(
        lambda: revisions({"1": "nginx:1.7.9", "2": "nginx:1.31.3"}), what="revision 2"
    )
    code, out, err = await kubectl(config, "rollout", "undo", "deployment/undo", "-n", namespace)
    assert code == 0, err
    assert out.strip() == "deployment.apps/undo rolled back"
    # The first ReplicaSet comes back as revision 3; no third ReplicaSet is made.
    await eventually(
        lambda: revisions({"3": "nginx:1.7.9", "2": "nginx:1.31.3"}), what="revision 3"
    )
