"""Users' own manifests (examples/workloads/) run through the agent, as kubectl would show them.

Each test applies a manifest (`tests.vkprovider.pods.workloads.apply`), then checks what a
user sees: Pod phase, conditions, annotations and Events, the container logs, and the
container group ECI received. Markers: see `tests.vkprovider.pods.workloads`.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
import structlog
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import condition, eventually, pod_events, read_pod
from tests.vkprovider.pods.workloads import (
    annotations_of,
    apply,
    container_log,
    documents,
    files_of,
    group_of,
    mounts_of,
    wait_pod,
)


async def test_web_deployment_asks_eci_for_the_smallest_sellable_spec(
    agent: AgentHandle, kube_api: client.ApiClient, eci_client: Client, eci: EciTarget
) -> None:
    ns = agent.namespace
    names = await apply(kube_api, ns, "web-deployment.yaml", node=agent.node_name)
    assert names == ["web-0", "web-1"]
    for name in names:
        pod = await read_pod(kube_api, ns, name)
        group = await group_of(eci_client, eci.region_id, pod["metadata"]["uid"])
        # 250m / 512Mi is a row of ECI's table: asked for as is, nothing rounded up.
        assert (group["Cpu"], group["Memory"]) == (0.25, 0.5)
        (nginx,) = group["Containers"]
        assert (nginx["Name"], nginx["Image"]) == ("nginx", "nginx:1.25")
        events = await pod_events(kube_api, ns, name)
        assert "ProviderFailed" not in {e["reason"] for e in events}  # the agent took it


async def test_web_deployment_runs_with_its_config_and_secret_files(
    agent: AgentHandle, kube_api: client.ApiClient, eci_client: Client, eci: EciTarget
) -> None:
    ns = agent.namespace
    with structlog.testing.capture_logs() as logs:
        names = await apply(kube_api, ns, "web-deployment.yaml", node=agent.node_name)
        for name in names:
            await wait_pod(kube_api, ns, name, phase="Running", ready=True)
    (secret_doc,) = [d for d in documents("web-deployment.yaml") if d["kind"] == "Secret"]
    (config_doc,) = [d for d in documents("web-deployment.yaml") if d["kind"] == "ConfigMap"]
    htpasswd = secret_doc["stringData"]["htpasswd"]
    for name in names:
        annotations = await annotations_of(
            kube_api, ns, name, "k8s.aliyun.com/eci-instance-id", "k8s.aliyun.com/eci-instance-spec"
        )
        pod = await read_pod(kube_api, ns, name)
        group = await group_of(eci_client, eci.region_id, pod["metadata"]["uid"])
        assert annotations["k8s.aliyun.com/eci-instance-spec"] == "0.25-0.5Gi"
        assert annotations["k8s.aliyun.com/eci-instance-id"] == group["ContainerGroupId"]
        assert files_of(group, "config") == {
            "default.conf": config_doc["data"]["default.conf"].encode()
        }
        assert files_of(group, "auth") == {"htpasswd": htpasswd.encode()}
        (nginx,) = group["Containers"]
        assert mounts_of(nginx) == {
            ("config", "/etc/nginx/conf.d", "", True),
            ("auth", "/etc/nginx/auth", "", True),
        }
    # The Secret's content never reaches a log line, in clear or base64.
    encoded = base64.b64encode(htpasswd.encode()).decode()
    assert not [entry for entry in logs if htpasswd in repr(entry) or encoded in repr(entry)]


@pytest.mark.parametrize(
    ("manifest", "pod", "line"),
    [
        ("job.yaml", "report-0", "report done"),
        ("cronjob.yaml", "cleanup-0", "cleaned"),
    ],
)
async def test_batch_pods_run_to_completion_and_log(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    eci_client: Client,
    eci: EciTarget,
    manifest: str,
    pod: str,
    line: str,
) -> None:
    ns = agent.namespace
    assert await apply(kube_api, ns, manifest, node=agent.node_name) == [pod]
    done = await wait_pod(kube_api, ns, pod, phase="Succeeded")
    (status,) = done["status"]["containerStatuses"]
    assert status["state"]["terminated"]["exitCode"] == 0
    group = await group_of(eci_client, eci.region_id, done["metadata"]["uid"])
    annotations = await annotations_of(kube_api, ns, pod, "k8s.aliyun.com/eci-instance-spec")
    assert annotations["k8s.aliyun.com/eci-instance-id"] == group["ContainerGroupId"]
    # job: 500m / 1Gi is sold as is; cronjob: 250m / 256Mi rounds up to 0.25-0.5Gi.
    expected = "0.5-1.0Gi" if manifest == "job.yaml" else "0.25-0.5Gi"
    assert annotations["k8s.aliyun.com/eci-instance-spec"] == expected
    logs = await container_log(eci_client, eci.region_id, group["ContainerGroupId"], status["name"])
    assert line in logs


async def test_job_gets_its_settings_and_downward_api_files(
    agent: AgentHandle, kube_api: client.ApiClient, eci_client: Client, eci: EciTarget
) -> None:
    """What ECI is asked to write into the Job's volumes (echoed once the simulator keeps it)."""
    ns = agent.namespace
    (name,) = await apply(kube_api, ns, "job.yaml", node=agent.node_name)
    pod = await read_pod(kube_api, ns, name)
    group = await group_of(eci_client, eci.region_id, pod["metadata"]["uid"])
    assert group["RestartPolicy"] == "Never"
    assert files_of(group, "settings") == {"report.env": b"REPORT_KIND=daily\n"}
    assert files_of(group, "podinfo") == {"name": name.encode(), "labels": b'app="report"'}


