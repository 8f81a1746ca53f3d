"""Fault injection (embedded only): what clients see is what a failing kube-apiserver sends."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.localkube.conftest import call
from tests.localkube.test_watching import READ_TIMEOUT, open_watch
from tests.polling import eventually


async def test_fail_next_with_500(kube_api: client.ApiClient, needs_embedded: LocalKube) -> None:
    needs_embedded.faults.fail_next(2, status=500)
    first = await call(kube_api, "GET", "/api/v1/namespaces/default")
    second = await call(kube_api, "GET", "/api/v1/namespaces/default")
    third = await call(kube_api, "GET", "/api/v1/namespaces/default")
    assert [first.status, second.status, third.status] == [500, 500, 200]
    assert (needs_embedded.faults.failures_sent, needs_embedded.faults.failures_pending) == (2, 0)
    assert first.body["kind"] == "Status"
    assert first.body["reason"] == "InternalError"
    assert first.body["code"] == 500


async def test_fail_next_with_429_and_retry_after(
    kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    needs_embedded.faults.fail_next(1, status=429, retry_after_seconds=3)
    reply = await call(kube_api, "GET", "/api/v1/namespaces/default")
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "3"
    assert reply.body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Too many requests, please try again later.",
        "reason": "TooManyRequests",
        "details": {"retryAfterSeconds": 3},
        "code": 429,
    }
    core = client.CoreV1Api(kube_api)
    needs_embedded.faults.fail_next(1, status=429)
    with pytest.raises(client.ApiException) as raised:
        await core.read_namespace("default")
    assert raised.value.status == 429


async def test_drop_watches_ends_open_streams(
    kube_api: client.ApiClient, needs_embedded: LocalKube, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    start = (await call(kube_api, "GET", path)).body["metadata"]["resourceVersion"]
    async with open_watch(kube_api, path, resourceVersion=start) as stream:

        async def dropped() -> int:  # 0 until the server has registered the watch
            return needs_embedded.faults.drop_watches()

        assert (
            await eventually(
                dropped, what="the watch open (and dropped)", deadline_seconds=READ_TIMEOUT
            )
            >= 1
        )
        assert await asyncio.wait_for(stream.content.read(), READ_TIMEOUT) == b""


async def test_latency_slows_every_request(
    kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    needs_embedded.faults.latency_seconds = 0.2
    loop = asyncio.get_running_loop()
    began = loop.time()
    reply = await call(kube_api, "GET", "/api/v1/namespaces/default")
    assert reply.status == 200
    assert loop.time() - began >= 0.2
    needs_embedded.faults.latency_seconds = 0.0


async def test_admin_endpoints_over_http(needs_embedded: LocalKube) -> None:
    base = needs_embedded.url
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{base}/_localkube/faults/fail-next",
            json={"count": 1, "status": 429, "retryAfterSeconds": 2},
        ) as response:
            assert response.status == 200
        async with session.get(f"{base}/api/v1/namespaces") as response:
            assert response.status == 429
            assert response.headers["Retry-After"] == "2"
        async with session.get(f"{base}/api/v1/namespaces") as response:
            assert response.status == 200
            listed = await response.json()
        async with session.get(f"{base}/_localkube/faults") as response:
            assert await response.json() == {
                "failuresPending": 0,
                "failuresSent": 1,
                "latencySeconds": 0.0,
            }
        async with session.post(f"{base}/_localkube/compact") as response:
            assert response.status == 200
        old = int(listed["metadata"]["resourceVersion"]) - 1
        watch_url = f"{base}/api/v1/namespaces?watch=true&resourceVersion={old}"
        async with session.get(watch_url) as response:
            event = await response.json(content_type=None)
        assert event["type"] == "ERROR"
        assert event["object"]["code"] == 410
        async with session.post(
            f"{base}/_localkube/faults/latency", json={"seconds": 0.0}
        ) as response:
            assert (await response.json())["latencySeconds"] == 0.0
        async with session.post(f"{base}/_localkube/faults/drop-watches") as response:
            assert "dropped" in await response.json()
