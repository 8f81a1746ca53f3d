"""Entry point of the `vk-eci` console script.

Each subcommand lives in its own module under `vkeci.commands` and exposes
`add_arguments(parser)` and `run(args) -> int`; this module only dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol, cast

SUBCOMMANDS: dict[str, str] = {
    "agent": "run the node agent (node virtual-kubelet, pods, ImageCache controller)",
    "simulator": "run the ECI simulator (ECI OpenAPI 2018-08-08 on a local port)",
    "demo": "run the embedded demo: API server, simulator and agent, no cluster needed",
    "bench": "run the start-up and scale benchmarks",
    "apiserver": "run the embedded Kubernetes API server alone and write a kubeconfig",
    "caches": "list the region's image caches in ECI, automatic ones included",
    "vnodes": "list the region's ECI virtual nodes (VNodes made by CreateVirtualNode)",
}


class Command(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _load(name: str) -> Command:
    return cast(Command, importlib.import_module(f"vkeci.commands.{name}"))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (with `only`) one whose other subcommands carry no options.

    Loading a subcommand's module imports its part of the stack (the agent alone
    imports kubernetes_asyncio and the ECI SDK): `main` loads only the one it runs,
    so `vk-eci agent` never pays for the simulator, the demo or matplotlib.
    """
    parser = argparse.ArgumentParser(
        prog="vk-eci",
        description="Alibaba Cloud ECI virtual node and image caches, without a cloud account.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, summary in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=summary, description=summary)
        if only is None or name == only:
            _load(name).add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    chosen = arguments[0] if arguments and arguments[0] in SUBCOMMANDS else None
    args = build_parser(chosen).parse_args(arguments)
    return _load(args.command).run(args)


if __name__ == "__main__":
    sys.exit(main())
