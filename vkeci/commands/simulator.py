"""`vk-eci simulator`: run the ECI simulator (ECI OpenAPI 2018-08-08) on a local port.

Flags describe the process; the AccessKey pair comes from ECI_ACCESS_KEY_ID /
ECI_ACCESS_KEY_SECRET or a credentials file (never a flag, so it stays out of
`ps`), and the admin token from the environment variable `--admin-token-env`
names. Without credentials the simulator refuses to start: an ECI endpoint
that accepts anyone would hide signing bugs in the agent. On start it prints
one JSON line on stdout (`endpoint`, `admin_url`) for scripts; logs go to
stderr. SIGTERM and SIGINT stop it gracefully.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import structlog

from simulator.api.credentials import (
    ENV_ACCESS_KEY_ID,
    ENV_ACCESS_KEY_SECRET,
    CredentialsError,
    credentials_from_env,
    load_credentials_file,
)
from simulator.settings import (
    PUBLIC_REGIONS,
    ClockMode,
    ClockSettings,
    ImageCacheSettings,
    ListenSettings,
    PriceSettings,
    RegionSettings,
    RegistryMode,
    SecuritySettings,
    ServedRegion,
    SimulatorSettings,
    ThrottleSettings,
)
from vkeci.logs import configure_logging

DEFAULT_ADMIN_TOKEN_ENV = "ECI_SIM_ADMIN_TOKEN"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--listen",
        default="127.0.0.1:8080",
        metavar="HOST:PORT",
        help="address of the ECI API and /_sim admin endpoints (default %(default)s; port 0"
        " picks a free one)",
    )
    parser.add_argument(
        "--database-url",
        default="sqlite+aiosqlite:///eci-simulator.db",
        help="SQLAlchemy async URL: a SQLite file (default %(default)s) or"
        " postgresql+asyncpg://... to share state between simulator processes",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="real seconds per simulated second: 0.1 runs ten times faster (default 1)",
    )
    parser.add_argument(
        "--virtual-clock",
        action="store_true",
        help="simulated time moves only through POST /_sim/clock (for tests and demos)",
    )
    parser.add_argument("--region", default="cn-hangzhou", help="region id (default %(default)s)")
    parser.add_argument(
        "--zones",
        default="h,i,j",
        help="comma-separated zones: suffixes (h → <region>-h) or full ids (default %(default)s)",
    )
    parser.add_argument(
        "--regions-file",
        type=Path,
        metavar="FILE",
        help="JSON list of the other regions served, as DescribeRegions lists them"
        ' ([{"RegionId": ..., "Zones": [...], "RegionEndpoint": ...}]; [] serves only --region);'
        " default: ECI's public region list",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="extra image catalog (JSON), added to the built-in one; repeatable",
    )
    parser.add_argument(
        "--registry",
        choices=("open", "strict"),
        default="open",
        help="open (default): any public image reference pulls, catalog images with their"
        " sizes, others from a deterministic synthesized manifest; strict: only catalog images",
    )
    parser.add_argument(
        "--time-model", type=Path, metavar="FILE", help="JSON overriding time-model defaults"
    )
    parser.add_argument(
        "--no-auto-image-cache",
        dest="auto_image_cache",
        action="store_false",
        help="do not build an image cache in the background when an automatically matched"
        " container group misses (ECI does by default)",
    )
    parser.add_argument(
        "--credentials-file",
        type=Path,
        metavar="FILE",
        help="AccessKey pairs, JSON or INI ([default] access_key_id=... access_key_secret=...);"
        f" used with or instead of {ENV_ACCESS_KEY_ID}/{ENV_ACCESS_KEY_SECRET}",
    )
    parser.add_argument(
        "--admin-token-env",
        default=DEFAULT_ADMIN_TOKEN_ENV,
        metavar="NAME",
        help="environment variable holding the /_sim admin bearer token (default %(default)s);"
        " unset means the admin endpoints are disabled",
    )
    parser.add_argument(
        "--throttle-rate",
        type=float,
        default=0.0,
        metavar="CALLS_PER_SECOND",
        help="calls per second allowed per AccessKey and operation before Throttling.User"
        " (default 0: no throttling)",
    )
    parser.add_argument(
        "--throttle-burst",
        type=int,
        default=0,
        metavar="N",
        help="calls allowed at once before the rate applies (default: one second's worth)",
    )
    parser.add_argument(
        "--throttle-action",
        action="append",
        default=[],
        metavar="ACTION=RATE",
        help="a rate for one operation, e.g. CreateContainerGroup=10 (0 exempts it); repeatable",
    )
    parser.add_argument(
        "--prices",
        type=Path,
        metavar="FILE",
        help="JSON object of unit prices overriding ECI's published ones, e.g."
        ' {"vcpu_usd_per_second": 0.000008, "read_on": "2027-01-01"}'
        " (fields of simulator.settings.PriceSettings)",
    )
    parser.add_argument("--log-format", choices=("json", "console"), default=None)
    parser.add_argument("--log-level", default="info")


class UsageError(ValueError):
    """A flag or the environment is wrong; the message says how to fix it."""


def build_settings(args: argparse.Namespace, env: dict[str, str]) -> SimulatorSettings:
    """Settings from flags and environment; raises UsageError with a fix-it message."""
    host, sep, port_text = str(args.listen).rpartition(":")
    if not sep or not host or not port_text.isdigit() or int(port_text) > 65535:
        raise UsageError(f"--listen {args.listen!r}: expected HOST:PORT, e.g. 127.0.0.1:8080")
    if args.time_scale <= 0:
        raise UsageError(f"--time-scale {args.time_scale}: must be > 0")
    try:
        credentials = credentials_from_env(env)
        if args.credentials_file is not None:
            credentials += load_credentials_file(args.credentials_file)
    except CredentialsError as exc:
        raise UsageError(str(exc)) from exc
    if not credentials:
        raise UsageError(
            f"no AccessKey credentials: set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET},"
            " or pass --credentials-file FILE"
        )
    zones = tuple(
        zone if zone.startswith(args.region) else f"{args.region}-{zone}"
        for zone in (part.strip() for part in str(args.zones).split(","))
        if zone
    )
    if not zones:
        raise UsageError("--zones: give at least one zone")
    throttle = _throttle_settings(args)
    if args.virtual_clock:
        clock = ClockSettings(mode=ClockMode.VIRTUAL, time_scale=args.time_scale)
    elif args.time_scale == 1.0:
        clock = ClockSettings(mode=ClockMode.REAL)
    else:
        clock = ClockSettings(mode=ClockMode.SCALED, time_scale=args.time_scale)
    return SimulatorSettings(
        listen=ListenSettings(host=host.strip("[]"), port=int(port_text)),
        database_url=args.database_url,
        clock=clock,
        security=SecuritySettings(
            credentials=credentials, admin_token=env.get(args.admin_token_env) or None
        ),
        region=RegionSettings(
            region_id=args.region,
            zones=zones,
            others=PUBLIC_REGIONS if args.regions_file is None else load_regions(args.regions_file),
        ),
        throttle=throttle,
        catalog_paths=tuple(args.catalog),
        registry_mode=RegistryMode(args.registry),
        time_model_path=args.time_model,
        image_caches=ImageCacheSettings(auto_create=args.auto_image_cache),
        prices=PriceSettings() if args.prices is None else load_prices(args.prices),
    )


def load_prices(path: Path) -> PriceSettings:
    """The unit prices of a `--prices` file; UsageError naming the file and the field if bad."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--prices {path}: cannot read it ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"--prices {path}: not JSON ({exc.msg}, line {exc.lineno})") from exc
    try:
        return PriceSettings.from_json(document)
    except ValueError as exc:
        raise UsageError(f"--prices {path}: {exc}") from exc


