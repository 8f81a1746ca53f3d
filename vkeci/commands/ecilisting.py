"""What the read-only ECI listings (`vk-eci caches`, `vk-eci vnodes`) share.

Both ask the ECI endpoint the agent would use (its settings file, credentials and
endpoint flags), print aligned columns or JSON, and answer a configuration error
with exit code 2 and one line, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from vkprovider.configuration import ConfigurationError, load_settings_file, with_credentials
from vkprovider.settings import AgentSettings, EciSettings

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Item = TypeVar("Item", bound="DataclassInstance")
"""One listed thing: a frozen dataclass, printed as a row or as a JSON object."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="the agent's YAML/JSON settings file")
    parser.add_argument("--eci-endpoint", metavar="HOST:PORT", help="ECI API endpoint")
    parser.add_argument(
        "--eci-protocol", choices=["http", "https"], help="default: http on loopback, else https"
    )
    parser.add_argument("--region-id", help="ECI region (default cn-hangzhou)")
    parser.add_argument("--credentials-file", metavar="FILE", help="AccessKey pair (JSON or INI)")
    parser.add_argument("--output", choices=["table", "json"], default="table")


def eci_settings(args: argparse.Namespace, environ: Mapping[str, str]) -> EciSettings:
    """The agent's ECI settings, overridden by the command's flags; an AccessKey is required."""
    settings = load_settings_file(args.config) if args.config else AgentSettings()
    settings = with_credentials(
        settings, environ=environ, credentials_file=args.credentials_file or ""
    )
    changes = {
        "endpoint": args.eci_endpoint,
        "protocol": args.eci_protocol,
        "region_id": args.region_id,
    }
    eci = dataclasses.replace(
        settings.eci, **{name: value for name, value in changes.items() if value is not None}
    )
    if not eci.access_key_id or not eci.access_key_secret:
        raise ConfigurationError(
            "no ECI AccessKey: set ECI_ACCESS_KEY_ID and ECI_ACCESS_KEY_SECRET, "
            "or pass --credentials-file"
        )
    return eci


def columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Aligned columns; the last one is not padded (it may be long), no trailing blanks."""
    table = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(
            [*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]]
        ).rstrip()
        for row in table
    )


def run_listing(
    command: str,
    args: argparse.Namespace,
    fetch: Callable[[EciSettings], Coroutine[Any, Any, Sequence[Item]]],
    format_table: Callable[[Sequence[Item]], str],
) -> int:
    """Fetch the listing and print it as `--output` asks; exit code 2 on bad configuration."""
    try:
        settings = eci_settings(args, dict(os.environ))
    except ConfigurationError as exc:
        print(f"vk-eci {command}: {exc}", file=sys.stderr)
        return 2
    items = asyncio.run(fetch(settings))
    if args.output == "json":
        print(json.dumps([dataclasses.asdict(item) for item in items], indent=2))
    else:
        print(format_table(items))
    return 0
