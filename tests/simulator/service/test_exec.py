"""ExecContainerCommand through the official SDK: Sync output, the WebSocket session, refusals."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

import aiohttp
import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from Tea.exceptions import TeaException

from simulator.timemodel.clock import VirtualClock
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import REGION, container, create_group, env
from tests.simulator.service.test_groups_workloads import running_at

Volume = eci_models.CreateContainerGroupRequestVolume
ConfigFiles = eci_models.CreateContainerGroupRequestVolumeConfigFileVolume
ConfigFile = eci_models.CreateContainerGroupRequestVolumeConfigFileVolumeConfigFileToPath
Mount = eci_models.CreateContainerGroupRequestContainerVolumeMount


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


async def web_group(client: Client, clock: VirtualClock) -> str:
    group_id = await create_group(
        client,
        container(
            "web",
            "nginx:1.27",
            environment_var=env(GREETING="hello"),
            volume_mount=[
                Mount(name="config", mount_path="/etc/app"),
                Mount(name="scratch", mount_path="/data"),
            ],
        ),
        name="web-1",
        volume=[
            Volume(
                name="config",
                type="ConfigFileVolume",
                config_file_volume=ConfigFiles(
                    config_file_to_path=[
                        ConfigFile(
                            path="app.conf", content=base64.b64encode(b"port=80\n").decode()
                        ),
                        ConfigFile(path="keys/token", content=base64.b64encode(b"s3").decode()),
                    ]
                ),
            ),
            Volume(name="scratch", type="EmptyDirVolume"),
        ],
    )
    await running_at(client, clock, group_id)
    return group_id


async def sync_exec(client: Client, group_id: str, *command: str) -> str:
    response = await client.exec_container_command_async(
        eci_models.ExecContainerCommandRequest(
            region_id=REGION,
            container_group_id=group_id,
            container_name="web",
            command=json.dumps(list(command)),
            sync=True,
        )
    )
    return str(response.body.sync_response)


async def test_sync_commands_answer_from_the_containers_state(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await web_group(eci_client, clock)
    assert await sync_exec(eci_client, group_id, "echo", "hi") == "hi\n"
    assert await sync_exec(eci_client, group_id, "hostname") == "web-1\n"
    assert "GREETING=hello\n" in await sync_exec(eci_client, group_id, "env")
    assert await sync_exec(eci_client, group_id, "cat", "/etc/app/app.conf") == "port=80\n"
    assert await sync_exec(eci_client, group_id, "ls", "/etc/app") == "app.conf\nkeys\n"
    assert await sync_exec(eci_client, group_id, "ls", "/data") == ""
    script = "echo $GREETING && cat /etc/app/keys/token; false || echo recovered"
    assert await sync_exec(eci_client, group_id, "sh", "-c", script) == "hello\ns3recovered\n"
    assert await sync_exec(eci_client, group_id, "nginx", "-T") == (
        "sh: nginx: command not found (simulated container)\n"
    )
    assert await sync_exec(eci_client, group_id, "cat", "/nope") == (
        "cat: /nope: No such file or directory\n"
    )


async def session(uri: str, *, send: Sequence[bytes] = ()) -> tuple[list[bytes], dict[str, Any]]:
    frames: list[bytes] = []
    status: dict[str, Any] = {}
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(uri, protocols=["v5.channel.k8s.io"]) as socket,
    ):
        assert socket.protocol == "v5.channel.k8s.io"
        for frame in send:
            await socket.send_bytes(frame)
        async for message in socket:
            if message.type is not aiohttp.WSMsgType.BINARY:
                break
            if message.data[0] == 3:
                status = json.loads(message.data[1:])
            else:
                frames.append(message.data)
    return frames, status


async def socket_uri(client: Client, group_id: str, *command: str, tty: bool = False) -> str:
    response = await client.exec_container_command_async(
        eci_models.ExecContainerCommandRequest(
            region_id=REGION,
            container_group_id=group_id,
            container_name="web",
            command=json.dumps(list(command)),
            stdin=True,
            tty=tty,
        )
    )
    uri = str(response.body.web_socket_uri)
    assert uri.startswith("ws://127.0.0.1:")
    return uri


async def test_the_websocket_session_carries_output_exit_code_and_stdin(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await web_group(eci_client, clock)
    uri = await socket_uri(eci_client, group_id, "sh", "-c", "echo out; cat /none; exit 3")
    frames, status = await session(uri)
    assert frames == [b"\x01out\n", b"\x02cat: /none: No such file or directory\n"]
    assert status["reason"] == "NonZeroExitCode"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]

    uri = await socket_uri(eci_client, group_id, "cat")
    frames, status = await session(uri, send=[b"\x00line 1\n", b"\x00line 2\n", b"\xff\x00"])
    assert frames == [b"\x01line 1\n", b"\x01line 2\n"]
    assert status == {"metadata": {}, "status": "Success"}


async def test_refusals(eci: EciTarget, eci_client: Client, clock: VirtualClock) -> None:
    group_id = await web_group(eci_client, clock)
    with pytest.raises(TeaException) as tty:
        await eci_client.exec_container_command_async(
            eci_models.ExecContainerCommandRequest(
                region_id=REGION,
                container_group_id=group_id,
                container_name="web",
                command='["sh"]',
                sync=True,
                tty=True,
            )
        )
    assert tty.value.code == "InvalidParameter"
    with pytest.raises(TeaException) as missing:
        await sync_exec(eci_client, "eci-doesnotexist0000000", "true")
    assert missing.value.code == "InvalidContainerGroupId.NotFound"
    forged = f"http://{eci.endpoint}/exec/session?token=abc.def"
    async with aiohttp.ClientSession() as http, http.get(forged) as response:
        assert response.status == 400
        assert (await response.json())["Code"] == "InvalidParameter.Token"
    job = await create_group(
        eci_client,
        container("job", "busybox:1.37", command=["sh", "-c", "exit 0"]),
        restart_policy="Never",
    )
    await running_at(eci_client, clock, job)
    clock.advance(5)
    with pytest.raises(TeaException) as stopped:
        await eci_client.exec_container_command_async(
            eci_models.ExecContainerCommandRequest(
                region_id=REGION,
                container_group_id=job,
                container_name="job",
                command='["true"]',
                sync=True,
            )
        )
    assert stopped.value.code == "IncorrectStatus"


async def test_an_interactive_shell_on_a_terminal_prompts_and_runs_each_line(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await web_group(eci_client, clock)
    uri = await socket_uri(eci_client, group_id, "sh", tty=True)
    frames, status = await session(uri, send=[b"\x00hostname\r", b"\x00exit 2\r"])
    shown = b"".join(frame[1:] for frame in frames)
    assert shown == b"# hostname\r\nweb-1\r\n# exit 2\r\n"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "2"}]
