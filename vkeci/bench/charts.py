"""PNG charts of the benchmarks (matplotlib, Agg backend: no display needed).

* `startup-cdf.png`: cumulative distribution of total start-up seconds over the burst's Pods,
  cached vs uncached;
* `startup-phases.png`: stacked bars of scheduling, image preparation and start per scenario
  (medians);
* `startup-speedup.png`: image-preparation and total speed-up of a cache against image size;
* `startup-cost.png`: what ECI billed a Pod until its containers started against its start-up
  seconds, one point per scenario (the caches' own cost is in the Markdown table);
* `scale.png`: Pods Running over time in the scale benchmark's agent run, beside the raw
  write ceiling's Pods written over time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from vkeci.bench.results import ScaleResults, ScenarioResult, StartupResults

PHASE_COLOURS: Final = {
    "scheduling_seconds": ("Scheduling", "#8da0cb"),
    "image_preparation_seconds": ("Image preparation", "#fc8d62"),
    "start_seconds": ("Start", "#66c2a5"),
}


def draw_startup_charts(results: StartupResults, directory: Path) -> list[Path]:
    """Write the four charts into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [
        _cdf(results, directory / "startup-cdf.png"),
        _phases(results, directory / "startup-phases.png"),
        _speedup(results, directory / "startup-speedup.png"),
        _cost(results, directory / "startup-cost.png"),
    ]
    return [path for path in written if path is not None]


def _cdf(results: StartupResults, path: Path) -> Path | None:
    bursts = [s for s in results["scenarios"] if s["group"] == "burst"]
    if not bursts:
        return None
    figure, axes = plt.subplots(figsize=(8, 4.5))
    for scenario in bursts:
        totals = sorted(pod["total_seconds"] for pod in scenario["pods"])
        fractions = [(index + 1) / len(totals) for index in range(len(totals))]
        label = "cached (explicit ImageCache)" if scenario["cache"] != "uncached" else "uncached"
        axes.step(totals, fractions, where="post", label=f"{label}, {len(totals)} Pods")
    axes.set_xlabel("Pod start-up, creation to containers started (simulated seconds)")
    axes.set_ylabel("fraction of Pods started")
    axes.set_ylim(0, 1.02)
    axes.set_xlim(left=0)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    axes.set_title(f"Burst of {results['replicas']} flink:seed replicas: start-up CDF")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _axis_limit(totals: list[float]) -> float:
    """Clip the axis when one bar dwarfs the rest (pytorch), so the others stay readable."""
    ordered = sorted(totals)
    if len(ordered) >= 2 and ordered[-1] > 2.5 * ordered[-2]:
        return 1.25 * ordered[-2]
    return 1.08 * ordered[-1]


