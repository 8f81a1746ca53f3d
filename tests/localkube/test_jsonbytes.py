"""Answers are compact JSON with UTF-8 text, as kube-apiserver writes them; what orjson
cannot write goes through the stdlib encoder as before."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from kubernetes_asyncio import client

from localkube import jsonbytes
from tests.localkube.conftest import JSON


def test_compact_json_like_the_stdlib_for_plain_values() -> None:
    value = {"kind": "Pod", "items": [1, -2, 3.5, True, None, "a b"], "nested": {"x": {}}}
    assert jsonbytes.dumps(value) == json.dumps(value, separators=(",", ":")).encode()


def test_non_ascii_text_is_written_as_utf8() -> None:
    assert jsonbytes.dumps({"note": "Grüße 日本"}) == '{"note":"Grüße 日本"}'.encode()


def test_values_orjson_refuses_go_through_the_stdlib() -> None:
    huge = {"n": 2**70, "lone": "\ud800", 1: "yaml key"}
    assert jsonbytes.dumps(huge) == json.dumps(huge, separators=(",", ":")).encode()
    with pytest.raises(TypeError):
        jsonbytes.dumps({"at": datetime(2026, 1, 1, tzinfo=UTC)})


async def test_answers_carry_non_ascii_text_as_utf8(
    kube_api: client.ApiClient, namespace: str
) -> None:
    response = await kube_api.call_api(
        f"/api/v1/namespaces/{namespace}/configmaps",
        "POST",
        header_params={"Content-Type": JSON, "Accept": JSON},
        body={"metadata": {"name": "greeting"}, "data": {"text": "Grüße"}},
        auth_settings=["BearerToken"],
        _preload_content=False,
    )
    try:
        raw = await response.read()
    finally:
        response.release()
    assert response.status == 201
    assert '"text":"Grüße"'.encode() in raw
