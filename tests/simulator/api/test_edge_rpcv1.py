"""RPC signature version 1.0 (HMAC-SHA1), the older scheme, through the SDKs that sign with it.

`aliyun-python-sdk-eci` (over `aliyun-python-sdk-core`) signs every call this
way, and so does `alibabacloud-eci20180808` when told
`signature_algorithm="v2"`. Both must be served, refused and answered as ECI
serves, refuses and answers them: JSON or XML, the same error codes as the
ACS3 path, one nonce store for both schemes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import GlobalParameters
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkeci.request.v20180808.CreateContainerGroupRequest import (
    CreateContainerGroupRequest,
)
from aliyunsdkeci.request.v20180808.DescribeRegionsRequest import DescribeRegionsRequest

from simulator.api.actions import API_VERSION
from tests.fixtures.eci import EciTarget
from tests.fixtures.legacy_eci import LegacyEci
from tests.simulator.api.edge_support import RecordingService

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
REGIONS = {"Regions": [{"RegionId": "cn-hangzhou", "Zones": ["cn-hangzhou-h", "cn-hangzhou-i"]}]}


def v1_client(target: EciTarget, **overrides: Any) -> Client:
    """The newest SDK, told to sign the v1 way (HMAC-SHA1 parameters, no Authorization header)."""
    return Client(target.sdk_config(signature_algorithm="v2", **overrides))


async def v1_refused(client: Client) -> ClientException:
    with pytest.raises(ClientException) as raised:
        await client.describe_regions_async(
            eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
        )
    return raised.value


async def legacy_refused(legacy: LegacyEci, request: Any = None) -> ServerException:
    with pytest.raises(ServerException) as raised:
        await legacy.call(request if request is not None else DescribeRegionsRequest())
    return raised.value


async def test_the_old_sdk_gets_regions_over_get(
    edge: EciTarget, recording: RecordingService
) -> None:
    body = await LegacyEci(edge).call(DescribeRegionsRequest())
    assert body["Regions"] == REGIONS["Regions"]
    assert len(body["RequestId"]) == 36
    # the scheme's own parameters (Signature, Timestamp, Format, ...) are not the operation's
    assert recording.calls == [("DescribeRegions", {"RegionId": "cn-hangzhou"})]


async def test_the_old_sdk_posts_a_form_body(edge: EciTarget, recording: RecordingService) -> None:
    recording.answers["CreateContainerGroup"] = {"ContainerGroupId": "eci-2ze0000000000001"}
    request = CreateContainerGroupRequest()
    request.set_ContainerGroupName("web-1")
    request.set_Containers([{"Name": "app", "Image": "nginx:1.25", "Commands": ["sh", "-c"]}])
    request.set_method("POST")
    for name, value in request.get_query_params().items():
        request.add_body_params(name, value)
    request.set_query_params({})
    body = await LegacyEci(edge).call(request)
    assert body["ContainerGroupId"] == "eci-2ze0000000000001"
    action, params = recording.calls[0]
    assert action == "CreateContainerGroup"
    assert params["ContainerGroupName"] == "web-1"
    assert params["Container"] == [{"Name": "app", "Image": "nginx:1.25", "Command": ["sh", "-c"]}]
    assert "Signature" not in params
    assert "AccessKeyId" not in params


async def test_the_new_sdk_signing_v1_is_served(
    edge: EciTarget, recording: RecordingService
) -> None:
    response = await v1_client(edge).describe_regions_async(
        eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    assert response.body.regions[0].zones == ["cn-hangzhou-h", "cn-hangzhou-i"]
    assert recording.calls == [("DescribeRegions", {"RegionId": "cn-hangzhou"})]


async def test_format_xml_answers_in_ecis_xml_shape(edge: EciTarget) -> None:
    request = DescribeRegionsRequest()
    request.set_accept_format("XML")
    status, text = await LegacyEci(edge).raw(request)
    assert status == 200
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text)
    assert root.tag == "DescribeRegionsResponse"
    assert len(root.findtext("RequestId") or "") == 36
    regions = root.findall("Regions")
    assert [region.findtext("RegionId") for region in regions] == ["cn-hangzhou"]
    assert [zone.text for zone in regions[0].findall("Zones")] == [
        "cn-hangzhou-h",
        "cn-hangzhou-i",
    ]


async def test_errors_come_back_in_xml_when_xml_is_asked_for(edge: EciTarget) -> None:
    request = DescribeRegionsRequest()
    request.set_accept_format("XML")
    status, text = await LegacyEci(edge, access_key_id="LTAIunknown").raw(request)
    assert status == 404
    root = ET.fromstring(text)
    assert root.tag == "Error"
    assert root.findtext("Code") == "InvalidAccessKeyId.NotFound"
    assert "LTAIunknown" in (root.findtext("Message") or "")
    assert root.findtext("RequestId")
    assert root.findtext("HostId") == "eci.cn-hangzhou.aliyuncs.com"


async def test_a_wrong_secret_is_told_apart_by_the_old_sdk(edge: EciTarget) -> None:
    error = await legacy_refused(LegacyEci(edge, access_key_secret="not-the-secret"))
    # the message carries the server's string to sign; the SDK matches it against its own
    # and so reports the secret as wrong, as it does against ECI
    assert error.get_error_code() == "InvalidAccessKeySecret"
    assert error.get_http_status() == 400
    refused = await v1_refused(v1_client(edge, access_key_secret="not-the-secret"))
    assert refused.code == "SignatureDoesNotMatch"
    assert refused.status_code == 400
    assert "server string to sign is:POST&%2F&AccessKeyId%3D" in refused.message
    assert "not-the-secret" not in str(refused.data)


async def test_an_unknown_access_key_is_refused(edge: EciTarget) -> None:
    error = await legacy_refused(LegacyEci(edge, access_key_id="LTAIunknown"))
    assert error.get_error_code() == "InvalidAccessKeyId.NotFound"
    assert error.get_http_status() == 404


@pytest.mark.parametrize("minutes", [-16, 16])
async def test_a_timestamp_more_than_15_minutes_off_is_refused(
    edge: EciTarget, minutes: int
) -> None:
    signed_at = (datetime.now(UTC) + timedelta(minutes=minutes)).strftime(TIMESTAMP_FORMAT)
    client = v1_client(edge, global_parameters=GlobalParameters(queries={"Timestamp": signed_at}))
    error = await v1_refused(client)
    assert error.code == "InvalidTimeStamp.Expired"
    assert error.status_code == 400


async def test_a_timestamp_within_15_minutes_is_accepted(edge: EciTarget) -> None:
    signed_at = (datetime.now(UTC) - timedelta(minutes=14)).strftime(TIMESTAMP_FORMAT)
    client = v1_client(edge, global_parameters=GlobalParameters(queries={"Timestamp": signed_at}))
    response = await client.describe_regions_async(
        eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    assert response.body.regions[0].region_id == "cn-hangzhou"


async def test_a_reused_nonce_is_refused_across_both_schemes(
    edge: EciTarget, recording: RecordingService
) -> None:
    nonce = "nonce-shared-by-both-schemes"
    acs3 = Client(
        edge.sdk_config(
            global_parameters=GlobalParameters(headers={"x-acs-signature-nonce": nonce})
        )
    )
    await acs3.describe_regions_async(eci_models.DescribeRegionsRequest(region_id="cn-hangzhou"))
    v1 = v1_client(edge, global_parameters=GlobalParameters(queries={"SignatureNonce": nonce}))
    error = await v1_refused(v1)
    assert error.code == "SignatureNonceUsed"
    assert error.status_code == 400
    assert list(recording.nonces) == [nonce]
    assert len(recording.calls) == 1


async def test_missing_common_parameters_are_named(edge: EciTarget) -> None:
    query = {
        "Action": "DescribeRegions",
        "Version": API_VERSION,
        "AccessKeyId": edge.access_key_id,
        "SignatureMethod": "HMAC-SHA1",
        "RegionId": "cn-hangzhou",
    }
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://{edge.endpoint}/", params=query) as response,
    ):
        status, text = response.status, await response.text()
    assert status == 400
    root = ET.fromstring(text)  # no Format given: ECI answers in XML
    assert root.findtext("Code") == "MissingParameter"
    message = root.findtext("Message") or ""
    for name in ("Signature", "SignatureNonce", "SignatureVersion", "Timestamp"):
        assert name in message
    assert "AccessKeyId" not in message


async def test_an_unknown_action_is_refused_as_ecis_gateway_does(edge: EciTarget) -> None:
    request = DescribeRegionsRequest()
    request.set_action_name("DescribeEverything")
    error = await legacy_refused(LegacyEci(edge), request)
    assert error.get_error_code() == "InvalidAction.NotFound"
    assert error.get_http_status() == 404


async def test_a_refused_signature_never_shows_a_registry_password(edge: EciTarget) -> None:
    request = CreateContainerGroupRequest()
    request.set_ContainerGroupName("private")
    request.set_Containers([{"Name": "app", "Image": "registry.example.com/team/app:1"}])
    request.set_ImageRegistryCredentials(
        [{"Server": "registry.example.com", "UserName": "bot", "Password": "hunter2-registry"}]
    )
    error = await legacy_refused(LegacyEci(edge, access_key_secret="wrong"), request)
    assert error.get_error_code() == "SignatureDoesNotMatch"
    assert "hunter2-registry" not in error.get_error_msg()
    assert "Password%3D%252A%252A%252A" in error.get_error_msg()


async def test_a_repeated_parameter_is_refused_before_the_v1_signature(
    edge: EciTarget, recording: RecordingService
) -> None:
    query = (
        f"Action=DescribeRegions&Version={API_VERSION}&AccessKeyId={edge.access_key_id}"
        "&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=n1&Format=JSON"
        "&Timestamp=2026-01-01T00%3A00%3A00Z&Signature=x&RegionId=cn-hangzhou&RegionId=cn-beijing"
    )
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://{edge.endpoint}/?{query}") as response,
    ):
        status, body = response.status, await response.json()
    assert status == 400
    assert body["Code"] == "InvalidParameter"
    assert "RegionId" in body["Message"]
    assert recording.calls == []
