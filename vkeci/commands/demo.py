"""`vk-eci demo`: the embedded API server, the ECI simulator and the agent, and the flink story.

With no cluster everything runs in this process on random 127.0.0.1 ports; `--kubeconfig`
runs the same story against a real cluster. Failures print one clear line (no traceback) and
exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from rich.console import Console

from vkeci.commands.failures import run_reporting_failures
from vkeci.demo.story import DemoOptions, run_demo
from vkeci.logs import configure_logging

DEFAULT_TIME_SCALE = 0.05
"""Real seconds per simulated second: twenty times faster, the demo takes about 10 s."""
NON_TTY_WIDTH = 120
"""Columns of the output when it is piped (CI logs), so the table's cache ids fit."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--time-scale",
        type=float,
        default=DEFAULT_TIME_SCALE,
        metavar="FACTOR",
        help="real seconds per simulated second (default %(default)s, 20x faster;"
        " 1 runs in real time)",
    )
    parser.add_argument(
        "--kubeconfig",
        type=Path,
        metavar="PATH",
        help="run against this cluster instead of the embedded API server"
        " (the agent registers its node there; the demo's Pods and cache are deleted at the end)",
    )
    parser.add_argument(
        "--keep-running",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep running after the table until Ctrl-C (default: only when stdin is a terminal)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        metavar="DIR",
        help="where to keep the kubeconfig and the simulator's database (default: a temporary"
        " directory removed at exit)",
    )
    parser.add_argument(
        "--json", dest="json_path", type=Path, metavar="PATH", help="also write the table as JSON"
    )
    parser.add_argument(
        "--log-level", default="error", help="log level of the parts (default %(default)s)"
    )


def run(args: argparse.Namespace) -> int:
    # The demo runs every part in-process: one redaction (`vkeci.redaction`) covers them all.
    configure_logging(level=args.log_level)
    keep_running = sys.stdin.isatty() if args.keep_running is None else bool(args.keep_running)
    if args.time_scale <= 0:
        print(f"vk-eci demo: --time-scale {args.time_scale}: must be > 0", file=sys.stderr)
        return 2
    if args.kubeconfig is not None and not args.kubeconfig.expanduser().is_file():
        print(f"vk-eci demo: --kubeconfig {args.kubeconfig}: no such file", file=sys.stderr)
        return 2
    options = DemoOptions(
        time_scale=args.time_scale,
        kubeconfig=args.kubeconfig,
        keep_running=keep_running,
        workdir=args.workdir,
        json_path=args.json_path,
    )
    console = Console(highlight=False, width=None if sys.stdout.isatty() else NON_TTY_WIDTH)

    def body() -> int:
        asyncio.run(run_demo(options, console))
        return 0

    return run_reporting_failures(command="demo", body=body, log_level=args.log_level)
