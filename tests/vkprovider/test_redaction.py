"""No secret in the agent's logs, at any level: `vk-eci agent --log-level debug` as a user runs it.

The agent process reads a dockerconfigjson Secret (an ImageCache's `imagePullSecrets` and a
Pod's), a Secret behind an env `secretKeyRef`, sends a Pod env var whose name looks secret
and a registry password to ECI, with kubernetes_asyncio's response-body logging and the ECI
SDK's request logging (`DEBUG=sdk`) on. Nothing secret may appear in what it printed; the
test also checks that the Secret's body was logged (redacted), so it cannot pass by logging
nothing. The redaction is `vkeci.redaction`, the one every `vk-eci` process installs; its
cases are in `tests/vkeci/test_redaction.py`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.fixtures.kube import KubeTarget
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod
from tests.vkprovider.imagecaches.conftest import apply_crd
from vkprovider.imagecaches.kinds import GROUP, PLURAL, VERSION

PRIVATE = "registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/private-app:1.0"
REGISTRY_PASSWORD = "vk-eci-demo-password"
"""The simulator's catalog password of the private demo registry (a pull must succeed)."""


def _docker_config(password: str) -> dict[str, Any]:
    server = "registry.cn-hangzhou.aliyuncs.com"
    auth = base64.b64encode(f"vk-eci-demo:{password}".encode()).decode()
    return {"auths": {server: {"username": "vk-eci-demo", "password": password, "auth": auth}}}


def _forbidden(*values: str) -> list[str]:
    """Each secret in clear, and the base64 forms a Secret or a docker config holds it in."""
    found: list[str] = []
    for value in values:
        found += [value, base64.b64encode(value.encode()).decode()]
    return found


async def test_agent_at_debug_level_logs_no_secret(
    kube: KubeTarget, eci: EciTarget, kube_api: client.ApiClient, tmp_path: Path, namespace: str
) -> None:
    ns = namespace
    core: Any = client.CoreV1Api(kube_api)
    docker_config = json.dumps(_docker_config(REGISTRY_PASSWORD))
    await core.create_namespaced_secret(
        ns,
        {
            "metadata": {"name": "registry"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": base64.b64encode(docker_config.encode()).decode()},
        },
    )
    db_password = f"db-{secrets.token_hex(8)}"
    api_token = f"tok-{secrets.token_hex(8)}"
    await core.create_namespaced_secret(
        ns,
        {"metadata": {"name": "db"}, "stringData": {"password": db_password}},
    )
    run_label = f"redaction-{secrets.token_hex(3)}"
    node_name = f"vk-redaction-{secrets.token_hex(3)}"
    config = tmp_path / "agent.yaml"
    config.write_text(
        json.dumps(
            {
                "imagecaches": {"label_selector": f"vk-eci.io/test-run={run_label}"},
                "pods": {"status_poll_interval_seconds": 0.2, "reconcile_interval_seconds": 1.0},
            }
        )
    )
    await apply_crd(kube_api)
    env = dict(
        os.environ,
        ECI_ACCESS_KEY_ID=eci.access_key_id,
        ECI_ACCESS_KEY_SECRET=eci.access_key_secret,
        DEBUG="sdk",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vkeci.cli",
        "agent",
        "--config",
        str(config),
        "--kubeconfig",
        str(kube.kubeconfig),
        "--node-name",
        node_name,
        "--eci-endpoint",
        eci.endpoint,
        "--region-id",
        eci.region_id,
        "--kubelet-port",
        "0",
        "--state-dir",
        str(tmp_path / "state"),
        "--log-level",
        "debug",
        "--log-format",
        "json",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    custom: Any = client.CustomObjectsApi(kube_api)
    cache_name = f"private-{secrets.token_hex(3)}"
    try:
        await custom.create_cluster_custom_object(
            GROUP,
            VERSION,
            PLURAL,
            {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "ImageCache",
                "metadata": {"name": cache_name, "labels": {"vk-eci.io/test-run": run_label}},
                "spec": {"images": [PRIVATE], "imagePullSecrets": [f"{ns}:registry"]},
            },
        )
        manifest = pod_manifest("private", image=PRIVATE, node=node_name)
        manifest["spec"]["imagePullSecrets"] = [{"name": "registry"}]
        manifest["spec"]["containers"][0]["env"] = [
            {"name": "API_TOKEN", "value": api_token},
            {"name": "LOG_LEVEL", "value": "debug"},
            {
                "name": "DB_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}},
            },
        ]
        await create_pod(kube_api, ns, manifest)

        async def running() -> bool:
            pod = await read_pod(kube_api, ns, "private")
            return bool(pod["status"].get("phase") == "Running")

        await eventually(running, deadline_seconds=30, what="the private Pod Running")

        async def cache_built() -> bool:
            cache = await custom.get_cluster_custom_object(GROUP, VERSION, PLURAL, cache_name)
            return (cache.get("status") or {}).get("phase") in ("Creating", "Ready")

        await eventually(cache_built, deadline_seconds=30, what="the ImageCache accepted by ECI")
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        await custom.delete_cluster_custom_object(GROUP, VERSION, PLURAL, cache_name)
        await core.delete_collection_namespaced_pod(ns, grace_period_seconds=0)
        await core.delete_node(node_name)
    output = (stdout + stderr).decode("utf-8", "replace")
    assert process.returncode == 0, output[-2000:]
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    # The debug line that used to carry the pull secret was printed, redacted.
    (secret_body,) = [
        e["event"]
        for e in events
        if e["level"] == "debug"
        and e["event"].startswith("response body:")
        and '"kind":"Secret"' in e["event"]
        and '"name":"registry"' in e["event"]
    ]
    assert '"data":' in secret_body
    for secret in _forbidden(
        REGISTRY_PASSWORD,
        f"vk-eci-demo:{REGISTRY_PASSWORD}",
        docker_config,
        db_password,
        api_token,
        eci.access_key_secret,
    ):
        assert secret not in output, f"{secret!r} leaked into the agent's log"