def _phases(results: StartupResults, path: Path) -> Path:
    scenarios = results["scenarios"]
    figure, axes = plt.subplots(figsize=(9, max(4.5, 0.32 * len(scenarios) + 1.5)))
    positions = list(range(len(scenarios)))[::-1]
    lefts = [0.0] * len(scenarios)
    for key, (name, colour) in PHASE_COLOURS.items():
        widths = [s["phases"][key]["median"] for s in scenarios]
        axes.barh(positions, widths, left=lefts, label=name, color=colour)
        lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
    limit = _axis_limit(lefts)
    for position, total in zip(positions, lefts, strict=True):
        clipped = total > limit
        axes.annotate(
            f"{total:.0f} s" + (" (bar clipped)" if clipped else ""),
            (min(total, limit), position),
            xytext=(-4 if clipped else 3, 0),
            textcoords="offset points",
            ha="right" if clipped else "left",
            va="center",
            fontsize=7,
            color="white" if clipped else "black",
        )
    axes.set_xlim(0, limit)
    axes.set_yticks(
        positions,
        [s["name"].replace("pytorch/pytorch:latest", "pytorch") for s in scenarios],
        fontsize=7,
    )
    axes.set_xlabel("simulated seconds (median over the scenario's Pods)")
    axes.set_title("Start-up phases per scenario")
    axes.grid(axis="x", alpha=0.3)
    axes.legend(loc="center right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _speedup(results: StartupResults, path: Path) -> Path | None:
    sizes = [s for s in results["scenarios"] if s["group"] == "size"]
    pairs: dict[str, dict[str, ScenarioResult]] = {}
    for scenario in sizes:
        pairs.setdefault(scenario["images"][0], {})[scenario["cache"]] = scenario
    points = []
    for image, pair in pairs.items():
        if "uncached" in pair and "explicit" in pair:
            slow, fast = pair["uncached"]["phases"], pair["explicit"]["phases"]
            prep = slow["image_preparation_seconds"]["median"] / max(
                fast["image_preparation_seconds"]["median"], 1e-9
            )
            total = slow["total_seconds"]["median"] / max(fast["total_seconds"]["median"], 1e-9)
            points.append((pair["uncached"]["image_megabytes"], prep, total, image))
    if not points:
        return None
    points.sort()
    figure, axes = plt.subplots(figsize=(8, 4.5))
    xs = [p[0] for p in points]
    axes.plot(xs, [p[1] for p in points], "o-", label="image preparation")
    axes.plot(xs, [p[2] for p in points], "s--", label="total start-up")
    for index, (size, prep, _, image) in enumerate(points):
        short = image.replace("pytorch/pytorch:latest", "pytorch")
        offset = (4, 8) if index % 2 == 0 else (4, -14)
        axes.annotate(short, (size, prep), textcoords="offset points", xytext=offset, fontsize=8)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("compressed image size (MB, log scale)")
    axes.set_ylabel("speed-up with an ImageCache (uncached / cached, log)")
    axes.set_title("Speed-up of an ImageCache against image size")
    axes.grid(alpha=0.3, which="both")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


CACHE_MARKERS: Final = {
    "uncached": ("o", "#e78ac3"),
    "explicit": ("s", "#66c2a5"),
    "automatic": ("^", "#8da0cb"),
    "partial": ("D", "#fc8d62"),
}


def _short(name: str) -> str:
    return name.replace("pytorch/pytorch:latest", "pytorch")


def _point(scenario: ScenarioResult) -> tuple[float, float]:
    return scenario["phases"]["total_seconds"]["median"], scenario["cost"]["startup_usd"]


def _cost(results: StartupResults, path: Path) -> Path:
    """Start-up USD per Pod (as billed) against start-up seconds, per scenario; an arrow from
    each uncached scenario to the cached ones of the same images."""
    scenarios = results["scenarios"]
    figure, axes = plt.subplots(figsize=(9, 5.5))
    labelled: set[str] = set()
    for scenario in scenarios:
        marker, colour = CACHE_MARKERS.get(scenario["cache"], ("x", "black"))
        label = scenario["cache"] if scenario["cache"] not in labelled else None
        labelled.add(scenario["cache"])
        seconds, usd = _point(scenario)
        axes.scatter([seconds], [usd], marker=marker, color=colour, label=label, zorder=3)
    named: set[tuple[str, ...]] = set()
    for scenario in scenarios:
        images = tuple(scenario["images"])
        if scenario["cache"] != "uncached" or images in named:
            continue
        named.add(images)
        axes.annotate(
            _short(", ".join(images)),
            _point(scenario),
            textcoords="offset points",
            xytext=(5, 3),
            fontsize=7,
        )
        for cached in scenarios:
            if tuple(cached["images"]) == images and cached["economics"] is not None:
                axes.annotate(
                    "",
                    _point(cached),
                    xytext=_point(scenario),
                    arrowprops={"arrowstyle": "->", "color": "grey", "alpha": 0.5},
                )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("Pod start-up, creation to containers started (simulated seconds, log)")
    axes.set_ylabel("billed until the containers started (USD per Pod, log)")
    axes.set_title(
        "What starting a Pod costs against how long it takes (arrows: uncached to cached)"
    )
    axes.grid(alpha=0.3, which="both")
    axes.legend(title="image cache", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def draw_scale_chart(results: ScaleResults, path: Path) -> Path:
    """Pods Running over time in each agent run, beside its ceiling's writes over time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(8, 4.5))
    for run in results["runs"]:
        label = f"{run['pods']:,} Pods"
        ceiling = run["ceiling"]["timeline"]
        agent = run["timeline"]
        line = axes.plot(
            [p[0] for p in agent], [p[1] for p in agent], label=f"agent: Pods Running ({label})"
        )[0]
        axes.plot(
            [p[0] for p in ceiling],
            [p[1] for p in ceiling],
            linestyle="--",
            color=line.get_color(),
            label=f"ceiling: created + status patched ({label})",
        )
    axes.set_xlabel("wall seconds since the first Pod was created")
    axes.set_ylabel("Pods")
    axes.set_xlim(left=0)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right", fontsize=8)
    axes.set_title("Agent against the API server's raw write ceiling (same run)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
