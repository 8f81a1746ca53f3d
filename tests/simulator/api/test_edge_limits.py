"""Request size limits: what the SDK sends for a large Pod passes, anything larger is an ECI 4xx.

The SDK puts every parameter in the query string, so the query limit decides
whether a Pod with many environment variables can be created at all. Beyond
the limits (`simulator.api.parameters.RequestLimits`) the answer is ECI's
error body with 413/414/415, never aiohttp's plain text, and the server keeps
serving.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException

from simulator.api.parameters import RequestLimits
from tests.fixtures.eci import EciTarget
from tests.simulator.api.edge_support import RecordingService, signed_headers

LIMITS = RequestLimits()


def pod_with_env(count: int, length: int) -> eci_models.CreateContainerGroupRequest:
    env = [
        eci_models.CreateContainerGroupRequestContainerEnvironmentVar(
            key=f"VAR_{index:03d}", value=chr(ord("a") + index % 26) * length
        )
        for index in range(count)
    ]
    return eci_models.CreateContainerGroupRequest(
        region_id="cn-hangzhou",
        container_group_name="many-env",
        container=[
            eci_models.CreateContainerGroupRequestContainer(
                name="app", image="nginx", environment_var=env
            )
        ],
    )


async def still_serves(client: Client) -> None:
    response = await client.describe_regions_async(
        eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    assert response.body.regions[0].region_id == "cn-hangzhou"


async def test_a_pod_with_100_env_vars_of_100_chars_is_created_through_the_sdk(
    edge_client: Client, recording: RecordingService
) -> None:
    recording.answers["CreateContainerGroup"] = {"ContainerGroupId": "eci-many-env"}
    response = await edge_client.create_container_group_async(pod_with_env(100, 100))
    assert response.body.container_group_id == "eci-many-env"
    [(_, params)] = recording.calls
    env = params["Container"][0]["EnvironmentVar"]
    assert len(env) == 100
    assert env[99] == {"Key": "VAR_099", "Value": "v" * 100}


async def test_a_larger_query_gets_an_eci_414_body(
    edge_client: Client, recording: RecordingService
) -> None:
    with pytest.raises(ClientException) as raised:
        await edge_client.create_container_group_async(pod_with_env(300, 300))
    error = raised.value
    assert (error.status_code, error.code) == (414, "RequestURITooLong")
    assert str(LIMITS.max_target_bytes) in error.data["Message"]
    assert error.data["RequestId"]
    assert recording.calls == []
    await still_serves(edge_client)


async def raw_post(
    edge: EciTarget, *, path: str = "/", payload: bytes = b"", content_type: str | None = None
) -> tuple[int, str, dict[str, Any]]:
    headers = signed_headers(
        target_endpoint=edge.endpoint,
        access_key_id=edge.access_key_id,
        access_key_secret=edge.access_key_secret,
        action="DescribeRegions",
        query={"RegionId": "cn-hangzhou"},
        payload=payload,
        content_type=content_type,
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://{edge.endpoint}{path}", data=payload, headers=headers) as response,
    ):
        return response.status, response.content_type, await response.json()


async def test_a_query_just_under_the_parser_ceiling_still_gets_an_eci_body(
    edge: EciTarget, edge_client: Client
) -> None:
    filler = "x" * (LIMITS.parser_line_bytes - 200)
    status, content_type, body = await raw_post(edge, path=f"/?RegionId=cn-hangzhou&Pad={filler}")
    assert (status, content_type, body["Code"]) == (414, "application/json", "RequestURITooLong")
    await still_serves(edge_client)


async def test_a_5_mb_form_body_gets_an_eci_413_body(
    edge: EciTarget, edge_client: Client, recording: RecordingService
) -> None:
    payload = b"Pad=" + b"x" * (5 * 1024 * 1024)
    status, _, body = await raw_post(
        edge, payload=payload, content_type="application/x-www-form-urlencoded"
    )
    assert (status, body["Code"]) == (413, "RequestEntityTooLarge")
    assert str(LIMITS.max_body_bytes) in body["Message"]
    assert set(body) >= {"Code", "Message", "RequestId"}
    assert recording.calls == []
    await still_serves(edge_client)


async def test_a_body_that_is_not_a_form_gets_an_eci_415_body(
    edge: EciTarget, edge_client: Client
) -> None:
    status, _, body = await raw_post(edge, payload=b'{"RegionId": 1}', content_type="text/plain")
    assert (status, body["Code"]) == (415, "UnsupportedMediaType")
    assert "text/plain" in body["Message"]
    await still_serves(edge_client)
