"""The ECI client wrapper: error translation and retries, over real HTTP.

A tiny aiohttp server answers like ECI (error bodies, throttling headers), so
the official SDK's own exceptions reach the wrapper unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions

from vkprovider.eci.answers import OrjsonSdkClient
from vkprovider.eci.client import EciClient, sdk_method_name
from vkprovider.eci.errors import (
    EciNetworkError,
    EciNotFound,
    EciPermanentError,
    EciRetryableError,
    EciThrottled,
)
from vkprovider.settings import EciSettings, RetrySettings


class FakeEci:
    """Answers the queued (status, body, headers) replies in order, then success.

    A `str` body is sent as it is (text/plain, or text/html when it starts with `<`): what a
    front end answers before ECI's gateway sees the request."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, dict[str, Any] | str, dict[str, str]]] = []
        self.calls = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        if self.replies:
            status, body, headers = self.replies.pop(0)
            if isinstance(body, str):
                kind = "text/html" if body.startswith("<") else "text/plain"
                return web.Response(text=body, status=status, headers=headers, content_type=kind)
            return web.json_response(body, status=status, headers=headers)
        return web.json_response({"RequestId": "r-ok", "Regions": [{"RegionId": "cn-hangzhou"}]})


@pytest.fixture
async def fake_eci() -> AsyncIterator[tuple[FakeEci, str]]:
    fake = FakeEci()
    app = web.Application()
    app.router.add_post("/", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield fake, f"127.0.0.1:{port}"
    await runner.cleanup()


def _client(endpoint: str, retries: int = 3) -> EciClient:
    settings = EciSettings(
        endpoint=endpoint,
        access_key_id="ak",
        access_key_secret="sk",
        retry=RetrySettings(backoff_seconds=(0.01,) * retries),
    )
    return EciClient(settings=settings)


def _config(endpoint: str) -> Config:
    return Config(
        access_key_id="ak",
        access_key_secret="sk",
        endpoint=endpoint,
        protocol="http",
        region_id="cn-hangzhou",
    )


def _error(code: str, message: str = "boom") -> dict[str, str]:
    return {"Code": code, "Message": message, "RequestId": "r-1"}


def test_sdk_method_names() -> None:
    assert sdk_method_name("DescribeContainerGroupStatus") == (
        "describe_container_group_status_async"
    )
    assert sdk_method_name("CreateImageCache") == "create_image_cache_async"


def test_loopback_endpoints_use_http() -> None:
    assert EciSettings(endpoint="127.0.0.1:9000").effective_protocol() == "http"
    assert EciSettings(endpoint="eci.cn-beijing.aliyuncs.com").effective_protocol() == "https"


async def test_server_errors_are_retried_until_success(fake_eci: tuple[FakeEci, str]) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(503, _error("ServiceUnavailable"), {}), (500, _error("InternalError"), {})]
    body = await _client(endpoint).call(
        "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    assert body.regions[0].region_id == "cn-hangzhou"
    assert fake.calls == 3


async def test_throttling_is_retried_and_escalates(fake_eci: tuple[FakeEci, str]) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(400, _error("Throttling.User", "slow down"), {})] * 5
    with pytest.raises(EciThrottled) as info:
        await _client(endpoint, retries=2).call(
            "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
        )
    assert fake.calls == 3
    assert info.value.code == "Throttling.User"
    assert "slow down" in str(info.value)


async def test_retry_after_header_is_honoured(fake_eci: tuple[FakeEci, str]) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(429, _error("Throttling"), {"x-acs-retry-after": "50"})]
    await _client(endpoint).call(
        "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    assert fake.calls == 2


async def test_permanent_errors_are_not_retried(fake_eci: tuple[FakeEci, str]) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(400, _error("InvalidParameter", "Container.1.Cpu: bad"), {})]
    with pytest.raises(EciPermanentError) as info:
        await _client(endpoint).call(
            "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
        )
    assert not isinstance(info.value, EciRetryableError)
    assert info.value.code == "InvalidParameter"
    assert info.value.message == "Container.1.Cpu: bad"
    assert fake.calls == 1


