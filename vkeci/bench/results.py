"""The benchmarks' results: JSON shapes, per-phase summaries and Markdown tables.

Start-up numbers are simulated seconds read from what the system recorded (the agent's
`vk-eci.io/phase-seconds` annotation, i.e. ECI's own timestamps), never wall-clock
measurements. Scale numbers are wall-clock seconds and bytes of a real agent process.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Final, TypedDict

from vkeci.stack.timings import PodRecord, PodTiming

PHASES: Final = (
    ("scheduling_seconds", "Scheduling"),
    ("image_preparation_seconds", "Image preparation"),
    ("start_seconds", "Start"),
    ("total_seconds", "Total"),
)
"""JSON key and human name of each start-up phase, in order."""


class PhaseSummary(TypedDict):
    """Simulated seconds of one phase over a scenario's Pods."""

    min: float
    median: float
    p90: float
    max: float
    mean: float


class ScenarioResult(TypedDict):
    """One start-up scenario: what ran and the simulated seconds of each phase."""

    name: str
    group: str
    """single | burst | partial | size"""
    images: list[str]
    image_megabytes: float
    """Compressed size of the Pod's images, MB (10^6 bytes)."""
    cache: str
    """uncached | explicit | automatic | partial"""
    pods: list[PodRecord]
    phases: dict[str, PhaseSummary]


class StartupResults(TypedDict):
    benchmark: str
    time_scale: float
    replicas: int
    wall_seconds: float
    scenarios: list[ScenarioResult]


class LeaseReport(TypedDict):
    renew_interval_seconds: float
    renewals_seen: int
    max_gap_seconds: float
    late_renewals: int
    """Renewals more than 1.5 renew intervals after the previous one."""
    ever_late: bool


class StatusCheck(TypedDict):
    pods_checked: int
    pods_wrong: int
    """Pods whose phase, conditions, podIP or containerStatuses are not those of a Running Pod."""
    examples: list[str]
    """The first few problems, `pod: what is wrong`."""


class EventCounts(TypedDict):
    objects: int
    """Event objects in the run's namespace at the end."""
    occurrences: int
    """What they stand for: the sum of their `count` (aggregated repeats included)."""
    written: int
    """Event writes the agent made: creates and count patches (`vk_eci_events_written_total`)."""
    dropped: int
    """Events the agent did not write: queue full, spam filter, refused
    (`vk_eci_events_dropped_total`)."""
    aggregated: int
    """Events the agent folded into an earlier one (`vk_eci_events_aggregated_total`)."""


class CeilingRun(TypedDict):
    seconds: float
    """Wall seconds from the first creation to the watch seeing the last Pod Running."""
    writes_seconds: float
    """Wall seconds from the first creation to the last status patch answered."""
    writes_per_second: float
    """Creations plus status patches per second."""
    apiserver_cpu_ms_per_pod: float | None
    """API server CPU per Pod of these writes (None: a real API server without a pid)."""
    timeline: list[list[float]]
    """[seconds, Pods written] samples, for the chart."""


class ScaleRun(TypedDict):
    pods: int
    cluster: str
    """embedded (a `vk-eci apiserver` of the benchmark's own) | kubeconfig"""
    ceiling: CeilingRun
    create_seconds: float
    """Wall seconds to create every Pod through the API server."""
    running_seconds: float
    """Wall seconds from the first Pod created to the last one Running."""
    ceiling_fraction: float
    """ceiling seconds / running seconds: 1.0 is as fast as a plain client writing statuses."""
    pods_per_second: float
    agent_rss_baseline_mb: float
    """Agent resident memory once started, before any Pod (MiB)."""
    agent_rss_peak_mb: float
    """VmHWM of the agent process at the end (MiB)."""
    agent_rss_per_1000_pods_mb: float
    """(peak - baseline) per 1,000 Pods (MiB)."""
    agent_cpu_seconds: float
    simulator_cpu_seconds: float
    apiserver_cpu_seconds: float | None
    """CPU seconds of the API server process (None: a real API server without a pid)."""
    cpu_ms_per_pod: dict[str, float | None]
    """CPU milliseconds per Pod of the agent, the simulator and the API server process."""
    events: EventCounts
    status_check: StatusCheck
    eci_calls_per_pod: dict[str, float]
    """ECI API calls the simulator answered during the agent run, per Pod, by action."""
    lease: LeaseReport
    timeline: list[list[float]]
    """[seconds, Pods Running] samples of the agent run, for the chart."""
    load_average: list[float]
    """1-minute load average of the machine at the start and the end of the run (other work
    on the same cores slows every process down)."""
    cpus: int
    target_met: dict[str, bool]


class ScaleResults(TypedDict):
    benchmark: str
    runs: list[ScaleRun]