def load_regions(path: Path) -> tuple[ServedRegion, ...]:
    """The regions of a `--regions-file`; UsageError naming the file and the entry if bad."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--regions-file {path}: cannot read it ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"--regions-file {path}: not JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(document, list):
        raise UsageError(f"--regions-file {path}: expected a JSON list of regions")
    regions = []
    for index, entry in enumerate(document, start=1):
        where = f"--regions-file {path}: region {index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("RegionId"), str):
            raise UsageError(f"{where}: expected an object with a RegionId string")
        zones = entry.get("Zones", [])
        if not isinstance(zones, list) or not zones or not all(isinstance(z, str) for z in zones):
            raise UsageError(f"{where} ({entry['RegionId']}): Zones must be a non-empty list")
        endpoint = entry.get("RegionEndpoint", "")
        if not isinstance(endpoint, str):
            raise UsageError(f"{where} ({entry['RegionId']}): RegionEndpoint must be a string")
        regions.append(
            ServedRegion(region_id=entry["RegionId"], zones=tuple(zones), endpoint=endpoint)
        )
    return tuple(regions)


def _throttle_settings(args: argparse.Namespace) -> ThrottleSettings:
    if args.throttle_rate < 0:
        raise UsageError(f"--throttle-rate {args.throttle_rate}: must be >= 0")
    if args.throttle_burst < 0:
        raise UsageError(f"--throttle-burst {args.throttle_burst}: must be >= 0")
    per_action: list[tuple[str, float]] = []
    for item in args.throttle_action:
        name, sep, rate_text = str(item).partition("=")
        try:
            rate = float(rate_text)
        except ValueError:
            rate = -1.0
        if not sep or not name or rate < 0:
            raise UsageError(
                f"--throttle-action {item!r}: expected ACTION=RATE, e.g. CreateContainerGroup=10"
            )
        per_action.append((name, rate))
    return ThrottleSettings(
        calls_per_second=args.throttle_rate,
        burst=args.throttle_burst,
        per_action=tuple(per_action),
    )


def run(args: argparse.Namespace) -> int:
    configure_logging(
        level=args.log_level,
        json_output=None if args.log_format is None else args.log_format == "json",
    )
    logger = structlog.get_logger("vkeci.simulator")
    try:
        settings = build_settings(args, dict(os.environ))
    except UsageError as exc:
        print(f"vk-eci simulator: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(settings, logger))
    except OSError as exc:  # e.g. the port is taken, the database directory is missing
        print(f"vk-eci simulator: cannot start: {exc}", file=sys.stderr)
        return 1


async def _serve(settings: SimulatorSettings, logger: structlog.stdlib.BoundLogger) -> int:
    from simulator.server import Simulator
    from vkprovider import collecting  # the agent's pace suits any process keeping much

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    collecting.pace()
    async with Simulator(settings, logger=logger) as simulator:
        collecting.settle()
        print(
            json.dumps({"endpoint": simulator.endpoint, "admin_url": simulator.admin_url}),
            flush=True,
        )
        await stop.wait()
        logger.info("simulator stopping")
    logger.info("simulator stopped")
    return 0
