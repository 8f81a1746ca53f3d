"""What the demo prints: the per-Pod tables of simulated phases and of what they cost, and
how to use kubectl on it.

Only presentation lives here (rich renderables and plain text); the numbers come from the
agent's `vk-eci.io/phase-seconds` annotation via `vkeci.stack.timings`, and the costs from
what the simulator billed (`vkeci.stack.costs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table

from vkeci.stack.costs import CacheEconomics, PodCost
from vkeci.stack.timings import PodTiming


@dataclass(frozen=True, kw_only=True)
class DemoRow:
    """One Pod of the demo: how it asked for the cache, what it got and what it cost."""

    label: str
    timing: PodTiming
    cost: PodCost | None = None


def timings_table(rows: Sequence[DemoRow]) -> Table:
    """Simulated seconds of every phase, one row per Pod."""
    table = Table(title="Pod start-up, simulated seconds (recorded by ECI, read from the Pods)")
    table.add_column("Pod")
    table.add_column("Image cache")
    table.add_column("Scheduling", justify="right")
    table.add_column("Image preparation", justify="right")
    table.add_column("Start", justify="right")
    table.add_column("Total", justify="right")
    for row in rows:
        timing = row.timing
        table.add_row(
            timing.pod,
            f"{row.label}: {timing.image_cache_id}" if timing.image_cache_id else row.label,
            f"{timing.scheduling_seconds:.2f}",
            f"{timing.image_preparation_seconds:.2f}",
            f"{timing.start_seconds:.2f}",
            f"{timing.total_seconds:.2f}",
        )
    return table


def cost_table(rows: Sequence[DemoRow]) -> Table:
    """What ECI billed each Pod: until its containers started, and an hour of running."""
    table = Table(title="What each Pod cost, USD (billed by ECI's published formulas)")
    table.add_column("Pod")
    table.add_column("Image cache")
    table.add_column("Start-up", justify="right")
    table.add_column("Running, per hour", justify="right")
    table.add_column("Of which the cache's disk", justify="right")
    for row in rows:
        if row.cost is None:
            continue
        table.add_row(
            row.timing.pod,
            row.label,
            f"{row.cost['startup_usd']:.6f}",
            f"{row.cost['usd_per_hour']:.6f}",
            f"{row.cost['cache_disk_usd_per_hour']:.6f}",
        )
    return table


def economics_line(economics: CacheEconomics) -> str:
    """What the cache cost, what a Pod saves with it, and from how many Pods a day it pays."""
    line = (
        f"The cache cost USD {economics['cache_build_usd']:.6f} to build and costs"
        f" USD {economics['cache_usd_per_day']:.6f} a day to keep; a Pod started from it"
        f" starts {economics['seconds_saved_per_pod']:.1f} s sooner and saves"
        f" USD {economics['usd_saved_per_pod']:.6f}"
    )
    even = economics["break_even_pods_per_day"]
    if even is None:
        return line + ": it never pays for itself in money, only in time."
    line += f": it pays for itself from {even:.2f} Pods a day"
    below = economics["pays_below_run_minutes"]
    if below is not None:
        line += (
            f", if they run less than {below:.1f} min (the disk each one creates from the"
            " cache costs more the longer it runs)"
        )
    return line + "."


def speedup_line(rows: Sequence[DemoRow]) -> str:
    """'Image preparation: 50.0 s uncached vs 5.0 s from the cache (10.0x faster)'."""
    uncached = [r.timing for r in rows if not r.timing.image_cache_id]
    cached = [r.timing for r in rows if r.timing.image_cache_id]
    if not uncached or not cached:
        return ""
    slow = uncached[0].image_preparation_seconds
    fast = min(t.image_preparation_seconds for t in cached)
    ratio = f" ({slow / fast:.1f}x faster)" if fast > 0 else ""
    return f"Image preparation: {slow:.1f} s uncached vs {fast:.1f} s from the cache{ratio}."


def kubectl_hints(
    *, kubeconfig: Path, namespace: str, pod: str, deployment: str, embedded: bool
) -> str:
    """How to look at the running demo with kubectl, and scale its Deployment."""
    env = f"export KUBECONFIG={kubeconfig}\n  " if embedded else ""
    return (
        "Look around with kubectl"
        + (" (the embedded API server lives as long as this process):" if embedded else ":")
        + f"\n  {env}kubectl get nodes"
        + "\n  kubectl get pods,imagecache -A"
        + f"\n  kubectl describe pod -n {namespace} {pod}"
        + f"\n  kubectl get pod -n {namespace} {pod} -o jsonpath="
        + "'{.metadata.annotations.vk-eci\\.io/phase-seconds}'"
        + f"\n  kubectl get deployment {deployment}"
        + f"\n  kubectl scale deployment {deployment} --replicas=3"
        + "\n  kubectl get pods -o wide"
    )
