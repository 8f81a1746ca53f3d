"""DescribeContainerGroupPrice: what an instance of a spec costs, by ECI's formula.

Priced with `simulator.pricing` over the configured unit prices: vCPUs x vCPU price
plus GiB x memory price, per second. The per-second unit is the documented one:
the API page's example answers 2 vCPU / 4 GiB with a `CPU` detail of 0.000098 and a
total of 0.00012252, which are 2 x 0.000049 and 2 x 0.000049 + 4 x 0.00000613, the
per-second CNY prices of the instance billing page (the simulator's defaults are the
USD prices, so `Currency` is USD). `Cpu` and `Memory` are required; `InstanceType`
(an ECS type's own price list) is not modelled and is refused naming it, rather
than priced wrongly. No discounts: the trade price is the original price.
"""

from __future__ import annotations

from typing import Any

from simulator.errors import InvalidParameter, MissingParameter
from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.pricing import instance_usd

PRICED_SECONDS = 1
"""The answer is the price of one second (the API page's example)."""
USD_DECIMALS = 10
"""Enough for a per-second price: the example has 8 decimals."""


def _rounded(usd: float) -> float:
    return round(usd, USD_DECIMALS)


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
        {"Resource": "CPU", "OriginalPrice": _rounded(vcpu), "TradePrice": _rounded(vcpu)},
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
