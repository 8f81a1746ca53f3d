"""The simulator under benchmark: `vk-eci simulator` in its own process, and how to reach it.

`simulator_bench.py` measures the simulator as a deployment would run it: a
separate process (so its CPU time can be read from /proc) with a SQLite file
in a throw-away directory and throw-away credentials. This module starts and
stops that process and hands back a `Target` (endpoint, credentials, pid) that
the benchmark's client processes can pickle. It measures nothing itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.models import Config

__all__ = ["Target", "cpu_seconds", "running_simulator"]

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    endpoint: str
    admin_url: str
    access_key_id: str
    access_key_secret: str
    admin_token: str
    pid: int

    def client(self) -> Client:
        return Client(
            Config(
                access_key_id=self.access_key_id,
                access_key_secret=self.access_key_secret,
                endpoint=self.endpoint,
                protocol="http",
                region_id="cn-hangzhou",
                read_timeout=60_000,
                connect_timeout=10_000,
            )
        )


@contextlib.asynccontextmanager
async def running_simulator(
    workdir: Path, *, extra_args: tuple[str, ...] = ()
) -> AsyncIterator[Target]:
    """Start `vk-eci simulator` on a free port; stop it with SIGTERM afterwards."""
    access_key_id = "LTAIbench" + secrets.token_hex(4)
    access_key_secret = secrets.token_urlsafe(24)
    admin_token = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "ECI_ACCESS_KEY_ID": access_key_id,
        "ECI_ACCESS_KEY_SECRET": access_key_secret,
        "ECI_SIM_ADMIN_TOKEN": admin_token,
        "PYTHONPATH": str(REPO),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vkeci.cli",
        "simulator",
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "--log-level",
        "warning",
        "--log-format",
        "json",
        *extra_args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=60))
        yield Target(
            endpoint=ready["endpoint"],
            admin_url=ready["admin_url"],
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            admin_token=admin_token,
            pid=process.pid,
        )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
