"""No secret reaches the simulator's logs, even at debug level; crashes log their traceback."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.api.redaction import redact_params
from simulator.server import Simulator
from tests.fixtures.eci import EciTarget, make_test_settings
from tests.simulator.api import crashprobe
from tests.simulator.api.edge_support import RecordingService
from vkeci.bench.processes import REPO


@pytest.fixture
def debug_logging() -> Iterator[None]:
    api_logger = logging.getLogger("simulator.api")
    level = api_logger.level
    api_logger.setLevel(logging.DEBUG)
    yield
    api_logger.setLevel(level)


@pytest.mark.usefixtures("debug_logging")
async def test_registry_passwords_and_signatures_stay_out_of_logs(tmp_path: Path) -> None:
    settings = make_test_settings(tmp_path)
    credential = settings.security.credentials[0]
    recording = RecordingService()
    with structlog.testing.capture_logs() as logs:
        async with Simulator(settings, service_factory=recording.factory) as simulator:
            target = EciTarget(
                endpoint=simulator.endpoint,
                access_key_id=credential.access_key_id,
                access_key_secret=credential.access_key_secret,
                region_id="cn-hangzhou",
                admin_url=simulator.admin_url,
                admin_token="",
                simulator=simulator,
            )
            client = Client(target.sdk_config())
            await client.create_container_group_async(
                eci_models.CreateContainerGroupRequest(
                    region_id="cn-hangzhou",
                    image_registry_credential=[
                        eci_models.CreateContainerGroupRequestImageRegistryCredential(
                            server="registry.example.com", user_name="me", password="hunter2-pw"
                        )
                    ],
                )
            )
    [call] = [entry for entry in logs if entry["event"] == "eci call"]
    assert call["params"]["ImageRegistryCredential.1.UserName"] == "me"
    assert call["params"]["ImageRegistryCredential.1.Password"] == "***"
    text = repr(logs)
    assert "hunter2-pw" not in text
    assert credential.access_key_secret not in text
    assert "ACS3-HMAC-SHA256" not in text


def test_secret_looking_parameters_are_redacted() -> None:
    redacted = redact_params(
        [("Container.1.Image", "nginx"), ("AcrRegistryInfo.1.Token", "t"), ("Password", "p")]
    )
    assert redacted == {
        "Container.1.Image": "nginx",
        "AcrRegistryInfo.1.Token": "***",
        "Password": "***",
    }


async def test_tracebacks_render_and_stdlib_lines_are_redacted() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.simulator.api.crashprobe",
        env={**os.environ, "PYTHONPATH": REPO},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    lines = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    [crashed] = [line for line in lines if line["event"] == "eci call crashed"]
    assert "Traceback (most recent call last)" in crashed["exception"]
    assert f"ProbeCrash: {crashprobe.CRASH_MESSAGE}" in crashed["exception"]
    assert "exc_info" not in crashed
    [stdlib] = [line for line in lines if line["event"] == "Error handling request"]
    assert stdlib["logger"] == "aiohttp.server"
    assert "Traceback (most recent call last)" in stdlib["exception"]
    assert crashprobe.STDLIB_MESSAGE in stdlib["exception"]
    [body] = [line for line in lines if line["logger"] == "kubernetes_asyncio.client.rest"]
    [access] = [line for line in lines if line["logger"] == "aiohttp.access"]
    assert body["event"].startswith("response body:")
    assert "ImageRegistryCredential.1.Password=***" in access["event"]
    text = stderr.decode()
    assert crashprobe.SECRET_DATA not in text
    assert crashprobe.REGISTRY_PASSWORD not in text