async def test_not_found_is_its_own_class(fake_eci: tuple[FakeEci, str]) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(404, _error("ResourceNotFound", "no such group"), {})]
    with pytest.raises(EciNotFound):
        await _client(endpoint).call(
            "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
        )


async def test_unreachable_endpoint_is_a_network_error() -> None:
    client = _client("127.0.0.1:1", retries=1)
    with pytest.raises(EciNetworkError):
        await client.call(
            "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
        )


@pytest.mark.parametrize(
    "code", ["InvalidContainerGroup.NotFound", "InvalidContainerGroupId.NotFound", "Disk.NotFound"]
)
async def test_any_not_found_spelling_is_not_found(
    fake_eci: tuple[FakeEci, str], code: str
) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(404, _error(code, "The specified container group does not exist."), {})]
    with pytest.raises(EciNotFound) as info:
        await _client(endpoint).call(
            "DeleteContainerGroup",
            eci_models.DeleteContainerGroupRequest(
                region_id="cn-hangzhou", container_group_id="eci-gone"
            ),
        )
    assert info.value.code == code
    assert fake.calls == 1


async def test_a_not_found_access_key_is_not_a_missing_group(
    fake_eci: tuple[FakeEci, str],
) -> None:
    """A delete refused for its credentials did nothing: it must never count as done."""
    fake, endpoint = fake_eci
    fake.replies = [(404, _error("InvalidAccessKeyId.NotFound", "Specified access key"), {})]
    with pytest.raises(EciPermanentError) as info:
        await _client(endpoint).call(
            "DeleteContainerGroup",
            eci_models.DeleteContainerGroupRequest(
                region_id="cn-hangzhou", container_group_id="eci-1"
            ),
        )
    assert not isinstance(info.value, EciNotFound)
    assert info.value.code == "InvalidAccessKeyId.NotFound"


AIOHTTP_LINE_TOO_LONG = "Got more than 8190 bytes when reading: bytearray(b'/?RegionId=...')."
"""aiohttp's own plain-text answer to a request line over its limit (an oversized URL): the
body does not say 400, only the status line does."""


async def test_a_plain_text_4xx_is_permanent_and_quotes_the_answer(
    fake_eci: tuple[FakeEci, str],
) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(400, AIOHTTP_LINE_TOO_LONG, {})]
    with pytest.raises(EciPermanentError) as info:
        await _client(endpoint).call(
            "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
        )
    assert not isinstance(info.value, EciRetryableError)
    assert info.value.code == "NonEciAnswer"
    assert info.value.http_status == 400
    assert "Got more than 8190 bytes" in str(info.value)
    assert fake.calls == 1


