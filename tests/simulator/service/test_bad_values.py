"""Missing groups and hostile values through the real service: named 4xx answers, never 500.

A group that does not exist is `InvalidContainerGroupId.NotFound` (404) for
every call that names one group; DescribeContainerGroups filters instead. A
deeply nested JSON list or a name of thousands of segments is an
`InvalidParameter` naming the parameter, refused in bounded work, and the
simulator keeps serving.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_openapi_util.client import Client as OpenApiUtil

from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import REGION, container, create_group, refused

MISSING = "eci-2ze0000000000missing"


async def test_deleting_a_missing_group_is_invalid_container_group_id_not_found(
    eci_client: Client,
) -> None:
    error = await refused(
        eci_client.delete_container_group_async(
            eci_models.DeleteContainerGroupRequest(region_id=REGION, container_group_id=MISSING)
        )
    )
    assert (error.status_code, error.code) == (404, "InvalidContainerGroupId.NotFound")
    assert MISSING in error.message


async def test_logs_of_a_missing_group_are_invalid_container_group_id_not_found(
    eci_client: Client,
) -> None:
    error = await refused(
        eci_client.describe_container_log_async(
            eci_models.DescribeContainerLogRequest(
                region_id=REGION, container_group_id=MISSING, container_name="app"
            )
        )
    )
    assert (error.status_code, error.code) == (404, "InvalidContainerGroupId.NotFound")


async def test_describing_a_missing_group_is_an_empty_page(eci_client: Client) -> None:
    response = await eci_client.describe_container_groups_async(
        eci_models.DescribeContainerGroupsRequest(
            region_id=REGION, container_group_ids=f'["{MISSING}"]'
        )
    )
    assert response.body.container_groups == []
    assert response.body.total_count == 0


@pytest.mark.parametrize(
    "ids",
    ["[" * 10_000, '["a", ' + "[" * 5_000, '[{"a": "b"}]', "[" * 100_000],
    ids=["10k-brackets", "nested-after-an-item", "objects", "100k-brackets"],
)
async def test_a_deeply_nested_container_group_ids_is_invalid_parameter(
    eci: EciTarget, eci_client: Client, ids: str
) -> None:
    status, body = await form_call(
        eci, "DescribeContainerGroups", {"RegionId": REGION, "ContainerGroupIds": ids}
    )
    assert (status, body["Code"]) == (400, "InvalidParameter")
    assert "ContainerGroupIds" in body["Message"]
    await still_serves(eci_client)


async def test_a_10000_segment_parameter_name_is_invalid_parameter(
    eci: EciTarget, eci_client: Client
) -> None:
    name = ".".join(["A", "1"] * 5_000)
    status, body = await form_call(eci, "CreateContainerGroup", {"RegionId": REGION, name: "x"})
    assert (status, body["Code"]) == (400, "InvalidParameter")
    assert name[:32] in body["Message"]
    await still_serves(eci_client)


async def test_a_deep_but_short_parameter_name_is_invalid_parameter(
    eci: EciTarget, eci_client: Client
) -> None:
    name = ".".join(["A"] * 40)
    status, body = await form_call(eci, "CreateContainerGroup", {"RegionId": REGION, name: "x"})
    assert (status, body["Code"]) == (400, "InvalidParameter")
    assert "segments" in body["Message"]
    await still_serves(eci_client)


async def test_a_huge_list_index_is_invalid_parameter(eci: EciTarget, eci_client: Client) -> None:
    name = "Container." + "9" * 5_000 + ".Name"
    status, body = await form_call(eci, "CreateContainerGroup", {"RegionId": REGION, name: "x"})
    assert (status, body["Code"]) == (400, "InvalidParameter")
    await still_serves(eci_client)
    group_id = await create_group(eci_client, container("app", "nginx"))
    assert group_id.startswith("eci-")


async def form_call(
    eci: EciTarget, action: str, params: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """POST `params` as a form body, signed the way the SDK signs."""
    payload = "&".join(f"{_quote(key)}={_quote(value)}" for key, value in params.items()).encode()
    headers = {
        "host": eci.endpoint,
        "x-acs-action": action,
        "x-acs-version": "2018-08-08",
        "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": secrets.token_hex(16),
        "x-acs-content-sha256": hashlib.sha256(payload).hexdigest(),
        "content-type": "application/x-www-form-urlencoded",
    }
    request = SimpleNamespace(method="POST", pathname="/", query={}, headers=headers)
    headers["Authorization"] = OpenApiUtil.get_authorization(
        request,
        "ACS3-HMAC-SHA256",
        headers["x-acs-content-sha256"],
        eci.access_key_id,
        eci.access_key_secret,
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://{eci.endpoint}/", data=payload, headers=headers) as response,
    ):
        return response.status, await response.json()


def _quote(text: str) -> str:
    return quote(text, safe="")


async def still_serves(client: Client) -> None:
    response = await client.describe_regions_async(
        eci_models.DescribeRegionsRequest(region_id=REGION)
    )
    assert response.body.regions[0].region_id == REGION
