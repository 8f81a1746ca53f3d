"""A signed request cannot be altered: not by a repeated key, not by a changed value.

Each request is signed the way the official SDK signs (its own helper computes
the ACS3 signature) and then tampered with on the wire, through raw aiohttp
with the URL sent exactly as written. Nothing tampered reaches the service.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from yarl import URL

from tests.fixtures.eci import EciTarget
from tests.simulator.api.edge_support import RecordingService, signed_headers

SIGNED = {
    "RegionId": "cn-hangzhou",
    "ContainerGroupName": "web",
    "Container.1.Name": "app",
    "Container.1.Image": "nginx",
}


def sign(edge: EciTarget, query: dict[str, str], payload: bytes = b"") -> dict[str, str]:
    return signed_headers(
        target_endpoint=edge.endpoint,
        access_key_id=edge.access_key_id,
        access_key_secret=edge.access_key_secret,
        action="CreateContainerGroup",
        query=query,
        payload=payload,
        content_type="application/x-www-form-urlencoded" if payload else None,
    )


async def send(
    edge: EciTarget, raw_query: str, headers: dict[str, str], payload: bytes = b""
) -> tuple[int, dict[str, Any]]:
    url = URL(f"http://{edge.endpoint}/?{raw_query}", encoded=True)
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=payload or None, headers=headers) as response,
    ):
        return response.status, await response.json()


def encoded(query: dict[str, str]) -> str:
    return urlencode(query, quote_via=quote)


@pytest.mark.parametrize(
    "appended",
    [
        "ContainerGroupName=smuggled",
        "Container.1.Image=busybox",
        "ContainerGroupName=smuggled&Container.1.Image=busybox",
        "Container%2E1%2EImage=busybox",
    ],
)
async def test_a_key_appended_after_signing_is_refused_naming_it(
    edge: EciTarget, recording: RecordingService, appended: str
) -> None:
    headers = sign(edge, SIGNED)
    status, body = await send(edge, f"{encoded(SIGNED)}&{appended}", headers)
    assert (status, body["Code"]) == (400, "InvalidParameter")
    first_key = appended.split("=")[0].replace("%2E", ".")
    assert first_key in body["Message"]
    assert "more than once" in body["Message"]
    assert recording.calls == []


async def test_a_repeated_key_is_refused_before_the_signature_is_checked(
    edge: EciTarget, recording: RecordingService
) -> None:
    headers = sign(edge, SIGNED)
    headers["Authorization"] = headers["Authorization"][:-4] + "0000"
    status, body = await send(edge, f"{encoded(SIGNED)}&ContainerGroupName=smuggled", headers)
    assert (status, body["Code"]) == (400, "InvalidParameter")
    assert "ContainerGroupName" in body["Message"]
    assert set(body) >= {"Code", "Message", "RequestId"}
    assert recording.calls == []


async def test_a_key_in_both_query_and_form_body_is_refused(
    edge: EciTarget, recording: RecordingService
) -> None:
    payload = b"ContainerGroupName=smuggled"
    headers = sign(edge, SIGNED, payload)
    status, body = await send(edge, encoded(SIGNED), headers, payload)
    assert (status, body["Code"]) == (400, "InvalidParameter")
    assert "ContainerGroupName" in body["Message"]
    assert recording.calls == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("ContainerGroupName", "smuggled"), ("Container.1.Image", "busybox"), ("RegionId", "")],
)
async def test_a_value_altered_after_signing_is_refused(
    edge: EciTarget, recording: RecordingService, key: str, value: str
) -> None:
    headers = sign(edge, SIGNED)
    status, body = await send(edge, encoded({**SIGNED, key: value}), headers)
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
    assert recording.calls == []


async def test_the_service_reads_exactly_the_signed_values(
    edge: EciTarget, recording: RecordingService, edge_client: Client
) -> None:
    headers = sign(edge, SIGNED)
    status, body = await send(edge, encoded(SIGNED), headers)
    assert status == 200, body
    [(action, params)] = recording.calls
    assert action == "CreateContainerGroup"
    assert params["ContainerGroupName"] == "web"
    assert params["Container"] == [{"Name": "app", "Image": "nginx"}]
    await edge_client.describe_regions_async(
        eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    assert [call[0] for call in recording.calls] == ["CreateContainerGroup", "DescribeRegions"]