async def test_an_html_5xx_from_a_proxy_is_retried(fake_eci: tuple[FakeEci, str]) -> None:
    fake, endpoint = fake_eci
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    fake.replies = [(502, page, {}), (502, page, {})]
    body = await _client(endpoint).call(
        "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    assert body.regions[0].region_id == "cn-hangzhou"
    assert fake.calls == 3


_STATUS_PAGE = {
    "RequestId": "r-status",
    "NextToken": "",
    "Data": [
        {
            "ContainerGroupId": "eci-1",
            "Status": "Running",
            "PodStatus": {
                "Phase": "Running",
                "PodIp": "10.0.0.7",
                "ContainerStatuses": [
                    {"Name": "app", "Ready": True, "RestartCount": 2, "Image": "nginx:1.25"}
                ],
                "Conditions": [{"Type": "Ready", "Status": "True", "Message": "prêt ✓"}],
            },
        }
    ],
}


async def test_answers_fill_the_same_models_as_the_plain_sdk(
    fake_eci: tuple[FakeEci, str],
) -> None:
    """orjson parses the answer (`eci.answers`); the models are what the SDK itself builds."""
    fake, endpoint = fake_eci
    client = _client(endpoint)
    assert isinstance(client.sdk, OrjsonSdkClient)
    request = eci_models.DescribeContainerGroupStatusRequest(
        region_id="cn-hangzhou", container_group_ids='["eci-1"]'
    )
    fake.replies = [(200, _STATUS_PAGE, {}), (200, _STATUS_PAGE, {})]
    ours = await client.call("DescribeContainerGroupStatus", request)
    plain = Client(_config(endpoint))
    sent = plain.describe_container_group_status_with_options  # blocking: off the loop
    theirs = (await asyncio.to_thread(sent, request, RuntimeOptions())).body
    assert ours.to_map() == theirs.to_map()
    assert ours.data[0].pod_status.container_statuses[0].restart_count == 2
    assert ours.data[0].pod_status.conditions[0].message == "prêt ✓"
    assert fake.calls == 2


async def test_a_2xx_answer_that_is_not_json_is_retried(fake_eci: tuple[FakeEci, str]) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(200, "<html>maintenance</html>", {})]
    body = await _client(endpoint).call(
        "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    assert body.regions[0].region_id == "cn-hangzhou"
    assert fake.calls == 2


async def test_a_2xx_answer_that_is_not_json_quotes_it(fake_eci: tuple[FakeEci, str]) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(200, "<html>maintenance</html>", {})]
    with pytest.raises(EciNetworkError) as info:
        await _client(endpoint, retries=0).call(
            "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
        )
    assert info.value.http_status == 200
    assert "maintenance" in str(info.value)


class RecordingSdk(OrjsonSdkClient):
    """Records what each call hands the SDK's `call_api` (a test double by subclassing)."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.sent: list[tuple[dict[str, Any], dict[str, str]]] = []

    def call_api(self, params: Any, request: Any, runtime: Any) -> dict[Any, Any]:
        self.sent.append((params.to_map(), dict(request.query)))
        return super().call_api(params, request, runtime)


async def test_call_json_sends_what_the_sdks_method_sends(
    fake_eci: tuple[FakeEci, str],
) -> None:
    """The plain-data read asks ECI the very same question as the SDK's own method."""
    fake, endpoint = fake_eci
    sdk = RecordingSdk(_config(endpoint))
    client = EciClient(settings=EciSettings(endpoint=endpoint), sdk=sdk)
    request = eci_models.DescribeContainerGroupStatusRequest(
        region_id="cn-hangzhou",
        container_group_ids='["eci-1"]',
        limit=100,
        next_token="t-2",
        resource_group_id="rg-1",
        since_second=30,
        tag=[eci_models.DescribeContainerGroupStatusRequestTag(key="node", value="vk")],
        v_switch_id="vsw-1",
        zone_id="cn-hangzhou-h",
    )
    fake.replies = [(200, _STATUS_PAGE, {}), (200, _STATUS_PAGE, {})]
    models = await client.call("DescribeContainerGroupStatus", request)
    plain = await client.call_json("DescribeContainerGroupStatus", request)
    (model_params, model_query), (plain_params, plain_query) = sdk.sent
    # The plain read asks for the bytes (parsed on the event loop's thread); all else alike.
    assert plain_params["bodyType"] == "byte"
    assert {**plain_params, "bodyType": "json"} == model_params
    assert plain_query == model_query
    assert model_query["Tag.1.Key"] == "node"
    assert plain == _STATUS_PAGE
    assert models.data[0].pod_status.pod_ip == plain["Data"][0]["PodStatus"]["PodIp"]


async def test_call_json_retries_a_2xx_answer_that_is_not_json(
    fake_eci: tuple[FakeEci, str],
) -> None:
    fake, endpoint = fake_eci
    fake.replies = [(200, "<html>maintenance</html>", {})]
    body = await _client(endpoint).call_json(
        "DescribeRegions", eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
    )
    assert body["Regions"] == [{"RegionId": "cn-hangzhou"}]
    assert fake.calls == 2
