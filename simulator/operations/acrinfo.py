"""`AcrRegistryInfo.N`: the ACR Enterprise instances a request names for password-free pulls.

CreateContainerGroup, CreateImageCache and UpdateImageCache take the same list
(`InstanceId`, `InstanceName`, `RegionId`, `Domain.N`, and the cross-account `ArnService` /
`ArnUser`, accepted and ignored: every simulated instance is the caller's). This module
checks it, naming the parameter of a bad entry, and turns it into the values the registry
makes tokens for (`simulator.registry.acr`) or the JSON a cache keeps and echoes. What a
named instance grants is the registry's rule, not this module's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.operations.params import Params
from simulator.registry.acr import AcrRegistryInfo

MAX_ACR_INSTANCES = 10
"""Entries of AcrRegistryInfo one request takes: an assumption (the pages give no limit)."""
_FIELDS = frozenset({"ArnService", "ArnUser", "Domain", "InstanceId", "InstanceName", "RegionId"})


def acr_registry_info(params: Params, *, action: str) -> list[AcrRegistryInfo]:
    """The `AcrRegistryInfo.N` entries of a request, checked."""
    named = []
    for item in params.items("AcrRegistryInfo", max_items=MAX_ACR_INSTANCES):
        item.refuse_unknown(_FIELDS, action=action)
        item.text("ArnService", max_length=512)
        item.text("ArnUser", max_length=512)
        named.append(
            AcrRegistryInfo(
                instance_id=item.required_text("InstanceId", max_length=64),
                instance_name=item.text("InstanceName", max_length=128) or "",
                region_id=item.text("RegionId", max_length=64) or "",
                domains=tuple(item.strings("Domain", max_items=20)),
            )
        )
    return named


def as_json(named: Sequence[AcrRegistryInfo]) -> list[dict[str, Any]]:
    """What a cache keeps of the list (and DescribeImageCaches echoes)."""
    return [
        {
            "InstanceId": info.instance_id,
            "InstanceName": info.instance_name,
            "RegionId": info.region_id,
            "Domain": list(info.domains),
        }
        for info in named
    ]


def from_json(stored: Sequence[dict[str, Any]]) -> list[AcrRegistryInfo]:
    """The list `as_json` kept, as values again."""
    return [
        AcrRegistryInfo(
            instance_id=str(entry["InstanceId"]),
            instance_name=str(entry.get("InstanceName") or ""),
            region_id=str(entry.get("RegionId") or ""),
            domains=tuple(str(domain) for domain in entry.get("Domain") or ()),
        )
        for entry in stored
    ]