async def test_multi_container_pod_runs_its_init_containers_first(
    agent: AgentHandle, kube_api: client.ApiClient, eci_client: Client, eci: EciTarget
) -> None:
    ns = agent.namespace
    assert await apply(kube_api, ns, "multi-container-pod.yaml", node=agent.node_name) == ["site"]
    pod = await wait_pod(kube_api, ns, "site", phase="Running", ready=True)
    assert condition(pod, "Initialized") == "True"
    inits = {s["name"]: s for s in pod["status"]["initContainerStatuses"]}
    assert set(inits) == {"fetch", "check"}
    assert all(s["state"]["terminated"]["exitCode"] == 0 for s in inits.values())
    assert {s["name"] for s in pod["status"]["containerStatuses"]} == {"nginx", "sidecar"}
    group = await group_of(eci_client, eci.region_id, pod["metadata"]["uid"])
    assert [c["Name"] for c in group["InitContainers"]] == ["fetch", "check"]
    # 1 + 0.5 vCPU, 1.5 GiB: ECI sells 2 vCPU with 2 GiB as the smallest that holds it.
    assert (group["Cpu"], group["Memory"]) == (2.0, 2.0)
    annotations = await annotations_of(kube_api, ns, "site", "k8s.aliyun.com/eci-instance-spec")
    assert annotations["k8s.aliyun.com/eci-instance-spec"] == "2.0-2.0Gi"
    sidecar = next(c for c in group["Containers"] if c["Name"] == "sidecar")
    assert mounts_of(sidecar) == {("html", "/data", "logs", False)}
    nginx = next(c for c in group["Containers"] if c["Name"] == "nginx")
    assert mounts_of(nginx) == {("html", "/usr/share/nginx/html", "", True)}
    (html,) = group["Volumes"]
    assert (html["Name"], html["Type"], html["EmptyDirVolumeSizeLimit"]) == (
        "html",
        "EmptyDirVolume",
        "1Gi",
    )


async def _refused(api: client.ApiClient, namespace: str) -> dict[str, Any]:
    async def warned() -> dict[str, Any] | None:
        events = await pod_events(api, namespace, "node-logs")
        warnings = [e for e in events if e["type"] == "Warning"]
        return warnings[0] if warnings else None

    return await eventually(warned, what="a Warning event on node-logs")


async def test_hostpath_pod_is_refused_with_one_warning_naming_the_volume(
    agent: AgentHandle, kube_api: client.ApiClient, eci_client: Client, eci: EciTarget
) -> None:
    ns = agent.namespace
    assert await apply(kube_api, ns, "unsupported-hostpath-pod.yaml", node=agent.node_name) == [
        "node-logs"
    ]
    warning = await _refused(kube_api, ns)
    assert warning["reason"] == "ProviderFailed"
    assert "'host-logs'" in warning["message"]
    assert "hostPath" in warning["message"]
    assert "spec.volumes[0]" in warning["message"]

    async def reason() -> str | None:
        found = (await read_pod(kube_api, ns, "node-logs"))["status"].get("reason")
        return str(found) if found else None

    assert await eventually(reason, what="the Pod's status reason") == "ProviderFailed"
    core: Any = client.CoreV1Api(kube_api)
    assert [p.metadata.name for p in (await core.list_namespaced_pod(ns)).items] == ["node-logs"]
    events = await pod_events(kube_api, ns, "node-logs")
    assert [e["count"] for e in events if e["type"] == "Warning"] == [1]
    pod = await read_pod(kube_api, ns, "node-logs")
    body = (
        await eci_client.describe_container_groups_async(
            eci_models.DescribeContainerGroupsRequest(
                region_id=eci.region_id,
                tag=[
                    eci_models.DescribeContainerGroupsRequestTag(
                        key="vk-eci.io/pod-uid", value=pod["metadata"]["uid"]
                    )
                ],
            )
        )
    ).body
    assert not body.container_groups  # nothing was created on ECI


async def test_hostpath_pod_stays_pending_and_not_ready(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    await apply(kube_api, ns, "unsupported-hostpath-pod.yaml", node=agent.node_name)
    await _refused(kube_api, ns)

    async def refused() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "node-logs")
        return pod if pod["status"].get("reason") == "ProviderFailed" else None

    pod = await eventually(refused, what="node-logs refused")
    assert pod["status"]["phase"] == "Pending"
    assert condition(pod, "Ready") == "False"
