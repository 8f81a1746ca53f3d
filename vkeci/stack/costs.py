"""What Pods and image caches cost, as ECI (the simulator) bills them, and when a cache pays.

The figures are read, never recomputed here: each container group's `SimulatedCost`
(DescribeContainerGroups) and each cache's `Cost` (DescribeImageCaches), fields the
simulator adds beside ECI's and the SDK's models drop, so the raw body is read through
the official SDK's generic call over real HTTP. This module only combines them into the
comparison a user makes (`cache_economics`): seconds and dollars a cached Pod saves
against an uncached one, what the cache costs a day, and the break-even number of Pods a
day at which the cache pays for itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final, TypedDict

from alibabacloud_openapi_util.client import Client as OpenApiUtilClient
from alibabacloud_tea_openapi.models import OpenApiRequest, Params
from alibabacloud_tea_util.models import RuntimeOptions

from vkprovider.eci.client import make_eci_client
from vkprovider.settings import EciSettings

IDS_PER_CALL: Final = 20
"""DescribeContainerGroups' largest page (and ContainerGroupIds list)."""


class PodCost(TypedDict):
    """One Pod's container group as billed (USD; simulated seconds)."""

    container_group_id: str
    startup_usd: float
    """Billed before every container had started (image preparation and start)."""
    usd_per_hour: float
    """Everything the running instance pays an hour, its cache disk included."""
    cache_disk_usd_per_hour: float
    """Of which the disk the instance created from a manually created cache."""


class CacheCost(TypedDict):
    cache_id: str
    build_usd: float
    usd_per_day: float
    """Keeping its snapshot for a day."""


class CacheEconomics(TypedDict):
    """A cached scenario against the uncached one of the same images."""

    seconds_saved_per_pod: float
    usd_saved_per_pod: float
    """The uncached Pod's start-up cost minus the cached one's, minus the cache disk for
    the assumed run time."""
    cache_id: str
    cache_build_usd: float
    cache_usd_per_day: float
    break_even_pods_per_day: float | None
    """cache_usd_per_day / usd_saved_per_pod; None when a Pod saves nothing (never pays)."""
    pays_below_run_minutes: float | None
    """A Pod saves money only if it runs less than this long (its cache disk eats the
    start-up saving); None when the cache adds no disk charge."""


def _params(action: str) -> Params:
    return Params(
        action=action,
        version="2018-08-08",
        protocol="HTTPS",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )


async def _call(settings: EciSettings, action: str, query: dict[str, str]) -> dict[str, Any]:
    client = make_eci_client(settings)
    request = OpenApiRequest(
        query=OpenApiUtilClient.query({"RegionId": settings.region_id, **query})
    )
    response = await client.call_api_async(_params(action), request, RuntimeOptions())
    body: dict[str, Any] = response.get("body") or {}
    return body


async def pod_costs(settings: EciSettings, group_ids: Sequence[str]) -> dict[str, PodCost]:
    """The charges of each listed container group (groups not reporting any are left out)."""
    found: dict[str, PodCost] = {}
    ids = list(dict.fromkeys(group_ids))
    for start in range(0, len(ids), IDS_PER_CALL):
        chunk = ids[start : start + IDS_PER_CALL]
        body = await _call(
            settings,
            "DescribeContainerGroups",
            {"ContainerGroupIds": json.dumps(chunk), "Limit": str(IDS_PER_CALL)},
        )
        for group in body.get("ContainerGroups") or ():
            cost = group.get("SimulatedCost")
            if cost is None:
                continue
            found[str(group["ContainerGroupId"])] = {
                "container_group_id": str(group["ContainerGroupId"]),
                "startup_usd": float(cost["StartupUsd"]),
                "usd_per_hour": float(cost["UsdPerHour"]),
                "cache_disk_usd_per_hour": float(cost["CacheDiskUsdPerHour"]),
            }
    return found


async def cache_costs(settings: EciSettings, cache_ids: Sequence[str]) -> dict[str, CacheCost]:
    """The build and daily storage cost of each listed cache (those reporting a Cost)."""
    found: dict[str, CacheCost] = {}
    for cache_id in dict.fromkeys(cache_ids):
        body = await _call(settings, "DescribeImageCaches", {"ImageCacheId": cache_id})
        for cache in body.get("ImageCaches") or ():
            cost = cache.get("Cost")
            if cost is not None:
                found[cache_id] = {
                    "cache_id": cache_id,
                    "build_usd": float(cost["BuildUsd"]),
                    "usd_per_day": float(cost["SnapshotUsdPerDay"]),
                }
    return found


def cache_economics(
    *,
    uncached_seconds: float,
    cached_seconds: float,
    uncached: PodCost,
    cached: PodCost,
    cache: CacheCost,
    run_minutes: float,
) -> CacheEconomics:
    """What a cache saves per Pod and how many Pods a day make it pay.

    `run_minutes`: how long each Pod runs after it started (the cache disk of a manually
    created cache is billed for the whole run)."""
    startup_saving = uncached["startup_usd"] - cached["startup_usd"]
    disk_per_hour = cached["cache_disk_usd_per_hour"]
    saving = round(startup_saving - disk_per_hour * run_minutes / 60, 9)
    pays_below = None
    if disk_per_hour > 0:
        pays_below = round(max(0.0, startup_saving) / disk_per_hour * 60, 3)
    return {
        "seconds_saved_per_pod": round(uncached_seconds - cached_seconds, 3),
        "usd_saved_per_pod": saving,
        "cache_id": cache["cache_id"],
        "cache_build_usd": cache["build_usd"],
        "cache_usd_per_day": cache["usd_per_day"],
        "break_even_pods_per_day": round(cache["usd_per_day"] / saving, 3) if saving > 0 else None,
        "pays_below_run_minutes": pays_below,
    }
