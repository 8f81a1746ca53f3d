"""`vk-eci bench` in miniature: the JSON schema, the Markdown table and the charts are written.

Benchmarks are not timed tests: these only check that a tiny run goes through the real stack
and reports what a reader of the JSON relies on (and, for start-up, that the simulated
numbers are the calibrated ones, which holds at any size).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PHASE_KEYS = {"scheduling_seconds", "image_preparation_seconds", "start_seconds", "total_seconds"}
SUMMARY_KEYS = {"min", "median", "p90", "max", "mean"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# ECI's published unit prices (the simulator's defaults; simulator/data/README.md).
POD_USD_PER_SECOND = 0.5 * 0.0000077 + 1 * 0.00000096  # the bench Pod's 0.5 vCPU / 1 GiB
CACHE_DISK_USD_PER_SECOND = 20 * 0.03188 / 100 / 3600  # a 20 GiB PL1 disk from the cache


def vk_eci(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("KUBECONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "vkeci.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def by_name(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {scenario["name"]: scenario for scenario in results["scenarios"]}


@pytest.mark.timeout(150)
def test_startup_bench_writes_json_markdown_and_charts(tmp_path: Path) -> None:
    result = vk_eci(
        "bench", "startup", "--replicas", "3", "--time-scale", "0.005",
        "--json", str(tmp_path / "startup.json"),
        "--markdown", str(tmp_path / "startup.md"),
        "--charts", str(tmp_path / "charts"),
        timeout=140,
    )  # fmt: skip

    results = json.loads((tmp_path / "startup.json").read_text())
    assert results["benchmark"] == "startup"
    assert results["replicas"] == 3
    scenarios = by_name(results)
    assert {s["group"] for s in scenarios.values()} == {"single", "burst", "partial", "size"}
    for scenario in scenarios.values():
        assert set(scenario["phases"]) == PHASE_KEYS
        for summary in scenario["phases"].values():
            assert set(summary) == SUMMARY_KEYS
        for pod in scenario["pods"]:
            assert set(pod) >= PHASE_KEYS
            cached = scenario["cache"] != "uncached"
            assert (pod["image_cache_id"] is not None) == cached, (scenario["name"], pod)
    assert len(scenarios["burst/3x uncached"]["pods"]) == 3
    assert len(scenarios["burst/3x explicit"]["pods"]) == 3

    seed_uncached = scenarios["single/uncached"]["phases"]["image_preparation_seconds"]["median"]
    seed_cached = scenarios["single/explicit"]["phases"]["image_preparation_seconds"]["median"]
    assert abs(seed_uncached - 50.0) <= 2.5
    assert abs(seed_cached - 5.0) <= 0.25
    partial = scenarios["partial/1 of 3 cached"]["phases"]["image_preparation_seconds"]["median"]
    full = scenarios["partial/3 of 3 cached"]["phases"]["image_preparation_seconds"]["median"]
    none = scenarios["partial/uncached"]["phases"]["image_preparation_seconds"]["median"]
    assert full < partial < none
    pytorch = scenarios["size/pytorch/pytorch:latest uncached"]
    assert pytorch["image_megabytes"] > 3000
    assert pytorch["phases"]["image_preparation_seconds"]["median"] > 10 * seed_cached

    check_startup_costs(scenarios)

    markdown = (tmp_path / "startup.md").read_text()
    assert "| single/uncached | 386.26 | uncached | 1 |" in markdown
    explicit = scenarios["single/explicit"]["economics"]
    assert (
        f"| single/explicit | explicit | 0.000044 | {explicit['seconds_saved_per_pod']:.2f}"
        f" | {explicit['usd_saved_per_pod']:.6f} | {explicit['cache_build_usd']:.6f}"
        f" | {explicit['cache_usd_per_day']:.6f} | {explicit['break_even_pods_per_day']:.2f} |"
    ) in markdown
    assert markdown in result.stdout
    charts = ("startup-cdf.png", "startup-phases.png", "startup-speedup.png", "startup-cost.png")
    for chart in charts:
        data = (tmp_path / "charts" / chart).read_bytes()
        assert data.startswith(PNG_MAGIC), chart
        assert len(data) > 10_000, chart


def check_startup_costs(scenarios: dict[str, dict[str, Any]]) -> None:
    """What ECI billed each Pod and what each cache saved, as a user can check by hand."""
    for scenario in scenarios.values():
        assert [c["container_group_id"] for c in scenario["pod_costs"]] == [
            p["container_group_id"] for p in scenario["pods"]
        ]
        assert all(p["container_group_id"].startswith("eci-") for p in scenario["pods"])
        assert (scenario["economics"] is None) == (scenario["cache"] == "uncached")
    # An uncached Pod is billed its vCPU and memory from the image pull to the start.
    [pod] = scenarios["single/uncached"]["pods"]
    [uncached] = scenarios["single/uncached"]["pod_costs"]
    billed = pod["total_seconds"] - pod["scheduling_seconds"]
    assert uncached["startup_usd"] == pytest.approx(POD_USD_PER_SECOND * billed, abs=1e-9)
    assert uncached["cache_disk_usd_per_hour"] == 0
    # A Pod from the manual cache also pays the 20 GiB disk it creates from it.
    [pod] = scenarios["single/explicit"]["pods"]
    [cached] = scenarios["single/explicit"]["pod_costs"]
    billed = pod["total_seconds"] - pod["scheduling_seconds"]
    assert cached["startup_usd"] == pytest.approx(
        (POD_USD_PER_SECOND + CACHE_DISK_USD_PER_SECOND) * billed, abs=1e-9
    )
    assert cached["cache_disk_usd_per_hour"] == round(CACHE_DISK_USD_PER_SECOND * 3600, 9)
    # Saving, and break-even = what the cache costs a day / what a Pod saves.
    economics = scenarios["single/explicit"]["economics"]
    assert economics["seconds_saved_per_pod"] == pytest.approx(
        scenarios["single/uncached"]["phases"]["total_seconds"]["median"]
        - scenarios["single/explicit"]["phases"]["total_seconds"]["median"],
        abs=0.001,
    )
    saving = uncached["startup_usd"] - cached["startup_usd"]  # Pods run 0 min after start
    assert economics["usd_saved_per_pod"] == pytest.approx(saving, abs=1e-9)
    assert saving > 0
    assert economics["cache_build_usd"] > 0
    assert economics["cache_usd_per_day"] > 0
    assert economics["break_even_pods_per_day"] == round(
        economics["cache_usd_per_day"] / economics["usd_saved_per_pod"], 3
    )
    # The disk eats the start-up saving after saving / disk price per minute.
    assert economics["pays_below_run_minutes"] == pytest.approx(
        saving / (CACHE_DISK_USD_PER_SECOND * 60), abs=0.001
    )
    # Automatic matching found the same manual cache: the same cache cost.
    automatic = scenarios["single/automatic"]["economics"]
    assert automatic["cache_id"] == economics["cache_id"]
    assert automatic["cache_build_usd"] == economics["cache_build_usd"]


def check_scale_run(run: dict[str, Any], *, pods: int) -> None:
    """What a reader of scale.json relies on, for one run of `pods` Pods."""
    assert run["pods"] == pods
    assert run["running_seconds"] > 0
    assert run["pods_per_second"] == pytest.approx(pods / run["running_seconds"], rel=0.05)
    assert 20 < run["agent_rss_baseline_mb"] <= run["agent_rss_peak_mb"] < 2000
    assert run["agent_cpu_seconds"] > 0
    assert run["simulator_cpu_seconds"] > 0
    assert set(run["cpu_ms_per_pod"]) == {"agent", "simulator", "apiserver"}
    assert set(run["lease"]) == {
        "renew_interval_seconds", "renewals_seen", "max_gap_seconds", "late_renewals", "ever_late"
    }  # fmt: skip
    assert set(run["target_met"]) == {"ceiling_fraction", "cpu", "rss", "lease", "status"}
    assert len(run["load_average"]) == 2
    assert run["cpus"] >= 1
    # The status poller's windows show groups; the figure says how many times each Pod's.
    assert run["status_groups_shown_per_pod"] > 0
    ceiling = run["ceiling"]
    assert 0 < ceiling["writes_seconds"] <= ceiling["seconds"] < run["running_seconds"] * 10
    assert run["ceiling_fraction"] == pytest.approx(
        ceiling["seconds"] / run["running_seconds"], abs=0.0001
    )
    assert ceiling["timeline"][-1][1] == pods
    assert run["timeline"][-1][1] == pods
    assert run["timeline"][-1][0] == pytest.approx(run["running_seconds"], abs=0.01)
    # Every Pod's status is what the agent mirrors from ECI, field by field.
    assert run["status_check"] == {"pods_checked": pods, "pods_wrong": 0, "examples": []}
    assert run["target_met"]["status"] is True
    # Pulling, Pulled, Created, Started (and the provider's own) reach kubectl describe.
    assert run["events"]["occurrences"] >= 4 * pods
    assert run["events"]["dropped"] == 0


@pytest.mark.timeout(120)
def test_scale_bench_reports_ceiling_throughput_memory_and_leases(tmp_path: Path) -> None:
    vk_eci(
        "bench", "scale", "--pods", "20",
        "--json", str(tmp_path / "scale.json"), "--markdown", str(tmp_path / "scale.md"),
        "--chart", str(tmp_path / "scale.png"),
        timeout=110,
    )  # fmt: skip

    results = json.loads((tmp_path / "scale.json").read_text())
    assert results["benchmark"] == "scale"
    [run] = results["runs"]
    check_scale_run(run, pods=20)
    assert run["cluster"] == "embedded"
    # The embedded API server runs in its own process: its CPU is measured alone.
    assert run["apiserver_cpu_seconds"] > 0
    assert run["cpu_ms_per_pod"]["apiserver"] > 0
    assert run["ceiling"]["apiserver_cpu_ms_per_pod"] > 0
    assert "| 20 | embedded |" in (tmp_path / "scale.md").read_text()
    data = (tmp_path / "scale.png").read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 10_000


@pytest.mark.timeout(150)
def test_scale_bench_against_a_cluster_by_kubeconfig_cleans_up(tmp_path: Path) -> None:
    """A separately started API server stands in for a user's cluster."""
    kubeconfig = tmp_path / "kubeconfig"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(
        [sys.executable, "-m", "vkeci.cli", "apiserver", "--listen", "127.0.0.1:0",
         "--kubeconfig", str(kubeconfig), "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        text=True, env=env,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert "listening on http://127.0.0.1:" in first, first
        url = first.split("listening on ")[1].strip()
        vk_eci(
            "bench", "scale", "--pods", "10", "--kubeconfig", str(kubeconfig),
            "--apiserver-pid", str(server.pid), "--json", str(tmp_path / "scale.json"),
            timeout=140,
        )  # fmt: skip
        [run] = json.loads((tmp_path / "scale.json").read_text())["runs"]
        check_scale_run(run, pods=10)
        assert run["cluster"] == "kubeconfig"
        assert run["apiserver_cpu_seconds"] > 0
        assert run["ceiling"]["apiserver_cpu_ms_per_pod"] > 0

        # Nothing of the run is left: no Pods, no namespace, no nodes, no leases.
        def names(path: str) -> list[str]:
            with urllib.request.urlopen(url + path, timeout=10) as response:
                return [item["metadata"]["name"] for item in json.load(response)["items"]]

        assert names("/api/v1/pods") == []
        assert [n for n in names("/api/v1/namespaces") if n.startswith("vk-eci-scale")] == []
        assert names("/api/v1/nodes") == []
        assert names("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases") == []
    finally:
        server.terminate()
        server.wait(timeout=30)
