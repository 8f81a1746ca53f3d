"""`eventually`: what a failing wait tells whoever reads the test report."""

from __future__ import annotations

import pytest
from kubernetes_asyncio import client

from tests.polling import eventually


async def test_returns_the_first_truthy_value() -> None:
    seen: list[int] = []

    async def third_time() -> list[int] | None:
        seen.append(len(seen))
        return seen if len(seen) == 3 else None

    assert await eventually(third_time, what="three probes", interval_seconds=0) == [0, 1, 2]


async def test_a_timeout_names_what_was_awaited_and_the_last_value_seen() -> None:
    async def phase() -> str | None:
        raise AssertionError("phase is Pending")

    with pytest.raises(AssertionError) as raised:
        await eventually(phase, what="pod web Running", deadline_seconds=0.05)
    message = str(raised.value)
    assert message.startswith("timed out after 0.05 s waiting for pod web Running; last saw ")
    assert "phase is Pending" in message


async def test_transient_api_errors_are_retried_and_others_end_the_wait() -> None:
    answers: list[Exception | str] = [
        client.ApiException(status=503),
        client.ApiException(status=429),
        "ok",
    ]

    async def flaky() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert await eventually(flaky, what="a read", interval_seconds=0) == "ok"

    async def forbidden() -> None:
        raise client.ApiException(status=403)

    with pytest.raises(client.ApiException) as raised:
        await eventually(forbidden, what="a read")
    assert raised.value.status == 403
