"""The ECI wire protocol: what the SDK sends arrives as nested params; errors come back as ECI's.

Requests go through the official SDK over real HTTP (and, where the SDK
cannot produce the request, through raw aiohttp signed the SDK's way).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any, cast
from urllib.parse import urlencode

import aiohttp
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
from alibabacloud_tea_openapi.models import OpenApiRequest, Params
from alibabacloud_tea_util.models import RuntimeOptions

from simulator.errors import InvalidParameter, NotFound
from tests.fixtures.eci import EciTarget
from tests.simulator.api.edge_support import RecordingService, signed_headers

REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")

Model = eci_models.CreateContainerGroupRequest
Container = eci_models.CreateContainerGroupRequestContainer


async def test_nested_lists_reach_the_service_unflattened(
    edge_client: Client, recording: RecordingService
) -> None:
    recording.answers["CreateContainerGroup"] = {"ContainerGroupId": "eci-2ze0000000000001"}
    request = Model(
        region_id="cn-hangzhou",
        container_group_name="web & co",
        restart_policy="Never",
        cpu=1.5,
        auto_match_image_cache=True,
        container=[
            Container(
                name="app",
                image="nginx:1.25",
                command=["sh", "-c"],
                arg=["echo a+b=c; sleep 5"],
                environment_var=[
                    eci_models.CreateContainerGroupRequestContainerEnvironmentVar(
                        key="MODE", value="fast mode=1&x"
                    ),
                    eci_models.CreateContainerGroupRequestContainerEnvironmentVar(
                        key="IP",
                        field_ref=eci_models.CreateContainerGroupRequestContainerEnvironmentVarFieldRef(
                            field_path="status.podIP"
                        ),
                    ),
                ],
                port=[
                    eci_models.CreateContainerGroupRequestContainerPort(port=80, protocol="TCP"),
                    eci_models.CreateContainerGroupRequestContainerPort(port=443, protocol="TCP"),
                ],
            ),
            Container(name="sidecar", image="busybox"),
        ],
        tag=[eci_models.CreateContainerGroupRequestTag(key="k8s/pod", value="default/web")],
        image_registry_credential=[
            eci_models.CreateContainerGroupRequestImageRegistryCredential(
                server="registry.example.com", user_name="demo", password="p@ss w0rd"
            )
        ],
    )
    response = await edge_client.create_container_group_async(request)

    assert response.status_code == 200
    assert response.body.container_group_id == "eci-2ze0000000000001"
    assert REQUEST_ID.match(response.body.request_id)
    [(action, params)] = recording.calls
    assert action == "CreateContainerGroup"
    assert params["ContainerGroupName"] == "web & co"
    assert params["Cpu"] == "1.5"
    assert params["AutoMatchImageCache"] == "True"
    app, sidecar = params["Container"]
    assert app["Command"] == ["sh", "-c"]
    assert app["Arg"] == ["echo a+b=c; sleep 5"]
    assert app["EnvironmentVar"] == [
        {"Key": "MODE", "Value": "fast mode=1&x"},
        {"Key": "IP", "FieldRef": {"FieldPath": "status.podIP"}},
    ]
    assert app["Port"] == [{"Port": "80", "Protocol": "TCP"}, {"Port": "443", "Protocol": "TCP"}]
    assert sidecar == {"Name": "sidecar", "Image": "busybox"}
    assert params["Tag"] == [{"Key": "k8s/pod", "Value": "default/web"}]
    assert params["ImageRegistryCredential"] == [
        {"Server": "registry.example.com", "UserName": "demo", "Password": "p@ss w0rd"}
    ]


async def test_service_errors_reach_the_sdk_with_ecis_error_body(
    edge_client: Client, recording: RecordingService
) -> None:
    recording.answers["DeleteContainerGroup"] = NotFound(
        "The container group eci-missing does not exist.", code="InvalidContainerGroupId.NotFound"
    )
    with pytest.raises(ClientException) as raised:
        await edge_client.delete_container_group_async(
            eci_models.DeleteContainerGroupRequest(
                region_id="cn-hangzhou", container_group_id="eci-missing"
            )
        )
    error = raised.value
    assert error.code == "InvalidContainerGroupId.NotFound"
    assert error.status_code == 404
    assert set(error.data) >= {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert error.data["Message"] == "The container group eci-missing does not exist."
    assert REQUEST_ID.match(error.data["RequestId"])
    assert error.data["HostId"] == "eci.cn-hangzhou.aliyuncs.com"


async def test_a_service_validation_error_names_the_parameter(
    edge_client: Client, recording: RecordingService
) -> None:
    recording.answers["CreateContainerGroup"] = InvalidParameter(
        'Container.1.Cpu: "abc" is not a number'
    )
    with pytest.raises(ClientException) as raised:
        await edge_client.create_container_group_async(Model(region_id="cn-hangzhou"))
    assert raised.value.code == "InvalidParameter"
    assert "Container.1.Cpu" in raised.value.data["Message"]


async def test_a_server_side_failure_is_a_server_exception(
    edge_client: Client, recording: RecordingService
) -> None:
    class Boom(Exception):
        pass

    async def crash(action: str, params: object) -> dict[str, object]:
        raise Boom(action)

    recording.call = crash  # type: ignore[method-assign]
    with pytest.raises(ServerException) as raised:
        await edge_client.delete_container_group_async(
            eci_models.DeleteContainerGroupRequest(region_id="cn-hangzhou", container_group_id="x")
        )
    assert raised.value.code == "InternalError"
    assert raised.value.status_code == 500


def generic_call(
    client: Client, *, action: str, version: str = "2018-08-08"
) -> Awaitable[dict[str, Any]]:
    params = Params(
        action=action,
        version=version,
        protocol="HTTP",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    return cast(
        Awaitable[dict[str, Any]],
        OpenApiClient.call_api_async(
            client, params, OpenApiRequest(query={"RegionId": "cn-hangzhou"}), RuntimeOptions()
        ),
    )


async def test_an_unknown_action_is_invalid_action_not_found(edge_client: Client) -> None:
    with pytest.raises(ClientException) as raised:
        await generic_call(edge_client, action="DescribeEverything")
    assert raised.value.code == "InvalidAction.NotFound"
    assert raised.value.status_code == 404


async def test_another_api_version_is_refused(edge_client: Client) -> None:
    with pytest.raises(ClientException) as raised:
        await generic_call(edge_client, action="DescribeRegions", version="2014-05-26")
    assert raised.value.code == "InvalidVersion"


async def test_parameters_in_a_signed_form_body_are_read(
    edge: EciTarget, recording: RecordingService
) -> None:
    payload = urlencode({"ContainerGroupId": "eci-1", "Container.1.Name": "app"}).encode()
    query = {"RegionId": "cn-hangzhou"}
    headers = signed_headers(
        target_endpoint=edge.endpoint,
        access_key_id=edge.access_key_id,
        access_key_secret=edge.access_key_secret,
        action="UpdateContainerGroup",
        query=query,
        payload=payload,
        content_type="application/x-www-form-urlencoded",
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://{edge.endpoint}/", params=query, data=payload, headers=headers
        ) as response,
    ):
        body = await response.json()
    assert response.status == 200, body
    assert recording.calls == [
        (
            "UpdateContainerGroup",
            {
                "RegionId": "cn-hangzhou",
                "ContainerGroupId": "eci-1",
                "Container": [{"Name": "app"}],
            },
        )
    ]


@pytest.mark.parametrize("tamper", ["query", "body"])
async def test_a_request_altered_after_signing_is_refused(
    edge: EciTarget, recording: RecordingService, tamper: str
) -> None:
    payload = b"ContainerGroupId=eci-1"
    query = {"RegionId": "cn-hangzhou"}
    headers = signed_headers(
        target_endpoint=edge.endpoint,
        access_key_id=edge.access_key_id,
        access_key_secret=edge.access_key_secret,
        action="DeleteContainerGroup",
        query=query,
        payload=payload,
        content_type="application/x-www-form-urlencoded",
    )
    if tamper == "query":
        query = {"RegionId": "cn-beijing"}
    else:
        payload = b"ContainerGroupId=eci-2"
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://{edge.endpoint}/", params=query, data=payload, headers=headers
        ) as response,
    ):
        body = await response.json()
    assert response.status == 400
    assert body["Code"] == "SignatureDoesNotMatch"
    assert recording.calls == []


async def test_an_unsigned_request_is_refused(edge: EciTarget) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://{edge.endpoint}/",
            params={"RegionId": "cn-hangzhou"},
            headers={"x-acs-action": "DescribeRegions", "x-acs-version": "2018-08-08"},
        ) as response,
    ):
        body = await response.json()
    assert response.status == 400
    assert body["Code"] == "IncompleteSignature"


@pytest.mark.parametrize(
    "value", ["a b+c/d~e*f'g(h)!", "100% & = ? # ;", "中文 ключ ✓", "", "trailing space "]
)
async def test_any_parameter_text_survives_signing_and_transport(
    edge_client: Client, recording: RecordingService, value: str
) -> None:
    await edge_client.create_container_group_async(
        Model(
            region_id="cn-hangzhou",
            tag=[eci_models.CreateContainerGroupRequestTag(key="note", value=value)],
        )
    )
    [(_, params)] = recording.calls
    assert params["Tag"] == [{"Key": "note", "Value": value}]


async def post_raw(edge: EciTarget, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://{edge.endpoint}/", params={"RegionId": "cn-hangzhou"}, headers=headers
        ) as response,
    ):
        return response.status, await response.json()


def signed_for(edge: EciTarget) -> dict[str, str]:
    return signed_headers(
        target_endpoint=edge.endpoint,
        access_key_id=edge.access_key_id,
        access_key_secret=edge.access_key_secret,
        action="DescribeRegions",
        query={"RegionId": "cn-hangzhou"},
    )


async def test_a_signature_that_leaves_the_nonce_unsigned_is_refused(edge: EciTarget) -> None:
    headers = signed_for(edge)
    headers["Authorization"] = headers["Authorization"].replace(";x-acs-signature-nonce", "")
    status, body = await post_raw(edge, headers)
    assert (status, body["Code"]) == (400, "IncompleteSignature")
    assert "x-acs-signature-nonce" in body["Message"]


async def test_a_malformed_date_is_a_format_error(edge: EciTarget) -> None:
    headers = signed_for(edge)
    headers["x-acs-date"] = "Fri, 27 Nov 2026 15:00:00 GMT"
    status, body = await post_raw(edge, headers)
    assert (status, body["Code"]) == (400, "InvalidTimeStamp.Format")
