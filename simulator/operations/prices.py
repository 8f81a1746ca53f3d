"""DescribeContainerGroupPrice: what an instance of a spec costs, by ECI's formula.

Priced with `simulator.pricing` over the configured unit prices: vCPU-seconds
plus GiB-seconds, for one hour of running (an assumption about the unit the
answer is in: the pages found do not say). `Cpu` and `Memory` are required;
`InstanceType` (an ECS type's own price list) is not modelled and is refused
naming it, rather than priced wrongly. No discounts: the trade price is the
original price.
"""

from __future__ import annotations

from typing import Any

from simulator.errors import InvalidParameter, MissingParameter
from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.pricing import instance_usd

PRICED_SECONDS = 3600
"""The answer is the price of one hour (an assumption)."""


def _rounded(usd: float) -> float:
    return round(usd, 6)


async def describe_container_group_price(ctx: Context, params: Params) -> dict[str, Any]:
    params.required_text("RegionId", max_length=64)
    if params.has("InstanceType"):
        raise InvalidParameter(
            "InstanceType: pricing ECS instance types is not modelled by the simulator; "
            "give Cpu and Memory"
        )
    cpu = params.number("Cpu", minimum=0.25, maximum=64)
    memory = params.number("Memory", minimum=0.5, maximum=512)
    if cpu is None or memory is None:
        raise MissingParameter("Cpu and Memory are required to price a container group")
    prices = ctx.settings.prices
    vcpu = instance_usd(prices, cpu=cpu, memory_gib=0, seconds=PRICED_SECONDS)
    ram = instance_usd(prices, cpu=0, memory_gib=memory, seconds=PRICED_SECONDS)
    total = _rounded(vcpu + ram)
    details = [
        {"Resource": "vCPU", "OriginalPrice": _rounded(vcpu), "TradePrice": _rounded(vcpu)},
        {"Resource": "Memory", "OriginalPrice": _rounded(ram), "TradePrice": _rounded(ram)},
    ]
    return {
        "PriceInfo": {
            "Price": {
                "Currency": "USD",
                "OriginalPrice": total,
                "DiscountPrice": 0.0,
                "TradePrice": total,
                "DetailInfos": {"DetailInfo": [d | {"DiscountPrice": 0.0} for d in details]},
            },
            "Rules": {"Rule": []},
            "SpotPrices": {"SpotPrice": []},
        }
    }
