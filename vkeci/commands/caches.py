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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from alibabacloud_openapi_util.client import Client as OpenApiUtilClient
from alibabacloud_tea_openapi.models import OpenApiRequest, Params
from alibabacloud_tea_util.models import RuntimeOptions

from vkeci.commands.ecilisting import add_arguments as add_arguments
from vkeci.commands.ecilisting import columns, run_listing
from vkprovider.eci.client import make_eci_client
from vkprovider.settings import EciSettings

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
    rows = [
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
    return columns(header, rows)


def run(args: argparse.Namespace) -> int:
    return run_listing("caches", args, list_caches, format_table)
