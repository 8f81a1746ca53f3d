"""A Pod's imagePullSecrets go through the same strict parser as an ImageCache's."""

from __future__ import annotations

import base64
import json
from typing import Any

from kubernetes_asyncio import client

from tests.vkprovider.conftest import AgentHandle
from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod

PRIVATE = "registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/private-app:1.0"


async def test_malformed_pull_secret_fails_the_pod_naming_the_secret(
    agent: AgentHandle, kube_api: client.ApiClient
) -> None:
    ns = agent.namespace
    core: Any = client.CoreV1Api(kube_api)
    # Valid JSON (the API server accepts it) but no username/password and no auth.
    config = {"auths": {"registry.cn-hangzhou.aliyuncs.com": {"email": "me@example.com"}}}
    await core.create_namespaced_secret(
        ns,
        {
            "metadata": {"name": "no-login"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": base64.b64encode(json.dumps(config).encode()).decode()},
        },
    )
    # restartPolicy Never: a refused Pod is Failed only then (else Pending, see pods/failing.py)
    manifest = pod_manifest("bad-secret", image=PRIVATE, restart_policy="Never")
    manifest["spec"]["imagePullSecrets"] = [{"name": "no-login"}]
    await create_pod(kube_api, ns, manifest)

    async def failed() -> dict[str, Any] | None:
        pod = await read_pod(kube_api, ns, "bad-secret")
        return pod if pod["status"].get("phase") == "Failed" else None

    pod = await eventually(failed, deadline_seconds=20, what="bad-secret Failed")
    assert pod["status"]["reason"] == "ProviderFailed"
    message = pod["status"]["message"]
    assert message.startswith(
        f"unsupported Pod spec: spec.imagePullSecrets[0]: Secret {ns}/no-login entry for "
    )
    assert "has neither username/password nor auth" in message
