"""DescribeRegions: the one region (and its zones) this simulator serves.

A simulator process models a single region, chosen in `RegionSettings`; the
answer lists it with its zones (every zone recommended) and the endpoint the
official SDK would build for it. No store access: the region is configuration.
"""

from __future__ import annotations

from typing import Any

from simulator.operations.context import Context
from simulator.operations.params import Params


async def describe_regions(ctx: Context, params: Params) -> dict[str, Any]:
    """The configured region as ECI lists it (any filter parameters are ignored)."""
    del params
    region = ctx.settings.region
    return {
        "Regions": [
            {
                "RegionId": region.region_id,
                "RegionEndpoint": f"eci.{region.region_id}.aliyuncs.com",
                "Zones": list(region.zones),
                "RecommendZones": list(region.zones),
            }
        ]
    }
