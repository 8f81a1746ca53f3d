"""Every request in the bad-input table gets a named 4xx `Status`, and the server goes on.

"Named" means: `kind: Status`, `status: Failure`, the HTTP code in `code`, a `reason` that
belongs to that code, and a message that says what was wrong (the case's `names` where kube's
wording is stable). After each case the namespace is listed again, so a request that broke
the server fails its own case. The table's size per category is printed and checked.
"""

from __future__ import annotations

from collections import Counter

import pytest
from kubernetes_asyncio import client

from tests.localkube.badinput_cases import CASES, CM, Case
from tests.localkube.conftest import call, raw_call

REASONS = {
    400: {"BadRequest"},
    404: {"NotFound"},
    405: {"MethodNotAllowed"},
    409: {"Conflict", "AlreadyExists"},
    413: {"RequestEntityTooLarge"},
    415: {"UnsupportedMediaType"},
    422: {"Invalid"},
}


def test_the_table_covers_every_category() -> None:
    counts = Counter(case.category for case in CASES)
    print("bad-input cases:", dict(counts), "total", len(CASES))
    assert len(CASES) >= 100
    assert len({case.id for case in CASES}) == len(CASES)
    assert set(counts) == {
        "malformed",
        "oversized",
        "deeply nested",
        "wrong types",
        "unicode and injection",
        "duplicate keys",
        "wrong versions and kinds",
        "bad content types",
        "bad query parameters",
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
async def test_bad_input_is_a_named_4xx(
    case: Case, kube_api: client.ApiClient, namespace: str
) -> None:
    if case.needs_object:
        target = {"metadata": {"name": "target"}, "data": {"k": "v"}}
        created = await call(kube_api, "POST", CM.format(ns=namespace), body=target)
        assert created.status == 201, created.body
    reply = await raw_call(
        kube_api,
        case.method,
        case.path.format(ns=namespace),
        data=case.body or b"",
        content_type=case.content_type,
        query=case.query,
    )
    assert reply.status in case.codes, (reply.status, reply.body)
    body = reply.body
    assert isinstance(body, dict), body
    assert (body["kind"], body["status"], body["code"]) == ("Status", "Failure", reply.status)
    assert body["reason"] in REASONS[reply.status], body
    assert body["message"], body
    if case.names is not None:
        assert case.names in body["message"], body["message"]
    still = await call(kube_api, "GET", f"/api/v1/namespaces/{namespace}/configmaps")
    assert still.status == 200
