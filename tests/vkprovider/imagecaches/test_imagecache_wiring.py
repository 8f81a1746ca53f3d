"""The agent runs the ImageCache controller: a cache made with kubectl serves a Pod.

This is the seed's whole story through the agent: apply the CRD, create an
ImageCache, wait for Ready, then a Pod naming it prepares its image in 5
simulated seconds.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from pathlib import Path
from typing import Any

import yaml
from kubernetes_asyncio import client

from tests.vkprovider.helpers import create_pod, eventually, pod_manifest, read_pod
from vkprovider.settings import ImageCacheSettings, RetrySettings

CRD = Path(__file__).resolve().parents[3] / "crd" / "imagecache.yaml"
FLINK = "docker.io/library/flink:seed"


async def _apply_crd(api: client.ApiClient) -> None:
    extensions: Any = client.ApiextensionsV1Api(api)
    manifest = yaml.safe_load(CRD.read_text())
    try:
        await extensions.create_custom_resource_definition(manifest)
    except client.ApiException as exc:
        if exc.status != 409:
            raise

    async def established() -> bool:
        crd = await extensions.read_custom_resource_definition(manifest["metadata"]["name"])
        return any(
            c.type == "Established" and c.status == "True" for c in crd.status.conditions or []
        )

    await eventually(established, what="CRD established")


async def test_imagecache_resource_to_cached_pod(
    agent_factory: Any, kube_api: client.ApiClient
) -> None:
    await _apply_crd(kube_api)
    run_label = ("vk-eci.io/test-run", secrets.token_hex(4))  # this controller's caches only
    fast = ImageCacheSettings(
        label_selector="=".join(run_label),
        build_poll_seconds=0.1,
        resync_seconds=2.0,
        crd_missing_retry_seconds=0.2,
        retry=RetrySettings(backoff_seconds=(0.1, 0.2, 0.5)),
    )
    handle = await agent_factory(imagecache_controller=True, imagecache_settings=fast)
    custom: Any = client.CustomObjectsApi(kube_api)
    name = f"flink-{secrets.token_hex(3)}"
    try:
        await custom.create_cluster_custom_object(
            "eci.alibabacloud.com",
            "v1",
            "imagecaches",
            {
                "apiVersion": "eci.alibabacloud.com/v1",
                "kind": "ImageCache",
                "metadata": {"name": name, "labels": dict([run_label])},
                "spec": {"images": [FLINK]},
            },
        )

        async def ready() -> str | None:
            obj = await custom.get_cluster_custom_object(
                "eci.alibabacloud.com", "v1", "imagecaches", name
            )
            status = obj.get("status") or {}
            return status.get("imageCacheId") if status.get("phase") == "Ready" else None

        cache_id = await eventually(ready, deadline_seconds=30, what="ImageCache Ready")
        await create_pod(
            kube_api,
            handle.namespace,
            pod_manifest(
                "from-cr",
                image=FLINK,
                annotations={"k8s.aliyun.com/eci-image-snapshot-id": cache_id},
            ),
        )

        async def phases() -> dict[str, Any] | None:
            pod = await read_pod(kube_api, handle.namespace, "from-cr")
            value = (pod["metadata"].get("annotations") or {}).get("vk-eci.io/phase-seconds")
            return json.loads(value) if value else None

        timing = await eventually(phases, deadline_seconds=20, what="phase-seconds")
        assert timing["imageCacheId"] == cache_id
        assert timing["imagePreparation"] == 5.0
    finally:
        # Delete while the agent runs, so its finalizer removes the cloud cache too.
        with contextlib.suppress(client.ApiException, AssertionError):
            await custom.delete_cluster_custom_object(
                "eci.alibabacloud.com", "v1", "imagecaches", name
            )

            async def gone() -> bool:
                try:
                    await custom.get_cluster_custom_object(
                        "eci.alibabacloud.com", "v1", "imagecaches", name
                    )
                except client.ApiException as exc:
                    return exc.status == 404
                return False

            await eventually(gone, deadline_seconds=10, what="ImageCache deleted")
        await handle.stop()
