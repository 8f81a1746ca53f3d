"""The simulator's JSON answers are the bytes the stdlib encoder writes for their values.

Read over raw HTTP (the SDK would parse the floats away): a group with a unicode environment
variable, a moment after creation, so its SimulatedCost holds amounts below 1e-4
(written `3.4e-06`, where orjson alone writes `3.4e-6`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
from alibabacloud_eci20180808.client import Client

from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.api.edge_support import signed_headers
from tests.simulator.service.conftest import REGION, container, create_group, env

STDLIB = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


async def _raw(eci: EciTarget, action: str, query: dict[str, str]) -> bytes:
    payload = urlencode(query).encode()
    headers = signed_headers(
        target_endpoint=eci.endpoint,
        access_key_id=eci.access_key_id,
        access_key_secret=eci.access_key_secret,
        action=action,
        query={},
        payload=payload,
        content_type="application/x-www-form-urlencoded",
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://{eci.endpoint}/", data=payload, headers=headers) as response,
    ):
        body = await response.read()
        assert response.status == 200, body
        return body


def _stdlib_bytes(body: bytes) -> bytes:
    value: Any = json.loads(body)
    return STDLIB(value).encode()


async def test_describe_answers_are_the_stdlib_encoders_bytes(
    eci: EciTarget, eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(
        eci_client,
        container("app", "nginx", cpu=0.25, memory=0.5, environment_var=env(Q='a "b"\n中文😀')),
        name="web-0",
        cpu=0.25,
        memory=0.5,
    )
    clock.advance(70.0)
    groups = await _raw(
        eci, "DescribeContainerGroups", {"RegionId": REGION, "ContainerGroupIds": f'["{group_id}"]'}
    )
    status = await _raw(eci, "DescribeContainerGroupStatus", {"RegionId": REGION})

    assert "中文😀".encode() in groups
    assert b'"Cpu":0.25' in groups
    assert orjson.dumps(json.loads(groups)) != groups, "no float orjson alone writes otherwise"
    assert groups == _stdlib_bytes(groups)
    assert group_id.encode() in status
    assert status == _stdlib_bytes(status)
