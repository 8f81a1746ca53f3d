"""`kubectl get imagecache` prints what the product document shows."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from tests.fixtures.kube import KubeTarget
from tests.vkprovider.imagecaches.conftest import ImageCaches, RunningController

KUBECTL = shutil.which("kubectl")


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
async def test_kubectl_get_imagecache_prints_seed_columns(
    kube: KubeTarget, imagecaches: ImageCaches, controller: RunningController
) -> None:
    created = await imagecaches.create("kubectl", {"images": ["busybox:latest"]})
    name = created["metadata"]["name"]
    status = await imagecaches.wait_phase(name, "Ready")
    process = await asyncio.create_subprocess_exec(
        str(KUBECTL),
        "--kubeconfig",
        str(kube.kubeconfig),
        "get",
        "imagecache",
        name,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    header, row = out.decode().splitlines()
    assert header.split() == ["NAME", "AGE", "CACHEID", "PHASE", "PROGRESS"]
    cells = row.split()
    assert cells[0] == name
    assert cells[2:] == [status["imageCacheId"], "Ready", "100%"]
    assert cells[2].startswith("imc-")
