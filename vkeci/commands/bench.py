"""`vk-eci bench startup|scale`: the start-up and scale benchmarks, JSON + Markdown + charts.

    vk-eci bench startup --json PATH [--markdown PATH] [--charts DIR] [--replicas 100]
    vk-eci bench scale --pods N [--pods M ...] --json PATH [--markdown PATH] [--chart PATH]
                       [--kubeconfig PATH [--apiserver-pid PID]]

Start-up runs the whole stack in this process on a fast clock and reports simulated seconds;
scale measures the API server's raw write ceiling, then runs the agent (and the simulator) in
their own processes with a zero-delay time model against the same API server (its own
`vk-eci apiserver`, or a real cluster's through --kubeconfig) and reports both times, their
ratio, CPU per Pod, the agent's memory, Events and lease renewals. Progress goes to stderr, the
Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from vkeci.commands.failures import run_reporting_failures
from vkeci.logs import configure_logging

DEFAULT_STARTUP_TIME_SCALE = 0.01
"""Real seconds per simulated second of the start-up benchmark (100x faster)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)
    startup = kinds.add_parser(
        "startup", help="cached vs uncached Pod start-up (simulated seconds per phase)"
    )
    startup.add_argument("--json", dest="json_path", type=Path, required=True, metavar="PATH")
    startup.add_argument("--markdown", type=Path, metavar="PATH", help="also write the table")
    startup.add_argument("--charts", type=Path, metavar="DIR", help="write PNG charts here")
    startup.add_argument(
        "--replicas", type=int, default=100, help="Pods in each burst (default %(default)s)"
    )
    startup.add_argument(
        "--time-scale",
        type=float,
        default=DEFAULT_STARTUP_TIME_SCALE,
        metavar="FACTOR",
        help="real seconds per simulated second (default %(default)s)",
    )
    startup.add_argument(
        "--pod-run-minutes",
        type=float,
        default=0.0,
        metavar="MINUTES",
        help="how long each Pod runs after start-up, for what a cache's disk costs while it"
        " runs (default %(default)s: the start-up alone)",
    )
    startup.add_argument("--log-level", default="error")

    scale = kinds.add_parser("scale", help="agent throughput and RSS with zero simulated delay")
    scale.add_argument(
        "--pods",
        type=int,
        action="append",
        required=True,
        metavar="N",
        help="Pods to start (repeat for several runs, e.g. --pods 1000 --pods 10000)",
    )
    scale.add_argument("--json", dest="json_path", type=Path, required=True, metavar="PATH")
    scale.add_argument("--markdown", type=Path, metavar="PATH", help="also write the table")
    scale.add_argument("--chart", type=Path, metavar="PATH", help="write the PNG chart here")
    scale.add_argument(
        "--kubeconfig",
        type=Path,
        metavar="PATH",
        help="run against this cluster (own namespace and node, cleaned up) instead of an"
        " embedded API server",
    )
    scale.add_argument(
        "--apiserver-pid",
        type=int,
        metavar="PID",
        help="with --kubeconfig: the API server process whose CPU to report",
    )
    scale.add_argument(
        "--agent-workers",
        type=int,
        default=64,
        help="the agent's concurrent pod workers (default %(default)s, the agent's default)",
    )
    scale.add_argument("--log-level", default="error")


def _write(path: Path | None, text: str) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def run(args: argparse.Namespace) -> int:
    configure_logging(level=args.log_level)
    console = Console(stderr=True, highlight=False)
    if args.benchmark == "startup":
        return run_reporting_failures(
            command="bench", body=lambda: _startup(args, console), log_level=args.log_level
        )
    return run_reporting_failures(
        command="bench", body=lambda: _scale(args, console), log_level=args.log_level
    )


def _dump(path: Path, document: Any) -> None:
    _write(path, json.dumps(document, indent=2) + "\n")


def _startup(args: argparse.Namespace, console: Console) -> int:
    from vkeci.bench.results import startup_markdown
    from vkeci.bench.startup import StartupOptions, run_startup
    from vkeci.stack.embedded import StackSettings

    if args.replicas < 1 or args.time_scale <= 0 or args.pod_run_minutes < 0:
        print(
            "vk-eci bench: --replicas must be >= 1, --time-scale > 0 and --pod-run-minutes >= 0",
            file=sys.stderr,
        )
        return 2
    options = StartupOptions(
        time_scale=args.time_scale, replicas=args.replicas, pod_run_minutes=args.pod_run_minutes
    )
    with tempfile.TemporaryDirectory(prefix="vk-eci-bench-") as workdir:
        settings = StackSettings(
            workdir=Path(workdir),
            time_scale=args.time_scale,
            pod_workers=64,
        )
        results = asyncio.run(run_startup(options, settings=settings, console=console))
    _dump(args.json_path, results)
    table = startup_markdown(results)
    _write(args.markdown, table)
    print(table)
    if args.charts is not None:
        from vkeci.bench.charts import draw_startup_charts

        for path in draw_startup_charts(results, args.charts):
            console.print(f"chart written: {path}")
    return 0


def _scale(args: argparse.Namespace, console: Console) -> int:
    from vkeci.bench.results import ScaleResults, scale_markdown
    from vkeci.bench.scale import ScaleOptions, run_scale

    if any(n < 1 for n in args.pods):
        print("vk-eci bench: --pods must be >= 1", file=sys.stderr)
        return 2
    runs = []
    for pods in args.pods:
        options = ScaleOptions(
            pods=pods,
            agent_workers=args.agent_workers,
            kubeconfig=args.kubeconfig,
            apiserver_pid=args.apiserver_pid,
        )
        runs.append(asyncio.run(run_scale(options, console=console)))
    results: ScaleResults = {"benchmark": "scale", "runs": runs}
    _dump(args.json_path, results)
    table = scale_markdown(results)
    _write(args.markdown, table)
    print(table)
    if args.chart is not None:
        from vkeci.bench.charts import draw_scale_chart

        console.print(f"chart written: {draw_scale_chart(results, args.chart)}")
    return 0
