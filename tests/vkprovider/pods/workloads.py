"""Helpers for the tests that drive examples/workloads/ and users' own Pods through the agent.

`apply` does what `kubectl apply` plus the workload controllers and the scheduler would:
ConfigMaps and Secrets as written, and each workload's pod template as Pods bound to the
agent's node (so the test is about the agent alone, on any cluster; the Deployments
themselves are applied and rolled out in tests/test_examples.py and
tests/localkube/controllers/). The rest read what a user would look at: the Pod, its
annotations, and the container group ECI holds for it (DescribeContainerGroups through the
official SDK, in Describe's shape).
"""

from __future__ import annotations

import base64
import copy
from pathlib import Path
from typing import Any

import yaml
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from kubernetes_asyncio import client

from tests.vkprovider.helpers import condition, eventually, read_pod

WORKLOADS = Path(__file__).resolve().parents[3] / "examples" / "workloads"


def documents(name: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((WORKLOADS / name).read_text()) if doc]


def pod_template(doc: dict[str, Any]) -> dict[str, Any]:
    """The Pod a workload's controller would create (a Pod is its own template)."""
    if doc["kind"] == "Pod":
        return copy.deepcopy(doc)
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template = copy.deepcopy(spec["template"])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": template["metadata"],
        **{"spec": template["spec"]},
    }


async def apply(
    api: client.ApiClient, namespace: str, name: str, *, node: str, replicas: int | None = None
) -> list[str]:
    """Create the manifest's ConfigMaps/Secrets and its workload's Pods; return the Pod names."""
    core: Any = client.CoreV1Api(api)
    pods = []
    for doc in documents(name):
        if doc["kind"] == "ConfigMap":
            await core.create_namespaced_config_map(namespace, doc)
        elif doc["kind"] == "Secret":
            await core.create_namespaced_secret(namespace, doc)
        else:
            count = replicas if replicas is not None else doc["spec"].get("replicas", 1)
            if doc["kind"] == "Pod":
                count = 1
            for index in range(count):
                pod = pod_template(doc)
                base = doc["metadata"]["name"]
                pod["metadata"]["name"] = base if doc["kind"] == "Pod" else f"{base}-{index}"
                pod["spec"]["nodeName"] = node  # what the scheduler would do
                await core.create_namespaced_pod(namespace, pod)
                pods.append(pod["metadata"]["name"])
    return pods


async def group_of(eci_client: Client, region_id: str, uid: str) -> dict[str, Any]:
    """The container group ECI holds for the Pod with `uid`, as DescribeContainerGroups says."""

    async def described() -> dict[str, Any] | None:
        body = (
            await eci_client.describe_container_groups_async(
                eci_models.DescribeContainerGroupsRequest(
                    region_id=region_id,
                    tag=[
                        eci_models.DescribeContainerGroupsRequestTag(
                            key="vk-eci.io/pod-uid", value=uid
                        )
                    ],
                )
            )
        ).body
        groups = body.container_groups or []
        return groups[0].to_map() if groups else None

    return await eventually(described, what=f"the container group of pod {uid}")


async def wait_pod(
    api: client.ApiClient, namespace: str, name: str, *, phase: str, ready: bool | None = None
) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        pod = await read_pod(api, namespace, name)
        if pod["status"].get("phase") != phase:
            return None
        if ready is not None and condition(pod, "Ready") != str(ready):
            return None
        return pod

    return await eventually(reached, deadline_seconds=30, what=f"pod {name} {phase}")


async def annotations_of(
    api: client.ApiClient, namespace: str, name: str, *keys: str
) -> dict[str, str]:
    async def written() -> dict[str, str] | None:
        pod = await read_pod(api, namespace, name)
        found = pod["metadata"].get("annotations") or {}
        return found if all(k in found for k in keys) else None

    return await eventually(written, what=f"annotations {keys} on {name}")


def files_of(group: dict[str, Any], volume: str) -> dict[str, bytes]:
    """The files of a ConfigFileVolume as Describe reports them (path -> decoded content;
    Describe carries no modes)."""
    (found,) = [v for v in group.get("Volumes") or [] if v.get("Name") == volume]
    assert found["Type"] == "ConfigFileVolume"
    return {
        f["Path"]: base64.b64decode(f["Content"])
        for f in found.get("ConfigFileVolumeConfigFileToPaths") or []
    }


def mounts_of(container: dict[str, Any]) -> set[tuple[str, str, str, bool]]:
    return {
        (m["Name"], m["MountPath"], m.get("SubPath") or "", bool(m.get("ReadOnly")))
        for m in container.get("VolumeMounts") or []
    }


async def container_log(eci_client: Client, region_id: str, group_id: str, container: str) -> str:
    """What `kubectl logs` shows: DescribeContainerLog of the container."""
    body = (
        await eci_client.describe_container_log_async(
            eci_models.DescribeContainerLogRequest(
                region_id=region_id, container_group_id=group_id, container_name=container
            )
        )
    ).body
    return str(body.content or "")
