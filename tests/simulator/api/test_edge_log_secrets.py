"""`vk-eci simulator --log-level debug`: every call is logged, and no secret is.

The simulator runs as its CLI runs it (JSON logs on stderr, the real service
over SQLite, every stdlib logger at debug too). The SDK sends
what a Pod with secrets sends: environment values whose names look secret, a
registry password, a ConfigFileVolume file (where Kubernetes Secret files
travel); one call is signed with a wrong secret, so the refusal quotes the
canonical request. The whole stderr is then searched for every secret.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import signal
from pathlib import Path

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from Tea.exceptions import TeaException

from vkeci.bench.processes import start_cli

ACCESS_KEY_ID = "LTAIlogprobe"
ACCESS_KEY_SECRET = "ak-secret-3b9d51e0"
SECRETS = {
    "env DB_PASSWORD": "env-pw-7f3a1c",
    "env API_TOKEN": "env-token-91c2ee",
    "env AWS_SECRET_ACCESS_KEY": "env-aws-0a8b77",
    "registry password": "registry-pw-55e1d0",
    "config file content": base64.b64encode(b"file-secret-0d4c99").decode(),
    "access key secret": ACCESS_KEY_SECRET,
}
VISIBLE = "visible-mode-4e2f"
"""A non-secret env value: it must be in the debug log, or the log proves nothing."""


def pod_with_secrets() -> eci_models.CreateContainerGroupRequest:
    env = eci_models.CreateContainerGroupRequestContainerEnvironmentVar
    volume = eci_models.CreateContainerGroupRequestVolume
    return eci_models.CreateContainerGroupRequest(
        region_id="cn-hangzhou",
        container_group_name="secrets",
        container=[
            eci_models.CreateContainerGroupRequestContainer(
                name="app",
                image="nginx",
                environment_var=[
                    env(key="DB_PASSWORD", value=SECRETS["env DB_PASSWORD"]),
                    env(key="MODE", value=VISIBLE),
                    env(key="API_TOKEN", value=SECRETS["env API_TOKEN"]),
                    env(key="AWS_SECRET_ACCESS_KEY", value=SECRETS["env AWS_SECRET_ACCESS_KEY"]),
                ],
            )
        ],
        image_registry_credential=[
            eci_models.CreateContainerGroupRequestImageRegistryCredential(
                server="registry.example.com",
                user_name="deployer",
                password=SECRETS["registry password"],
            )
        ],
        volume=[
            volume(
                name="secret-files",
                type="ConfigFileVolume",
                config_file_volume=eci_models.CreateContainerGroupRequestVolumeConfigFileVolume(
                    config_file_to_path=[
                        eci_models.CreateContainerGroupRequestVolumeConfigFileVolumeConfigFileToPath(
                            path="token", content=SECRETS["config file content"]
                        )
                    ]
                ),
            )
        ],
    )


def client_for(endpoint: str, secret: str) -> Client:
    return Client(
        Config(
            access_key_id=ACCESS_KEY_ID,
            access_key_secret=secret,
            endpoint=endpoint,
            protocol="http",
            region_id="cn-hangzhou",
        )
    )


async def test_debug_logs_of_every_logger_carry_no_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECI_", "ALIBABA_CLOUD"))}
    env |= {"ECI_ACCESS_KEY_ID": ACCESS_KEY_ID, "ECI_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET}
    process = await start_cli(
        [
            "simulator",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            f"sqlite+aiosqlite:///{tmp_path}/s.db",
            "--virtual-clock",
            "--log-level",
            "debug",
            "--log-format",
            "json",
        ],
        env=env,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=30))
        client = client_for(ready["endpoint"], ACCESS_KEY_SECRET)
        with contextlib.suppress(TeaException):  # accepted or refused, the call is logged
            await client.create_container_group_async(pod_with_secrets())
        with pytest.raises(ClientException) as refused:
            await client_for(ready["endpoint"], "a-wrong-secret").create_container_group_async(
                pod_with_secrets()
            )
        assert refused.value.code == "SignatureDoesNotMatch"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr_bytes = await asyncio.wait_for(process.communicate(), timeout=30)
    stderr = stderr_bytes.decode()
    assert process.returncode == 0, stderr[-2000:]
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    events = {line["event"] for line in lines}
    assert {"eci call", "eci call refused"} <= events
    assert VISIBLE in stderr
    assert "Canonical request" in stderr
    leaked = {what: value for what, value in SECRETS.items() if value in stderr}
    assert leaked == {}
    assert not re.search(r"Signature=[0-9a-f]{16}", stderr)
