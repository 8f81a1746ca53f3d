"""Start-up benchmark script: cached vs uncached Pods through the whole stack.

A thin wrapper of `vk-eci bench startup` with the published settings (100-replica burst,
time scale 0.01) writing into bench-results/:

    .venv/bin/python benchmarks/startup_bench.py [--replicas 100] [--out bench-results]

Writes startup.json (simulated seconds per phase and scenario, and what they cost),
startup.md (the tables) and the charts startup-cdf.png, startup-phases.png,
startup-speedup.png and startup-cost.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vkeci.cli import main


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--time-scale", default="0.01")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args()
    return main(
        [
            "bench", "startup",
            "--replicas", str(args.replicas),
            "--time-scale", args.time_scale,
            "--json", str(args.out / "startup.json"),
            "--markdown", str(args.out / "startup.md"),
            "--charts", str(args.out),
        ]
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(run())