TIMELINE_POINTS: Final = 120


def timeline(seconds: Sequence[float]) -> list[list[float]]:
    """About TIMELINE_POINTS [t, how many done by t] samples of sorted completion times."""
    ordered = sorted(seconds)
    if not ordered:
        return []
    step = max(1, len(ordered) // TIMELINE_POINTS)
    points = [[0.0, 0.0]]
    points += [[round(ordered[i], 3), float(i + 1)] for i in range(step - 1, len(ordered), step)]
    if points[-1][1] != len(ordered):
        points.append([round(ordered[-1], 3), float(len(ordered))])
    return points


def summarize(values: Sequence[float]) -> PhaseSummary:
    ordered = sorted(values)
    p90_index = max(0, math.ceil(0.9 * len(ordered)) - 1)
    return {
        "min": round(ordered[0], 3),
        "median": round(statistics.median(ordered), 3),
        "p90": round(ordered[p90_index], 3),
        "max": round(ordered[-1], 3),
        "mean": round(statistics.fmean(ordered), 3),
    }


def scenario_result(
    *,
    name: str,
    group: str,
    images: Sequence[str],
    image_megabytes: float,
    cache: str,
    timings: Sequence[PodTiming],
) -> ScenarioResult:
    if not timings:
        raise ValueError(f"scenario {name}: no Pod timings")
    pods = [timing.as_json() for timing in sorted(timings, key=lambda t: t.pod)]
    phases = {key: summarize([float(p[key]) for p in pods]) for key, _ in PHASES}  # type: ignore[literal-required]
    return {
        "name": name,
        "group": group,
        "images": list(images),
        "image_megabytes": round(image_megabytes, 2),
        "cache": cache,
        "pods": pods,
        "phases": phases,
    }


def startup_markdown(results: StartupResults) -> str:
    """One row per scenario: median simulated seconds of each phase (p90 / max for bursts)."""
    lines = [
        f"Start-up, simulated seconds (time scale {results['time_scale']:g};"
        f" medians, bursts also p90 and max of {results['replicas']} Pods)",
        "",
        "| scenario | images (MB) | cache | pods | scheduling | image preparation | start"
        " | total |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for scenario in results["scenarios"]:
        cells = []
        for key, _ in PHASES:
            summary = scenario["phases"][key]
            cell = f"{summary['median']:.2f}"
            if len(scenario["pods"]) > 1:
                cell += f" (p90 {summary['p90']:.2f}, max {summary['max']:.2f})"
            cells.append(cell)
        lines.append(
            f"| {scenario['name']} | {scenario['image_megabytes']:.2f} | {scenario['cache']}"
            f" | {len(scenario['pods'])} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines) + "\n"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def scale_markdown(results: ScaleResults) -> str:
    cpus = results["runs"][0]["cpus"] if results["runs"] else 0
    lines = [
        "Agent scale against the API server's raw write ceiling, measured in the same run"
        f" (zero simulated delay; wall-clock seconds; {cpus} CPUs, 1-minute load average at"
        " start/end in the last column)",
        "",
        "| pods | cluster | ceiling (s) | all Running (s) | of ceiling | pods/s"
        " | CPU ms/pod agent / simulator / API server (ceiling) | agent MiB per 1,000 pods"
        " | Events written / dropped | lease max gap (s) | lease late | statuses wrong | load |",
        "|---:|---|---:|---:|---:|---:|---|---:|---|---:|---|---:|---|",
    ]
    for run in results["runs"]:
        lease = run["lease"]
        cpu = run["cpu_ms_per_pod"]
        ceiling = run["ceiling"]
        events = run["events"]
        lines.append(
            f"| {run['pods']:,} | {run['cluster']} | {ceiling['seconds']:.1f}"
            f" | {run['running_seconds']:.1f} | {100 * run['ceiling_fraction']:.0f} %"
            f" | {run['pods_per_second']:.0f}"
            f" | {_ms(cpu['agent'])} / {_ms(cpu['simulator'])} / {_ms(cpu['apiserver'])}"
            f" ({_ms(ceiling['apiserver_cpu_ms_per_pod'])})"
            f" | {run['agent_rss_per_1000_pods_mb']:.1f}"
            f" | {events['occurrences']:,} / {events['dropped']:,}"
            f" | {lease['max_gap_seconds']:.1f} | {'yes' if lease['ever_late'] else 'no'}"
            f" ({lease['late_renewals']}/{lease['renewals_seen']})"
            f" | {run['status_check']['pods_wrong']}"
            f" | {run['load_average'][0]:.1f}/{run['load_average'][1]:.1f} |"
        )
    return "\n".join(lines) + "\n"
