"""`vk-eci caches`: the region's image caches as ECI holds them, automatic ones included.

ECI creates a cache on its own when an automatically matched instance misses;
that cache is a cloud resource only (the virtual node makes no ImageCache
object of it), so `kubectl get imagecaches` cannot show it. This command asks
ECI (DescribeImageCaches, through the official SDK, page by page) and prints
every cache: id, name, source (Automatic / Manual where the endpoint says so:
the simulator does, in a field the SDK model lacks, so the raw body is read),
status, size, uses, build cost, snapshot cost a day, last match and images.
Read-only: it never creates or deletes.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from alibabacloud_openapi_util.client import Client as OpenApiUtilClient
from alibabacloud_tea_openapi.models import OpenApiRequest, Params
from alibabacloud_tea_util.models import RuntimeOptions

from vkprovider.configuration import ConfigurationError, load_settings_file, with_credentials
from vkprovider.eci.client import make_eci_client
from vkprovider.settings import AgentSettings, EciSettings

PAGE_SIZE = 100
"""DescribeImageCaches' largest page."""


@dataclass(frozen=True)
class CloudCache:
    """One image cache as the listing shows it."""

    cache_id: str
    name: str
    source: str
    """"Automatic", "Manual", or "" when the endpoint does not say."""
    status: str
    size_gib: int
    last_matched: str
    """DescribeImageCaches' LastMatchedTime; "" if never matched."""
    uses: int | None
    """Groups started from it (the simulator's MatchedCount); None when not reported."""
    build_usd: float | None
    """What building it cost (the simulator's Cost.BuildUsd); None when not reported."""
    images: tuple[str, ...]
    usd_per_day: float | None = None
    """What keeping its snapshot costs a day (Cost.SnapshotUsdPerDay); None when not reported."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="the agent's YAML/JSON settings file")
    parser.add_argument("--eci-endpoint", metavar="HOST:PORT", help="ECI API endpoint")
    parser.add_argument(
        "--eci-protocol", choices=["http", "https"], help="default: http on loopback, else https"
    )
    parser.add_argument("--region-id", help="ECI region (default cn-hangzhou)")
    parser.add_argument("--credentials-file", metavar="FILE", help="AccessKey pair (JSON or INI)")
    parser.add_argument("--output", choices=["table", "json"], default="table")


def _settings(args: argparse.Namespace, environ: Mapping[str, str]) -> EciSettings:
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


def _cache(item: Mapping[str, Any]) -> CloudCache:
    cost = item.get("Cost") or {}
    return CloudCache(
        cache_id=str(item.get("ImageCacheId", "")),
        name=str(item.get("ImageCacheName", "")),
        source=str(item.get("Source", "")),
        status=str(item.get("Status", "")),
        size_gib=int(item.get("ImageCacheSize") or 0),
        last_matched=str(item.get("LastMatchedTime") or ""),
        uses=None if item.get("MatchedCount") is None else int(item["MatchedCount"]),
        build_usd=None if cost.get("BuildUsd") is None else float(cost["BuildUsd"]),
        images=tuple(str(i) for i in item.get("Images") or ()),
        usd_per_day=None
        if cost.get("SnapshotUsdPerDay") is None
        else float(cost["SnapshotUsdPerDay"]),
    )


async def list_caches(settings: EciSettings) -> list[CloudCache]:
    """Every image cache of `settings.region_id`, newest first (ECI's order)."""
    client = make_eci_client(settings)
    params = Params(
        action="DescribeImageCaches",
        version="2018-08-08",
        protocol="HTTPS",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    caches: list[CloudCache] = []
    token = ""
    while True:
        query = {"RegionId": settings.region_id, "Limit": str(PAGE_SIZE)}
        if token:
            query["NextToken"] = token
        request = OpenApiRequest(query=OpenApiUtilClient.query(query))
        response = await client.call_api_async(params, request, RuntimeOptions())
        body = response.get("body") or {}
        caches.extend(_cache(item) for item in body.get("ImageCaches") or ())
        token = str(body.get("NextToken") or "")
        if not token:
            return caches


def format_table(caches: Sequence[CloudCache]) -> str:
    """Aligned columns, one cache per line, its images comma-separated last."""
    header = (
        "CACHE ID",
        "NAME",
        "SOURCE",
        "STATUS",
        "SIZE",
        "USES",
        "BUILD USD",
        "USD/DAY",
        "LAST MATCHED",
        "IMAGES",
    )
    rows = [header] + [
        (
            c.cache_id,
            c.name,
            c.source or "-",
            c.status,
            f"{c.size_gib}GiB",
            "-" if c.uses is None else str(c.uses),
            "-" if c.build_usd is None else f"{c.build_usd:.6f}",
            "-" if c.usd_per_day is None else f"{c.usd_per_day:.6f}",
            c.last_matched or "-",
            ",".join(c.images),
        )
        for c in caches
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = (
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]])
        for row in rows
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        settings = _settings(args, dict(os.environ))
    except ConfigurationError as exc:
        print(f"vk-eci caches: {exc}", file=sys.stderr)
        return 2
    caches = asyncio.run(list_caches(settings))
    if args.output == "json":
        print(json.dumps([asdict(c) for c in caches], indent=2))
    else:
        print(format_table(caches))
    return 0
