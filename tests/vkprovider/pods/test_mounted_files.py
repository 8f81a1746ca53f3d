"""Files a Pod mounts from ConfigMaps and Secrets: readable inside, never in a log, and a
missing one named."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import structlog
from alibabacloud_eci20180808.client import Client
from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import eventually, pod_events
from tests.vkprovider.pods.workloads import container_log, group_of, wait_pod

STORE_DRIVER_LOGGERS = ("aiosqlite", "sqlalchemy")
"""The simulator's database drivers (their DEBUG records print statement parameters)."""


async def test_secret_contents_never_reach_a_log_line(
    agent: AgentHandle,
    kube_api: client.ApiClient,
    eci_client: Client,
    eci: EciTarget,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A Secret mounted as a volume and read into env: its value is in the request, never
    in any log record of the agent or the simulator's structured log (both in-process here).

    The simulator's database driver's own DEBUG records (aiosqlite prints statement
    parameters, and ECI stores env values as it echoes them) are the simulator's store
    and are left to its side of issue 11.
    """
    ns = agent.namespace
    value = "pa55-" + "x7Qz" * 4
    core: Any = client.CoreV1Api(kube_api)
    await core.create_namespaced_secret(
        ns, {"metadata": {"name": "db"}, "stringData": {"password": value}}
    )
    manifest = {
        "metadata": {"name": "reader"},
        "spec": {
            "nodeName": agent.node_name,
            "containers": [
                {
                    "name": "app",
                    "image": "busybox:1.37",
                    "command": ["sleep", "infinity"],
                    "env": [
                        {
                            "name": "DB_PASSWORD",
                            "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}},
                        }
                    ],
                    "volumeMounts": [{"name": "db", "mountPath": "/etc/db", "readOnly": True}],
                }
            ],
            "volumes": [{"name": "db", "secret": {"secretName": "db"}}],
        },
    }
    caplog.set_level("DEBUG")
    with structlog.testing.capture_logs() as logs:
        await core.create_namespaced_pod(ns, manifest)
        pod = await wait_pod(kube_api, ns, "reader", phase="Running", ready=True)
        group = await group_of(eci_client, eci.region_id, pod["metadata"]["uid"])
    (container,) = group["Containers"]
    assert {"Key": "DB_PASSWORD", "Value": value} in container["EnvironmentVars"]
    encoded = base64.b64encode(value.encode()).decode()
    assert logs  # the agent did log its work
    leaks: list[Any] = [e for e in logs if value in repr(e) or encoded in repr(e)]
    leaks += [
        r
        for r in caplog.records
        if not r.name.startswith(STORE_DRIVER_LOGGERS)
        and (value in r.getMessage() or encoded in r.getMessage())
    ]
    assert leaks == []


async def test_a_container_reads_its_mounted_config_file(
    agent: AgentHandle, kube_api: client.ApiClient, eci_client: Client, eci: EciTarget
) -> None:
    """`kubectl logs` of a container that cats its ConfigMap file shows the file."""
    ns = agent.namespace
    core: Any = client.CoreV1Api(kube_api)
    await core.create_namespaced_config_map(
        ns, {"metadata": {"name": "app"}, "data": {"app.conf": "greeting=hello\n"}}
    )
    manifest = {
        "metadata": {"name": "cat"},
        "spec": {
            "nodeName": agent.node_name,
            "restartPolicy": "Never",
            "containers": [
                {
                    "name": "cat",
                    "image": "busybox:1.37",
                    "command": ["cat", "/etc/app/app.conf"],
                    "volumeMounts": [{"name": "conf", "mountPath": "/etc/app"}],
                }
            ],
            "volumes": [{"name": "conf", "configMap": {"name": "app"}}],
        },
    }
    await core.create_namespaced_pod(ns, manifest)
    pod = await wait_pod(kube_api, ns, "cat", phase="Succeeded")
    group = await group_of(eci_client, eci.region_id, pod["metadata"]["uid"])
    logs = await container_log(eci_client, eci.region_id, group["ContainerGroupId"], "cat")
    assert "greeting=hello" in logs


async def test_a_missing_config_map_is_named_in_the_warning(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    manifest = {
        "metadata": {"name": "lost"},
        "spec": {
            "nodeName": agent.node_name,
            "containers": [
                {
                    "name": "app",
                    "image": "busybox:1.37",
                    "volumeMounts": [{"name": "conf", "mountPath": "/etc/app"}],
                }
            ],
            "volumes": [{"name": "conf", "configMap": {"name": "absent"}}],
        },
    }
    core: Any = client.CoreV1Api(kube_api)
    await core.create_namespaced_pod(ns, manifest)

    async def warned() -> dict[str, Any] | None:
        events = await pod_events(kube_api, ns, "lost")
        return next((e for e in events if e["type"] == "Warning"), None)

    warning = await eventually(warned, what="a Warning event on the Pod")
    assert warning["reason"] == "ProviderFailed"
    assert "spec.volumes[0].configMap: ConfigMap 'absent' not found" in warning["message"]
