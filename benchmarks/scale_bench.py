"""Scale benchmark script: agent against the API server's write ceiling at 1,000 and 10,000 Pods.

A thin wrapper of `vk-eci bench scale` (zero-delay simulator, agent in its own process)
writing scale.json, scale.md and scale.png into bench-results/ (each run measures the API
server's raw write ceiling first, then the agent against the same server):

    .venv/bin/python benchmarks/scale_bench.py [--pods 1000 --pods 10000] [--out bench-results]

Takes minutes: see the README's benchmark section for what one run on two cores gives.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vkeci.cli import main


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, action="append")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args()
    pods = args.pods or [1000, 10000]
    argv = ["bench", "scale"]
    for count in pods:
        argv += ["--pods", str(count)]
    argv += ["--json", str(args.out / "scale.json"), "--markdown", str(args.out / "scale.md")]
    argv += ["--chart", str(args.out / "scale.png")]
    return main(argv)


if __name__ == "__main__":
    sys.exit(run())
