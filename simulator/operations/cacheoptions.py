"""CreateImageCache's placement, registry and snapshot options: checked, stored, echoed.

ECI takes a cache's network (`VSwitchId`, `SecurityGroupId`), its resource
group, Container Registry Enterprise instances for password-free pulls
(`AcrRegistryInfo`), registries to reach over plain HTTP or without
certificate checks (`PlainHttpRegistry`, `InsecureRegistry`), and its
snapshot shape (`Flash`, `FlashCopyCount`, `StandardCopyCount`,
`EliminationStrategy`). The simulator stores them with the cache and
DescribeImageCaches echoes them: `ResourceGroupId` and `EliminationStrategy`
under the SDK model's names, the rest under the request's names (the SDK
model drops them; a raw reader sees them). Flash and copy counts change the
timing (`simulator.engine.cachebuild`); the network options do not.

A bad value fails the call naming the parameter; nothing is stored then.
"""

from __future__ import annotations

from typing import Any

from simulator.errors import InvalidParameter
from simulator.operations.acrinfo import acr_registry_info, as_json
from simulator.operations.params import Params

ELIMINATION_STRATEGIES = ("LRU",)
"""Values ECI documents for EliminationStrategy besides empty (always kept)."""
MAX_VSWITCHES = 10
"""CreateImageCache takes up to 10 comma-separated vSwitch ids."""
MAX_COPY_COUNT = 100
"""Upper bound of FlashCopyCount / StandardCopyCount: an assumption (the pages found give
none; ECI advises one copy per 1,000 instances of a batch)."""


def _vswitches(params: Params) -> str | None:
    text = params.text("VSwitchId", max_length=1024)
    if text is None:
        return None
    ids = [part.strip() for part in text.split(",")]
    if not all(ids) or len(ids) > MAX_VSWITCHES:
        raise InvalidParameter(
            f'VSwitchId: "{text}" is not valid, expected 1 to {MAX_VSWITCHES} vSwitch ids '
            "separated by commas"
        )
    return ",".join(ids)


def cache_options(
    params: Params,
    *,
    previous: dict[str, Any] | None = None,
    action: str = "CreateImageCache",
) -> dict[str, Any]:
    """The options of a CreateImageCache (or, over `previous`, an UpdateImageCache)."""
    options = dict(previous or {})
    strategy = params.text("EliminationStrategy", max_length=16)
    if strategy is not None:
        if strategy not in ("", *ELIMINATION_STRATEGIES):
            raise InvalidParameter(
                f'EliminationStrategy: "{strategy}" is not valid, expected LRU or empty'
            )
        options["EliminationStrategy"] = strategy
    if params.has("Flash"):
        options["Flash"] = params.flag("Flash")
    for name in ("FlashCopyCount", "StandardCopyCount"):
        count = params.integer(name, minimum=1, maximum=MAX_COPY_COUNT)
        if count is not None:
            options[name] = count
    vswitches = _vswitches(params)
    if vswitches is not None:
        options["VSwitchId"] = vswitches
    for name in ("SecurityGroupId", "ResourceGroupId", "EipInstanceId"):
        value = params.text(name, max_length=64)
        if value is not None:
            options[name] = value
    for name in ("PlainHttpRegistry", "InsecureRegistry"):
        value = params.text(name, max_length=1024)
        if value is not None:
            options[name] = value
    acr = acr_registry_info(params, action=action)
    if acr:
        options["AcrRegistryInfo"] = as_json(acr)
    return options


def described_options(options: dict[str, Any]) -> dict[str, Any]:
    """What DescribeImageCaches shows of the options (defaults filled in)."""
    flash = bool(options.get("Flash", False))
    return {
        "ResourceGroupId": options.get("ResourceGroupId", ""),
        "EliminationStrategy": options.get("EliminationStrategy", ""),
        # Not in the SDK's Describe model: the request's names, for a raw reader.
        "Flash": flash,
        "FlashCopyCount": options.get("FlashCopyCount", 1) if flash else 0,
        "StandardCopyCount": options.get("StandardCopyCount", 1),
        "VSwitchId": options.get("VSwitchId", ""),
        "SecurityGroupId": options.get("SecurityGroupId", ""),
        "PlainHttpRegistry": options.get("PlainHttpRegistry", ""),
        "InsecureRegistry": options.get("InsecureRegistry", ""),
        "AcrRegistryInfo": options.get("AcrRegistryInfo", []),
    }
