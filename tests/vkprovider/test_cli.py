"""`vk-eci agent` as a user runs it: a process, flags, environment, SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client

from tests.fixtures.eci import EciTarget
from tests.fixtures.kube import KubeTarget
from tests.vkprovider.helpers import eventually
from vkprovider.configuration import ConfigurationError, load_settings_file


async def test_agent_process_registers_the_node_and_stops_on_sigterm(
    kube: KubeTarget, eci: EciTarget, kube_api: client.ApiClient, tmp_path: Path
) -> None:
    node_name = f"vk-cli-test-{secrets.token_hex(3)}"  # unique on a shared cluster
    env = dict(
        os.environ,
        ECI_ACCESS_KEY_ID=eci.access_key_id,
        ECI_ACCESS_KEY_SECRET=eci.access_key_secret,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vkeci.cli",
        "agent",
        "--kubeconfig",
        str(kube.kubeconfig),
        "--node-name",
        node_name,
        "--eci-endpoint",
        eci.endpoint,
        "--region-id",
        eci.region_id,
        "--kubelet-port",
        "0",
        "--state-dir",
        str(tmp_path / "state"),
        "--pods",
        "500",
        "--no-imagecache-controller",
        "--mark-not-ready-on-exit",
        "--log-format",
        "json",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    core: Any = client.CoreV1Api(kube_api)
    try:

        async def ready() -> bool:
            try:
                node = await core.read_node(node_name)
            except client.ApiException:
                return False
            status = node.status  # None between creating the Node and writing its status
            if status is None or not status.conditions:
                return False
            conditions = {c.type: c.status for c in status.conditions}
            return conditions.get("Ready") == "True" and status.capacity["pods"] == "500"

        await eventually(ready, deadline_seconds=20, what="node registered by the process")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    try:
        assert process.returncode == 0, stderr.decode()[-2000:]
        assert b'"agent stopped"' in stderr
        node = await core.read_node(node_name)
        ready_condition = next(c for c in node.status.conditions if c.type == "Ready")
        assert ready_condition.status == "False"
    finally:
        with contextlib.suppress(client.ApiException):
            await core.delete_node(node_name)  # the agent never deletes its Node; the test does


async def test_agent_refuses_to_start_without_credentials(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECI_ACCESS_KEY")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vkeci.cli",
        "agent",
        "--eci-endpoint",
        "127.0.0.1:1",
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    assert b"ECI_ACCESS_KEY_ID" in stderr


def test_config_file_sets_nested_settings_and_rejects_typos(tmp_path: Path) -> None:
    good = tmp_path / "agent.yaml"
    good.write_text(
        "node: {name: vk-a, pods: '100'}\n"
        "pods: {workers: 8, retry: {backoff_seconds: [0.1, 0.2]}}\n"
        "eci: {endpoint: '127.0.0.1:9999'}\n"
    )
    settings = load_settings_file(good)
    assert settings.node.name == "vk-a"
    assert settings.pods.workers == 8
    assert settings.pods.retry.backoff_seconds == (0.1, 0.2)
    assert settings.eci.effective_protocol() == "http"
    bad = tmp_path / "bad.yaml"
    bad.write_text("pods: {wokers: 8}\n")
    with pytest.raises(ConfigurationError, match=r"config\.pods\.wokers: unknown setting"):
        load_settings_file(bad)
