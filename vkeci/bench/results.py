"""The benchmarks' results: JSON shapes, per-phase summaries and Markdown tables.

Start-up numbers are simulated seconds read from what the system recorded (the agent's
`vk-eci.io/phase-seconds` annotation, i.e. ECI's own timestamps), never wall-clock
measurements; their costs are what ECI (the simulator) billed each Pod's container group
and each cache (`vkeci.stack.costs`), never recomputed from unit prices here. Scale numbers
are wall-clock seconds and bytes of a real agent process.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Final, TypedDict

from vkeci.stack.costs import CacheCost, CacheEconomics, PodCost, cache_economics
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
    pod_costs: list[PodCost]
    """What ECI billed each Pod's container group, in the order of `pods`."""
    cost: PodCost
    """Medians of `pod_costs` (container_group_id: the median Pod's)."""
    economics: CacheEconomics | None
    """Against the uncached scenario of the same images (None: uncached, or none to
    compare with)."""


class StartupResults(TypedDict):
    benchmark: str
    time_scale: float
    replicas: int
    pod_run_minutes: float
    """How long each Pod is assumed to run after it started (for the cache disk's cost)."""
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
    status_groups_shown_per_pod: float
    """Groups DescribeContainerGroupStatus showed the agent's status poller, per Pod."""
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


def _median_cost(costs: Sequence[PodCost]) -> PodCost:
    middle = sorted(costs, key=lambda c: c["startup_usd"])[(len(costs) - 1) // 2]
    return {
        "container_group_id": middle["container_group_id"],
        "startup_usd": round(statistics.median(c["startup_usd"] for c in costs), 9),
        "usd_per_hour": round(statistics.median(c["usd_per_hour"] for c in costs), 9),
        "cache_disk_usd_per_hour": round(
            statistics.median(c["cache_disk_usd_per_hour"] for c in costs), 9
        ),
    }


def scenario_result(
    *,
    name: str,
    group: str,
    images: Sequence[str],
    image_megabytes: float,
    cache: str,
    timings: Sequence[PodTiming],
    costs: dict[str, PodCost],
) -> ScenarioResult:
    """`costs`: each Pod's container group's charges, by container group id."""
    if not timings:
        raise ValueError(f"scenario {name}: no Pod timings")
    pods = [timing.as_json() for timing in sorted(timings, key=lambda t: t.pod)]
    phases = {key: summarize([float(p[key]) for p in pods]) for key, _ in PHASES}  # type: ignore[literal-required]
    missing = [p["pod"] for p in pods if p["container_group_id"] not in costs]
    if missing:
        raise ValueError(f"scenario {name}: no charges reported for {', '.join(missing)}")
    pod_costs = [costs[p["container_group_id"]] for p in pods]
    return {
        "name": name,
        "group": group,
        "images": list(images),
        "image_megabytes": round(image_megabytes, 2),
        "cache": cache,
        "pods": pods,
        "phases": phases,
        "pod_costs": pod_costs,
        "cost": _median_cost(pod_costs),
        "economics": None,
    }


def with_economics(
    scenarios: Sequence[ScenarioResult], *, caches: dict[str, CacheCost], run_minutes: float
) -> list[ScenarioResult]:
    """Each cached scenario compared with the uncached one of its group and images."""
    baselines = {(s["group"], tuple(s["images"])): s for s in scenarios if s["cache"] == "uncached"}
    done: list[ScenarioResult] = []
    for scenario in scenarios:
        baseline = baselines.get((scenario["group"], tuple(scenario["images"])))
        cache_id = scenario["pods"][0]["image_cache_id"]
        if scenario["cache"] == "uncached" or baseline is None or cache_id not in caches:
            done.append(scenario)
            continue
        economics = cache_economics(
            uncached_seconds=baseline["phases"]["total_seconds"]["median"],
            cached_seconds=scenario["phases"]["total_seconds"]["median"],
            uncached=baseline["cost"],
            cached=scenario["cost"],
            cache=caches[cache_id],
            run_minutes=run_minutes,
        )
        done.append({**scenario, "economics": economics})
    return done


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
    return "\n".join(lines) + "\n" + "\n" + cost_markdown(results)


def _usd(value: float) -> str:
    return f"{value:.6f}"


def cost_markdown(results: StartupResults) -> str:
    """One row per cached scenario: what it saved, what its cache cost, when it pays."""
    lines = [
        "Cost next to time (USD as billed by ECI's formulas; medians; Pods assumed to run"
        f" {results['pod_run_minutes']:g} min after start-up)",
        "",
        "| scenario | cache | start-up USD/Pod | saved s/Pod | saved USD/Pod | cache build USD"
        " | cache USD/day | break-even Pods/day | pays for Pods running under (min) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in results["scenarios"]:
        startup = _usd(scenario["cost"]["startup_usd"])
        economics = scenario["economics"]
        if economics is None:
            lines.append(
                f"| {scenario['name']} | {scenario['cache']} | {startup} |  |  |  |  |  |  |"
            )
            continue
        even = economics["break_even_pods_per_day"]
        below = economics["pays_below_run_minutes"]
        lines.append(
            f"| {scenario['name']} | {scenario['cache']} | {startup}"
            f" | {economics['seconds_saved_per_pod']:.2f}"
            f" | {_usd(economics['usd_saved_per_pod'])}"
            f" | {_usd(economics['cache_build_usd'])} | {_usd(economics['cache_usd_per_day'])}"
            f" | {'never' if even is None else f'{even:.2f}'}"
            f" | {'no limit' if below is None else f'{below:.1f}'} |"
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
