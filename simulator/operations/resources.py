"""DescribeAvailableResource: which ECS instance families and types the simulator's zones sell.

ECI answers, per zone of the region (or the one `ZoneId` names), whether the
families (`DestinationResource.Category=InstanceTypeFamily`, `Value.N` such
as `ecs.c6`) or types (`InstanceType`, `ecs.c6.large`) asked about are in
stock. The simulator sells what `simulator.specs.instancespecs` knows (the
c, g, r, hfc and hfg families, generations 5 to 9, sizes it can size): those
are `WithStock` in every zone, anything else is left out of the answer, as
ECI leaves out what a zone does not offer. With no `Value`, every known
family (or no type: the set of types is open-ended) is listed.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.errors import InvalidParameter
from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.specs.instancespecs import ecs_instance_type

CATEGORIES = ("InstanceTypeFamily", "InstanceType")
FAMILIES = tuple(
    f"ecs.{family}{generation}" for family in ("c", "g", "r", "hfc", "hfg") for generation in "5678"
)
_FAMILY = re.compile(r"ecs\.(c|g|r|hfc|hfg)[5-9][a-z]?")


async def describe_available_resource(ctx: Context, params: Params) -> dict[str, Any]:
    region = params.required_text("RegionId", max_length=64)
    zone = params.text("ZoneId", max_length=64)
    destination = params.child("DestinationResource")
    category = destination.required_text("Category", max_length=32)
    if category not in CATEGORIES:
        raise InvalidParameter(
            f'DestinationResource.Category: "{category}" is not InstanceTypeFamily or InstanceType'
        )
    values = destination.strings("Value", max_items=100)
    if category == "InstanceTypeFamily":
        sold = [v for v in values if _FAMILY.fullmatch(v)] if values else list(FAMILIES)
    else:
        sold = [v for v in values if ecs_instance_type(v) is not None]
    zones = ctx.served_region(region).zones
    if zone is not None:
        if zone not in zones:
            raise InvalidParameter(f'ZoneId: "{zone}" is not a zone of {region}')
        zones = (zone,)
    available = [
        {
            "RegionId": region,
            "ZoneId": zone_id,
            "AvailableResources": {
                "AvailableResource": [
                    {
                        "Type": category,
                        "SupportedResources": {
                            "SupportedResource": [
                                {"Value": value, "StatusCategory": "WithStock"} for value in sold
                            ]
                        },
                    }
                ]
            },
        }
        for zone_id in zones
    ]
    return {"AvailableZones": {"AvailableZone": available if sold else []}}
