"""Creations that arrive together are stored together, with the same outcome as one by one.

The simulator writes every creation waiting at that moment in one transaction; a user
must not be able to tell: each call gets its own group (or, for a repeated ClientToken,
the group that token already made), and a burst shares the registry exactly as the same
creations made one after another would.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import REGION, container, create_group

BURST = 30


async def _preparation_seconds(eci: EciTarget, ids: list[str]) -> list[float]:
    """`SimulatedPhases` is the simulator's own field (the SDK drops it): read the service."""
    found: dict[str, Any] = {}
    for start in range(0, len(ids), 20):
        body = await eci.simulator.service.call(
            "DescribeContainerGroups",
            {"RegionId": REGION, "ContainerGroupIds": json.dumps(ids[start : start + 20])},
        )
        for group in body["ContainerGroups"]:
            found[group["ContainerGroupId"]] = group
    assert sorted(found) == sorted(ids)
    return [found[i]["SimulatedPhases"]["ImagePreparationSeconds"] for i in ids]


async def test_a_burst_shares_the_registry_as_the_same_creations_one_by_one(
    eci: EciTarget, eci_client: Client, clock: VirtualClock
) -> None:
    flink = container("flink", "flink:seed")
    together = await asyncio.gather(
        *(create_group(eci_client, flink, name=f"together-{i}") for i in range(BURST))
    )
    assert len(set(together)) == BURST
    clock.advance(3600)  # every pull of the burst is over
    one_by_one = [
        await create_group(eci_client, flink, name=f"one-by-one-{i}") for i in range(BURST)
    ]
    burst_seconds = sorted(await _preparation_seconds(eci, together))
    serial_seconds = sorted(await _preparation_seconds(eci, one_by_one))
    assert burst_seconds == serial_seconds
    assert burst_seconds[-1] > burst_seconds[0]  # the last one shared the registry


async def test_a_client_token_repeated_within_a_burst_makes_one_group(
    eci_client: Client,
) -> None:
    nginx = container("web", "nginx:1.7.9")
    tokens = ["same", "a", "same", "b", "c", "same", "d"]
    ids = await asyncio.gather(
        *(
            create_group(eci_client, nginx, name=f"g-{i}", client_token=token)
            for i, token in enumerate(tokens)
        )
    )
    by_token: dict[str, set[str]] = {}
    for token, group_id in zip(tokens, ids, strict=True):
        by_token.setdefault(token, set()).add(group_id)
    assert all(len(found) == 1 for found in by_token.values()), by_token
    assert len(set(ids)) == len(by_token) == 5
    listing = await eci_client.describe_container_groups_async(
        eci_models.DescribeContainerGroupsRequest(region_id=REGION, limit=20)
    )
    assert sorted(g.container_group_id for g in listing.body.container_groups) == sorted(set(ids))
