"""`vk-eci simulator`: credentials from env or file, refusal without them, graceful SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
from pathlib import Path

import aiohttp
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.models import Config

from simulator.api.credentials import CredentialsError, load_credentials_file
from simulator.settings import ServedRegion, SimulatorSettings, ThrottleSettings
from vkeci.bench.processes import start_cli
from vkeci.commands.simulator import UsageError, add_arguments, build_settings


async def run_cli(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await start_cli(["simulator", *args], env=env)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ECI_", "ALIBABA_CLOUD"))}


async def test_refuses_to_start_without_credentials(tmp_path: Path) -> None:
    process = await run_cli(
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        f"sqlite+aiosqlite:///{tmp_path}/s.db",
        env=clean_env(),
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert b"ECI_ACCESS_KEY_ID" in stderr
    assert b"--credentials-file" in stderr


async def test_serves_signed_calls_and_stops_on_sigterm(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials.ini"
    credentials.write_text("[default]\naccess_key_id = LTAIcli\naccess_key_secret = s3cret-cli\n")
    process = await run_cli(
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        f"sqlite+aiosqlite:///{tmp_path}/s.db",
        "--credentials-file",
        str(credentials),
        "--region",
        "cn-beijing",
        "--zones",
        "a,b",
        "--log-format",
        "json",
        "--virtual-clock",
        "--admin-token-env",
        "SIM_TOKEN",
        env={**clean_env(), "SIM_TOKEN": "cli-admin-token"},
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        ready = json.loads(line)
        client = Client(
            Config(
                access_key_id="LTAIcli",
                access_key_secret="s3cret-cli",
                endpoint=ready["endpoint"],
                protocol="http",
                region_id="cn-beijing",
            )
        )
        response = await client.describe_regions_async(
            eci_models.DescribeRegionsRequest(region_id="cn-beijing")
        )
        assert response.body.regions[0].zones == ["cn-beijing-a", "cn-beijing-b"]
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                ready["admin_url"] + "/clock",
                json={"advance_seconds": 30},
                headers={"Authorization": "Bearer cli-admin-token"},
            ) as moved,
        ):
            assert moved.status == 200
            assert (await moved.json())["mode"] == "virtual"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    assert b"simulator stopped" in stderr
    assert b"s3cret-cli" not in stderr


@pytest.mark.parametrize(
    "text",
    [
        '{"access_key_id": "LTAIa", "access_key_secret": "sa"}',
        '[{"access_key_id": "LTAIa", "access_key_secret": "sa"}]',
        '{"credentials": [{"access_key_id": "LTAIa", "access_key_secret": "sa"}]}',
        "[default]\naccess_key_id = LTAIa\naccess_key_secret = sa\n",
    ],
)
def test_credentials_file_formats(tmp_path: Path, text: str) -> None:
    path = tmp_path / "credentials"
    path.write_text(text)
    [credential] = load_credentials_file(path)
    assert (credential.access_key_id, credential.access_key_secret) == ("LTAIa", "sa")
    assert "access_key_secret" not in repr(credential)


def test_a_credentials_file_without_a_secret_says_so(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text("[default]\naccess_key_id = LTAIa\n")
    with pytest.raises(CredentialsError, match=r"\[default\]: access_key_secret is missing"):
        load_credentials_file(path)


def simulator_settings(*args: str, env: dict[str, str] | None = None) -> SimulatorSettings:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    keys = {"ECI_ACCESS_KEY_ID": "LTAIcli", "ECI_ACCESS_KEY_SECRET": "s3cret"}
    return build_settings(parser.parse_args(list(args)), env if env is not None else keys)


def test_regions_come_from_a_file_or_ecis_public_list(tmp_path: Path) -> None:
    default = simulator_settings("--region", "cn-shanghai", "--zones", "b,e")
    served = default.region.served()
    assert served[0] == ServedRegion(
        region_id="cn-shanghai", zones=("cn-shanghai-b", "cn-shanghai-e")
    )
    assert "cn-beijing" in {region.region_id for region in served}
    regions = tmp_path / "regions.json"
    regions.write_text(
        json.dumps(
            [{"RegionId": "lab-1", "Zones": ["lab-1-a"], "RegionEndpoint": "eci.lab.example"}]
        )
    )
    custom = simulator_settings("--regions-file", str(regions)).region
    assert [(r.region_id, r.zones, r.region_endpoint) for r in custom.served()] == [
        (
            "cn-hangzhou",
            ("cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"),
            "eci.cn-hangzhou.aliyuncs.com",
        ),
        ("lab-1", ("lab-1-a",), "eci.lab.example"),
    ]
    regions.write_text('[{"RegionId": "lab-2", "Zones": []}]')
    with pytest.raises(UsageError, match=r"region 1 \(lab-2\): Zones must be a non-empty list"):
        simulator_settings("--regions-file", str(regions))


def test_throttling_is_off_by_default_and_set_by_flags() -> None:
    assert not simulator_settings().throttle.enabled
    throttle = simulator_settings(
        "--throttle-rate",
        "5",
        "--throttle-burst",
        "10",
        "--throttle-action",
        "CreateContainerGroup=1",
        "--throttle-action",
        "DescribeRegions=0",
    ).throttle
    assert throttle == ThrottleSettings(
        calls_per_second=5.0,
        burst=10,
        per_action=(("CreateContainerGroup", 1.0), ("DescribeRegions", 0.0)),
    )
    with pytest.raises(UsageError, match="expected ACTION=RATE"):
        simulator_settings("--throttle-action", "CreateContainerGroup")
