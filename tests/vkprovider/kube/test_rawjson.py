"""Raw JSON as the agent keeps it: same values, common strings held once, watch lines."""

from __future__ import annotations

import pytest
from kubernetes_asyncio.client.exceptions import ApiException

from vkprovider import rawjson
from vkprovider.kube.informer import RawWatch


def _pod(index: int) -> bytes:
    return (
        b'{"metadata":{"name":"pod-%d","uid":"u-%d","resourceVersion":"%d"},'
        b'"spec":{"restartPolicy":"Always","containers":[{"name":"main","image":"nginx"}]},'
        b'"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}'
        % (index, index, index)
    )


def test_shared_strings_are_one_object_and_every_value_is_unchanged() -> None:
    pool = rawjson.StringPool()
    first, second = rawjson.loads(_pod(1)), rawjson.loads(_pod(2))
    assert first["spec"]["restartPolicy"] is not second["spec"]["restartPolicy"]
    expected = [rawjson.loads(_pod(1)), rawjson.loads(_pod(2))]
    pool.share(first)
    pool.share(second)
    assert [first, second] == expected
    assert first["spec"]["restartPolicy"] is second["spec"]["restartPolicy"]
    assert first["spec"]["containers"][0]["image"] is second["spec"]["containers"][0]["image"]
    assert first["status"]["conditions"][0]["type"] is second["status"]["conditions"][0]["type"]
    assert first["metadata"]["name"] == "pod-1"
    assert second["metadata"]["uid"] == "u-2"


def test_a_full_pool_starts_again_and_long_strings_are_left_alone() -> None:
    pool = rawjson.StringPool(size=4)
    long_value = "x" * (rawjson.SHORT + 1)
    obj = {"values": [f"v{i}" for i in range(10)], "long": long_value}
    pool.share(obj)
    assert len(pool) == 10  # the pool is checked before each object, not inside it
    pool.share({"one": "more"})
    assert len(pool) == 1
    assert obj["long"] is long_value


async def test_a_watch_line_becomes_a_raw_event_and_moves_the_version() -> None:
    async with RawWatch() as watch:
        event = watch.unmarshal_event(b'{"type":"MODIFIED","object":' + _pod(7) + b"}", "")
        version: object = watch.resource_version  # typed None by kubernetes_asyncio
    assert version == "7"
    assert event["type"] == "MODIFIED"
    assert event["raw_object"]["metadata"]["name"] == "pod-7"
    assert event["raw_object"] is event["object"]


async def test_an_error_event_raises_its_status_code() -> None:
    line = (
        b'{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired",'
        b'"message":"too old resource version: 1 (5)"}}'
    )
    async with RawWatch() as watch:
        with pytest.raises(ApiException) as raised:
            watch.unmarshal_event(line, "")
        with pytest.raises(ApiException) as bare:
            watch.unmarshal_event(b'{"kind":"Status","code":500,"reason":"InternalError"}', "")
    assert raised.value.status == 410
    assert "too old resource version" in str(raised.value.reason)
    assert bare.value.status == 500
