"""Password-free pulls from an ACR Enterprise instance, from the Pod's side: a Pod naming the
instance in `k8s.aliyun.com/acr-instance-ids` pulls its custom-domain image without
imagePullSecrets; one that does not waits in ErrImagePull; a malformed value fails the Pod
naming the annotation. The built-in instance `cri-vkecidemo0001` is in cn-beijing."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod

CUSTOM = "registry.vk-eci-demo.example.com/apps/acr-app:1.0"
NAMED = {"k8s.aliyun.com/acr-instance-ids": "cn-beijing:cri-vkecidemo0001"}


async def pod_when(
    api: client.ApiClient, ns: str, name: str, what: str, test: Any
) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        pod = await read_pod(api, ns, name)
        return pod if test(pod) else None

    return await eventually(reached, deadline_seconds=20, what=f"{name} {what}")


def waiting_reason(pod: dict[str, Any]) -> str | None:
    statuses = pod["status"].get("containerStatuses") or []
    return (statuses[0]["state"].get("waiting") or {}).get("reason") if statuses else None


async def test_naming_the_instance_pulls_its_custom_domain_without_a_secret(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    await create_pod(kube_api, ns, pod_manifest("named", image=CUSTOM, annotations=NAMED))
    await create_pod(kube_api, ns, pod_manifest("unnamed", image=CUSTOM))
    await pod_when(
        kube_api, ns, "named", "Running", lambda pod: pod["status"].get("phase") == "Running"
    )
    pod = await pod_when(
        kube_api,
        ns,
        "unnamed",
        "ErrImagePull",
        lambda pod: waiting_reason(pod) in ("ErrImagePull", "ImagePullBackOff"),
    )
    assert pod["status"]["phase"] == "Pending"
    message = pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
    assert "unauthorized: authentication required" in message


async def test_a_malformed_instance_list_fails_the_pod_naming_the_annotation(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    manifest = pod_manifest(
        "bad-acr",
        image=CUSTOM,
        annotations={"k8s.aliyun.com/acr-instance-ids": "cri-vkecidemo0001,registry"},
        restart_policy="Never",
    )
    await create_pod(kube_api, ns, manifest)
    pod = await pod_when(
        kube_api, ns, "bad-acr", "Failed", lambda pod: pod["status"].get("phase") == "Failed"
    )
    assert pod["status"]["reason"] == "ProviderFailed"
    assert pod["status"]["message"] == (
        "unsupported Pod spec: metadata.annotations[k8s.aliyun.com/acr-instance-ids]: "
        "'cri-vkecidemo0001,registry': \"registry\" is not an instance id (cri-...) or "
        "region:instance id (cn-beijing:cri-...)"
    )
