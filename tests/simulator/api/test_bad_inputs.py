"""The bad-input suite: every hostile or careless request gets a named 4xx ECI error body.

Each probe of `badinputs/` goes to the real simulator service (SQLite, the
real operations) over HTTP. Every answer must be a 4xx with ECI's error body
(`Code`, `Message`, `RequestId`) with the code the probe names, never a 500
and never a 200; afterwards the simulator still serves a
normal call through the official SDK. The counts (probes, distinct codes) are
part of the assertion message, so a failing run says how much it covered.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import aiohttp
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_openapi_util.client import Client as OpenApiUtil
from yarl import URL

from tests.fixtures.eci import EciTarget
from tests.simulator.api.badinputs import values, wire
from tests.simulator.api.badinputs.probes import DATE_FORMAT, REGION, Probe, encoded


def signed(eci: EciTarget, probe: Probe) -> dict[str, str]:
    headers = {
        "host": eci.endpoint,
        "x-acs-action": probe.action,
        "x-acs-version": probe.version,
        "x-acs-date": datetime.now(UTC).strftime(DATE_FORMAT),
        "x-acs-signature-nonce": secrets.token_hex(16),
        "x-acs-content-sha256": hashlib.sha256(probe.body).hexdigest(),
        "accept": "application/json",
    }
    if probe.content_type is not None:
        headers["content-type"] = probe.content_type
    covered = dict(probe.signed if probe.signed is not None else probe.params)
    request = SimpleNamespace(method=probe.method, pathname="/", query=covered, headers=headers)
    headers["Authorization"] = OpenApiUtil.get_authorization(
        request,
        "ACS3-HMAC-SHA256",
        headers["x-acs-content-sha256"],
        probe.access_key_id or eci.access_key_id,
        probe.secret or eci.access_key_secret,
    )
    for name, value in probe.headers.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return headers


async def send(
    session: aiohttp.ClientSession, eci: EciTarget, probe: Probe
) -> tuple[int, str, Any]:
    raw_query = probe.raw_query if probe.raw_query is not None else encoded(probe.params)
    url = URL(f"http://{eci.endpoint}/?{raw_query}", encoded=True)
    headers = signed(eci, probe)
    for _ in range(2 if probe.send_twice else 1):
        async with session.request(
            probe.method,
            url,
            data=probe.body or None,
            headers=headers,
            skip_auto_headers=["Content-Type"],
        ) as response:
            text = await response.text(errors="replace")
            status, content_type = response.status, response.content_type
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    return status, content_type, body


def violation(probe: Probe, status: int, content_type: str, body: Any) -> str | None:
    if not 400 <= status < 500:
        return f"{probe.name}: HTTP {status} {str(body)[:200]}"
    if content_type != "application/json" or not isinstance(body, dict):
        return f"{probe.name}: {status} is not an ECI error body: {str(body)[:200]}"
    missing = {"Code", "Message", "RequestId"} - set(body)
    if missing or not body.get("Code") or not body.get("Message"):
        return f"{probe.name}: {status} body lacks {sorted(missing) or 'a Code/Message'}: {body}"
    if probe.expect is not None and body["Code"] != probe.expect:
        got = f"{status} {body['Code']}: {body['Message'][:160]}"
        return f"{probe.name}: expected {probe.expect}, got {got}"
    return None


async def test_every_bad_input_is_a_named_4xx_and_the_simulator_keeps_serving(
    eci: EciTarget, eci_client: Client
) -> None:
    probes = [
        *wire.gateway_probes(),
        *wire.signature_probes(),
        *wire.structure_probes(),
        *values.value_probes(),
    ]
    violations: list[str] = []
    codes: Counter[str] = Counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
        for probe in probes:
            try:
                status, content_type, body = await send(session, eci, probe)
            except aiohttp.ClientError as exc:
                violations.append(f"{probe.name}: no answer ({exc!r})")
                continue
            problem = violation(probe, status, content_type, body)
            if problem is not None:
                violations.append(problem)
            elif isinstance(body, dict):
                codes[body["Code"]] += 1
    summary = f"{len(probes)} probes, {len(codes)} distinct codes: {dict(sorted(codes.items()))}"
    assert not violations, "\n".join([summary, *violations])
    assert len(probes) >= 100, summary
    response = await eci_client.describe_regions_async(
        eci_models.DescribeRegionsRequest(region_id=REGION)
    )
    assert response.body.regions[0].region_id == REGION
    print(summary)
