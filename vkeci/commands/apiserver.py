"""`vk-eci apiserver`: the embedded Kubernetes API server alone, plus a kubeconfig for it.

For poking at the agent's world with kubectl without a cluster. Runs until SIGINT/SIGTERM
and then exits 0; state lives in memory and is gone when it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from localkube.server import LocalKube, LocalKubeSettings
from vkeci.logs import configure_logging

DEFAULT_LISTEN = "127.0.0.1:6443"
DEFAULT_KUBECONFIG = Path("localkube.kubeconfig")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--listen",
        default=DEFAULT_LISTEN,
        metavar="HOST:PORT",
        help=f"address to serve the API on (default {DEFAULT_LISTEN}; port 0 picks a free one)",
    )
    parser.add_argument(
        "--kubeconfig",
        type=Path,
        default=DEFAULT_KUBECONFIG,
        metavar="PATH",
        help=f"where to write the kubeconfig (default ./{DEFAULT_KUBECONFIG})",
    )
    parser.add_argument(
        "--history-window",
        type=int,
        default=LocalKubeSettings.history_window,
        help="changes kept for watches; older resourceVersions get 410 Gone (default %(default)s)",
    )
    parser.add_argument(
        "--bookmark-interval",
        type=float,
        default=LocalKubeSettings.bookmark_interval_seconds,
        metavar="SECONDS",
        help="seconds between watch BOOKMARK events (default %(default)s)",
    )
    parser.add_argument(
        "--controllers",
        action=argparse.BooleanOptionalAction,
        default=LocalKubeSettings.controllers,
        help="run the stand-in scheduler and controllers (Deployments, Jobs, CronJobs, garbage"
        " collection); --no-controllers serves the API alone (default: on)",
    )
    parser.add_argument(
        "--kubelet-client-certificate",
        default="",
        metavar="PEM",
        help="client certificate presented to kubelets for kubectl logs (as kube-apiserver's)",
    )
    parser.add_argument("--kubelet-client-key", default="", metavar="PEM", help="its private key")
    parser.add_argument("--log-level", default="info", help="log level (default info)")


def _parse_listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit(f"--listen: expected HOST:PORT, got {value!r}")
    return host, int(port)


async def _serve(args: argparse.Namespace) -> int:
    host, port = _parse_listen(args.listen)
    settings = LocalKubeSettings(
        host=host,
        port=port,
        history_window=args.history_window,
        bookmark_interval_seconds=args.bookmark_interval,
        controllers=args.controllers,
        kubelet_client_certificate=args.kubelet_client_certificate,
        kubelet_client_key=args.kubelet_client_key,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with LocalKube(settings) as kube:
        path = kube.write_kubeconfig(args.kubeconfig).resolve()
        print(
            f"localkube API server listening on {kube.url}\n"
            f"kubeconfig written to {path}\n\n"
            f"  export KUBECONFIG={path}\n"
            "  kubectl get nodes\n\n"
            "Stop with Ctrl-C.",
            flush=True,
        )
        await stop.wait()
    return 0


def run(args: argparse.Namespace) -> int:
    configure_logging(level=args.log_level)
    try:
        return asyncio.run(_serve(args))
    except OSError as exc:
        print(f"vk-eci apiserver: cannot listen on {args.listen}: {exc}", file=sys.stderr)
        return 1
