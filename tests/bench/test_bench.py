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
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PHASE_KEYS = {"scheduling_seconds", "image_preparation_seconds", "start_seconds", "total_seconds"}
SUMMARY_KEYS = {"min", "median", "p90", "max", "mean"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


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

    markdown = (tmp_path / "startup.md").read_text()
    assert "| single/uncached | 386.26 | uncached | 1 |" in markdown
    assert markdown in result.stdout
    for chart in ("startup-cdf.png", "startup-phases.png", "startup-speedup.png"):
        data = (tmp_path / "charts" / chart).read_bytes()
        assert data.startswith(PNG_MAGIC), chart
        assert len(data) > 10_000, chart


@pytest.mark.timeout(120)
def test_scale_bench_reports_throughput_memory_and_leases(tmp_path: Path) -> None:
    vk_eci(
        "bench", "scale", "--pods", "20",
        "--json", str(tmp_path / "scale.json"), "--markdown", str(tmp_path / "scale.md"),
        timeout=110,
    )  # fmt: skip

    results = json.loads((tmp_path / "scale.json").read_text())
    assert results["benchmark"] == "scale"
    [run] = results["runs"]
    assert run["pods"] == 20
    assert run["running_seconds"] > 0
    assert run["pods_per_second"] == pytest.approx(20 / run["running_seconds"], rel=0.05)
    assert 20 < run["agent_rss_baseline_mb"] <= run["agent_rss_peak_mb"] < 2000
    assert run["agent_cpu_seconds"] > 0
    assert run["simulator_cpu_seconds"] > 0
    assert run["apiserver_cpu_seconds"] > 0
    assert set(run["cpu_ms_per_pod"]) == {"agent", "simulator", "apiserver"}
    assert set(run["lease"]) == {
        "renew_interval_seconds", "renewals_seen", "max_gap_seconds", "late_renewals", "ever_late"
    }  # fmt: skip
    assert set(run["target_met"]) == {"throughput", "rss", "lease"}
    assert len(run["load_average"]) == 2
    assert run["cpus"] >= 1
    assert "| 20 |" in (tmp_path / "scale.md").read_text()
