"""`vk-eci demo` end to end, as `make demo` runs it: a subprocess with stdout piped.

A fast time scale (0.01: the 50 s pull takes half a real second) keeps it quick; the
simulated seconds are what the table must show whatever the scale.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from kubernetes_asyncio import client as k8s
from kubernetes_asyncio import config as k8s_config

from tests.polling import eventually

REPO = Path(__file__).resolve().parents[2]
ROW = re.compile(
    r"^[│|]\s*(?P<pod>flink-[a-z-]+)\s*[│|].*?[│|]\s*(?P<scheduling>[\d.]+)\s*[│|]"
    r"\s*(?P<preparation>[\d.]+)\s*[│|]\s*(?P<start>[\d.]+)\s*[│|]\s*(?P<total>[\d.]+)\s*[│|]$"
)


def run_demo(
    *args: str, timeout: float = 90, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), **(extra_env or {})}
    env.pop("KUBECONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "vkeci.cli", "demo", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.mark.timeout(120)
def test_demo_prints_the_seed_numbers_and_exits_when_piped(tmp_path: Path) -> None:
    result = run_demo("--time-scale", "0.01", "--json", str(tmp_path / "demo.json"))

    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "time scale 0.01" in out
    assert "Ready: cache id imc-" in out
    rows = {m["pod"]: m for m in map(ROW.match, out.splitlines()) if m}
    assert set(rows) == {"flink-uncached", "flink-explicit-cache", "flink-auto-cache"}, out
    assert abs(float(rows["flink-uncached"]["preparation"]) - 50.0) <= 2.5
    for cached in ("flink-explicit-cache", "flink-auto-cache"):
        assert abs(float(rows[cached]["preparation"]) - 5.0) <= 0.25
        assert float(rows[cached]["total"]) < float(rows["flink-uncached"]["total"])
    assert "kubectl get pods,imagecache -A" in out
    assert "export KUBECONFIG=" in out
    assert "kubectl scale deployment web --replicas=3" in out
    assert "kubectl get pods -o wide" in out

    recorded = json.loads((tmp_path / "demo.json").read_text())
    by_use = {pod["cache_use"]: pod for pod in recorded["pods"]}
    assert by_use["no cache"]["image_cache_id"] is None
    assert by_use["explicit"]["image_cache_id"].startswith("imc-")
    assert by_use["automatic"]["image_cache_id"] == by_use["explicit"]["image_cache_id"]
    for pod in recorded["pods"]:
        phases = pod["scheduling_seconds"] + pod["image_preparation_seconds"] + pod["start_seconds"]
        assert abs(phases - pod["total_seconds"]) < 0.01

    # What each Pod cost, as ECI's formulas bill it (0.5 vCPU / 1 GiB; the cache's 20 GiB
    # PL1 disk), and when the cache pays: break-even = cache USD a day / USD saved a Pod.
    uncached, explicit = by_use["no cache"]["cost"], by_use["explicit"]["cost"]
    assert uncached["usd_per_hour"] == round((0.5 * 0.0000077 + 0.00000096) * 3600, 9)
    assert explicit["cache_disk_usd_per_hour"] == round(20 * 0.03188 / 100, 9)
    assert explicit["startup_usd"] < uncached["startup_usd"]
    economics = recorded["economics"]
    saving = round(uncached["startup_usd"] - explicit["startup_usd"], 9)
    assert economics["usd_saved_per_pod"] == saving
    assert economics["cache_id"] == by_use["explicit"]["image_cache_id"]
    assert economics["break_even_pods_per_day"] == round(economics["cache_usd_per_day"] / saving, 3)
    assert f"saves USD {saving:.6f}" in " ".join(out.split())
    assert (
        f"it pays for itself from {economics['break_even_pods_per_day']:.2f} Pods a day"
        in " ".join(out.split())
    )


def test_demo_with_a_missing_kubeconfig_says_so_without_a_traceback(tmp_path: Path) -> None:
    result = run_demo("--kubeconfig", str(tmp_path / "nope"), timeout=30)

    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_without_the_crd_manifest_says_where_it_looked(tmp_path: Path) -> None:
    missing = tmp_path / "imagecache.yaml"
    result = run_demo(
        "--time-scale", "0.01", timeout=60, extra_env={"VK_ECI_CRD_FILE": str(missing)}
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    assert f"cannot find the ImageCache CRD manifest (looked at {missing})" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_against_an_unreachable_cluster_fails_clearly(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        "clusters: [{name: gone, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: x}}]\n"
        "contexts: [{name: gone, context: {cluster: gone, user: u}}]\n"
    )
    result = run_demo("--kubeconfig", str(kubeconfig), timeout=60)

    assert result.returncode == 1, result.stderr
    assert "cannot reach the API server" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.timeout(120)
def test_kept_running_demo_answers_kubectl_until_interrupted(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("KUBECONFIG", None)
    output = tmp_path / "demo.out"
    workdir = tmp_path / "work"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "vkeci.cli", "demo", "--time-scale", "0.01",
             "--keep-running", "--workdir", str(workdir)],
            stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        try:

            async def still_running() -> bool:
                if process.poll() is not None:
                    pytest.fail(f"the demo exited early: {output.read_text()[-3000:]}")
                return "Still running" in output.read_text()

            asyncio.run(eventually(still_running, what="demo: Still running", deadline_seconds=90))
            kubeconfig = workdir / "kubeconfig"
            assert f"export KUBECONFIG={kubeconfig}" in output.read_text()
            pods = asyncio.run(_pods_via_kubeconfig(kubeconfig))
            assert pods == {
                "flink-auto-cache": "Running",
                "flink-explicit-cache": "Running",
                "flink-uncached": "Running",
            }
            _scale_the_demo_deployment(kubeconfig)
        finally:
            process.send_signal(signal.SIGINT)
            returncode = process.wait(timeout=30)
    assert returncode == 0, output.read_text()[-3000:]
    assert "Stopping." in output.read_text()


def _scale_the_demo_deployment(kubeconfig: Path) -> None:
    """What the printed hints tell the reader to do: scale `web` to 3, see the Pods placed."""
    if shutil.which("kubectl") is None:
        return
    kubectl = ["kubectl", f"--kubeconfig={kubeconfig}", f"--cache-dir={kubeconfig.parent / 'kc'}"]
    scaled = subprocess.run(
        [*kubectl, "scale", "deployment", "web", "--replicas=3"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert scaled.returncode == 0, scaled.stderr
    assert scaled.stdout.strip() == "deployment.apps/web scaled"
    status = subprocess.run(
        [*kubectl, "rollout", "status", "deployment/web", "--timeout=60s"],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    wide = subprocess.run(
        [*kubectl, "get", "pods", "-o", "wide", "--no-headers", "-l", "app=web"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    rows = [line.split() for line in wide.stdout.strip().splitlines()]
    assert len(rows) == 3, wide.stdout
    assert {(row[2], row[6]) for row in rows} == {("Running", "virtual-kubelet")}, wide.stdout


async def _pods_via_kubeconfig(kubeconfig: Path) -> dict[str, str]:
    api = await k8s_config.new_client_from_config(config_file=str(kubeconfig))
    try:
        pods = await k8s.CoreV1Api(api).list_namespaced_pod("vk-eci-demo")
        return {pod.metadata.name: pod.status.phase for pod in pods.items}
    finally:
        await api.close()


@pytest.mark.timeout(120)
def test_demo_against_a_given_cluster_cleans_up_after_itself(tmp_path: Path) -> None:
    """`--kubeconfig`: another API server process stands in for a real cluster."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    kubeconfig = tmp_path / "cluster.kubeconfig"
    server = subprocess.Popen(
        [sys.executable, "-m", "vkeci.cli", "apiserver", "--listen", "127.0.0.1:0",
         "--kubeconfig", str(kubeconfig), "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:

        async def written() -> bool:
            if server.poll() is not None:
                pytest.fail("the API server exited before writing its kubeconfig")
            return kubeconfig.exists()

        asyncio.run(eventually(written, what="the API server's kubeconfig", deadline_seconds=30))

        result = run_demo("--time-scale", "0.01", "--kubeconfig", str(kubeconfig))

        assert result.returncode == 0, result.stderr[-3000:]
        assert "(cluster of" in result.stdout
        assert "Cleaning up the demo's Pods and ImageCache" in result.stdout
        left = asyncio.run(_what_is_left(kubeconfig))
        assert left == {"pods": [], "imagecaches": [], "node_ready": "False", "crd": True}
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


async def _what_is_left(kubeconfig: Path) -> dict[str, object]:
    api = await k8s_config.new_client_from_config(config_file=str(kubeconfig))
    try:
        core = k8s.CoreV1Api(api)
        pods = await core.list_pod_for_all_namespaces()
        caches = await k8s.CustomObjectsApi(api).list_cluster_custom_object(
            "eci.alibabacloud.com", "v1", "imagecaches"
        )
        node = await core.read_node("virtual-kubelet")
        ready = next(c.status for c in node.status.conditions if c.type == "Ready")
        crds = await k8s.ApiextensionsV1Api(api).list_custom_resource_definition()
        return {
            "pods": [pod.metadata.name for pod in pods.items],
            "imagecaches": [cache["metadata"]["name"] for cache in caches["items"]],
            "node_ready": ready,
            "crd": any(c.metadata.name == "imagecaches.eci.alibabacloud.com" for c in crds.items),
        }
    finally:
        await api.close()
