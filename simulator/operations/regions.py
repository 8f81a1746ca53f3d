"""DescribeRegions: the regions (and their zones) this simulator serves.

The served regions are configuration (`RegionSettings`: a home region and, by
default, ECI's public region list); the answer lists each with its zones and
its endpoint. No store access: regions are configuration, while the data of
each region (groups, caches) is partitioned by the other operations.
"""

from __future__ import annotations

import functools
from typing import Any

from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.settings import RegionSettings


async def describe_regions(ctx: Context, params: Params) -> dict[str, Any]:
    """Every served region as ECI lists it, the home region first, every zone recommended.

    A `RegionId`, when given, must be served (the service checks it, as for
    every operation); the list is the same from every region, as ECI's is.
    """
    del params
    return {"Regions": _listed(ctx.settings.region)}


@functools.lru_cache(maxsize=8)
def _listed(regions: RegionSettings) -> tuple[dict[str, Any], ...]:
    """Built once per configuration, a tuple (immutable): the edge encodes it once too."""
    return tuple(
        {
            "RegionId": region.region_id,
            "RegionEndpoint": region.region_endpoint,
            "Zones": list(region.zones),
            "RecommendZones": list(region.zones),
        }
        for region in regions.served()
    )
