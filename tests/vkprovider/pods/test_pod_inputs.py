"""What the agent reads besides the Pod: ConfigMaps, Secrets and image pull secrets."""

from __future__ import annotations

import base64
import json
from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod

PRIVATE = "registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/private-app:1.0"


async def _phase(api: client.ApiClient, ns: str, name: str, phase: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        pod = await read_pod(api, ns, name)
        return pod if pod["status"].get("phase") == phase else None

    return await eventually(reached, deadline_seconds=20, what=f"{name} {phase}")


async def test_env_from_config_map_and_secret_reaches_eci(
    agent: AgentHandle, kube_api: client.ApiClient, eci: EciTarget, eci_client: Client
) -> None:
    ns = agent.namespace
    core: Any = client.CoreV1Api(kube_api)
    await core.create_namespaced_config_map(
        ns, {"metadata": {"name": "settings"}, "data": {"level": "debug"}}
    )
    await core.create_namespaced_secret(
        ns,
        {
            "metadata": {"name": "creds"},
            "data": {"token": base64.b64encode(b"s3cret").decode()},
        },
    )
    manifest = pod_manifest("configured")
    manifest["spec"]["containers"][0]["env"] = [
        {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "level"}}},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]
    await create_pod(kube_api, ns, manifest)
    pod = await _phase(kube_api, ns, "configured", "Running")
    group_id = pod["status"]["containerStatuses"][0]["containerID"].split("/")[2]
    response = await eci_client.describe_container_groups_async(
        eci_models.DescribeContainerGroupsRequest(
            region_id=eci.region_id, container_group_ids=json.dumps([group_id])
        )
    )
    (group,) = response.body.container_groups
    env = {e.key: e.value for e in group.containers[0].environment_vars or []}
    assert env["LEVEL"] == "debug"
    assert env["TOKEN"] == "s3cret"
    assert env["POD_NAME"] == "configured"


async def test_unsupported_env_source_fails_the_pod_naming_the_field(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    # restartPolicy Never: a refused Pod is Failed only then (else Pending, see pods/failing.py)
    manifest = pod_manifest("unsupported", restart_policy="Never")
    manifest["spec"]["containers"][0]["env"] = [
        {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}
    ]
    await create_pod(kube_api, ns, manifest)
    pod = await _phase(kube_api, ns, "unsupported", "Failed")
    assert pod["status"]["reason"] == "ProviderFailed"
    assert "spec.containers[0].env[0].valueFrom" in pod["status"]["message"]
    assert "resourceFieldRef" in pod["status"]["message"]


async def test_image_pull_secrets_become_registry_credentials(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    core: Any = client.CoreV1Api(kube_api)
    config = {
        "auths": {
            "registry.cn-hangzhou.aliyuncs.com": {
                "username": "vk-eci-demo",
                "password": "vk-eci-demo-password",
            }
        }
    }
    await core.create_namespaced_secret(
        ns,
        {
            "metadata": {"name": "acr"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": base64.b64encode(json.dumps(config).encode()).decode()},
        },
    )
    with_secret = pod_manifest("private", image=PRIVATE)
    with_secret["spec"]["imagePullSecrets"] = [{"name": "acr"}]
    await create_pod(kube_api, ns, with_secret)
    await create_pod(kube_api, ns, pod_manifest("no-secret", image=PRIVATE))
    await _phase(kube_api, ns, "private", "Running")

    async def pull_refused() -> str | None:
        pod = await read_pod(kube_api, ns, "no-secret")
        statuses = pod["status"].get("containerStatuses") or []
        waiting = (statuses[0]["state"].get("waiting") or {}) if statuses else {}
        reason = waiting.get("reason")
        return reason if reason in ("ErrImagePull", "ImagePullBackOff") else None

    await eventually(pull_refused, deadline_seconds=20, what="ErrImagePull without secret")
    assert (await read_pod(kube_api, ns, "no-secret"))["status"]["phase"] == "Pending"
