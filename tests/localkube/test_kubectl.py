"""The real kubectl against the server: get, apply, describe, delete, printer columns.

kubectl runs as a subprocess (asyncio, so the in-process server keeps serving) with its own
cache directory; skipped when kubectl is not installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest
import yaml

from tests.fixtures.kube import KubeTarget
from tests.localkube.conftest import NO_SCHEDULER, crd_manifest, unique

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")

KUBECTL_TIMEOUT = 30.0


async def kubectl(
    kubeconfig: Path,
    cache: Path,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        "kubectl",
        f"--kubeconfig={kubeconfig}",
        f"--cache-dir={cache}",
        *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env} if env is not None else None,
    )
    out, err = await asyncio.wait_for(
        process.communicate(stdin.encode() if stdin is not None else None), KUBECTL_TIMEOUT
    )
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def pod_manifest(name: str, namespace: str, tier: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"tier": tier}},
            # Nobody schedules it, so on a real cluster it stays Pending and deletes at once.
            "spec": {
                "schedulerName": NO_SCHEDULER,
                "containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.9"}],
            },
        }
    )


async def test_kubectl_pod_lifecycle(kube: KubeTarget, namespace: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(pod_manifest("web", namespace, "front"))

    code, out, err = await kubectl(kube.kubeconfig, cache, "apply", "-f", str(manifest))
    assert code == 0, err
    assert out.strip() == "pod/web created"

    code, out, err = await kubectl(kube.kubeconfig, cache, "get", "pods", "-n", namespace)
    assert code == 0, err
    header, row = out.splitlines()[:2]
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert row.split()[:2] == ["web", "0/1"]

    manifest.write_text(pod_manifest("web", namespace, "back"))
    code, out, err = await kubectl(kube.kubeconfig, cache, "apply", "-f", str(manifest))
    assert code == 0, err
    assert out.strip() == "pod/web configured"
    code, out, err = await kubectl(
        kube.kubeconfig, cache, "get", "pod", "web", "-n", namespace, "-o", "json"
    )
    assert json.loads(out)["metadata"]["labels"] == {"tier": "back"}

    code, out, err = await kubectl(
        kube.kubeconfig, cache, "describe", "pod", "web", "-n", namespace
    )
    assert code == 0, err
    assert "Name:" in out
    assert "tier=back" in out

    code, out, err = await kubectl(kube.kubeconfig, cache, "delete", "-f", str(manifest))
    assert code == 0, err
    assert out.strip() == 'pod "web" deleted'
    code, out, err = await kubectl(kube.kubeconfig, cache, "get", "pod", "web", "-n", namespace)
    assert code != 0
    assert 'pods "web" not found' in err


async def test_kubectl_crd_and_printer_columns(kube: KubeTarget, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    group = f"{unique('k')}.localkube.test"
    crd_file = tmp_path / "crd.yaml"
    crd_file.write_text(yaml.safe_dump(crd_manifest(group)))
    code, out, err = await kubectl(kube.kubeconfig, cache, "apply", "-f", str(crd_file))
    assert code == 0, err
    try:
        code, out, err = await kubectl(
            kube.kubeconfig,
            cache,
            "wait",
            "--for=condition=Established",
            f"crd/imagecaches.{group}",
            "--timeout=20s",
        )
        assert code == 0, err
        custom = {
            "apiVersion": f"{group}/v1",
            "kind": "ImageCache",
            "metadata": {"name": "flink"},
            "spec": {"images": ["flink"]},
        }
        code, out, err = await kubectl(
            kube.kubeconfig, cache, "apply", "-f", "-", stdin=json.dumps(custom)
        )
        assert code == 0, err
        assert out.strip() == f"imagecache.{group}/flink created"

        code, out, err = await kubectl(kube.kubeconfig, cache, "get", f"imagecaches.{group}")
        assert code == 0, err
        lines = out.splitlines()
        assert lines[0].split() == ["NAME", "AGE", "CACHEID", "PHASE", "PROGRESS"]
        assert lines[1].split()[0] == "flink"

        code, out, err = await kubectl(
            kube.kubeconfig, cache, "get", f"imagecache.{group}", "flink", "-o", "yaml"
        )
        assert yaml.safe_load(out)["spec"]["imageCacheSize"] == 20

        invalid = {
            **custom,
            "metadata": {"name": "tiny"},
            "spec": {"images": ["a"], "imageCacheSize": 1},
        }
        code, out, err = await kubectl(
            kube.kubeconfig, cache, "apply", "-f", "-", stdin=json.dumps(invalid)
        )
        assert code != 0
        assert "should be greater than or equal to 20" in err

        code, out, err = await kubectl(
            kube.kubeconfig, cache, "delete", f"imagecache.{group}", "flink"
        )
        assert code == 0, err
    finally:
        await kubectl(kube.kubeconfig, cache, "delete", "-f", str(crd_file), "--wait=false")


async def test_vk_eci_apiserver_command(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "out" / "localkube.kubeconfig"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vkeci.cli",
        "apiserver",
        "--listen",
        "127.0.0.1:0",
        "--kubeconfig",
        str(kubeconfig),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "KUBECONFIG": ""},
    )
    assert process.stdout is not None
    try:
        printed = ""
        while "kubectl get nodes" not in printed:
            line = await asyncio.wait_for(process.stdout.readline(), KUBECTL_TIMEOUT)
            assert line, f"apiserver exited early: {printed}"
            printed += line.decode()
        assert f"export KUBECONFIG={kubeconfig.resolve()}" in printed
        config = yaml.safe_load(kubeconfig.read_text())
        assert config["current-context"] == "localkube"
        code, out, err = await kubectl(kubeconfig, tmp_path / "cache", "get", "namespaces")
        assert code == 0, err
        assert "kube-system" in out
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), KUBECTL_TIMEOUT)
    assert returncode == 0
