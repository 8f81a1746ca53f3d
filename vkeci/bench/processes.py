"""Child processes of the benchmarks (`vk-eci simulator`, `vk-eci agent`) and their cost.

Each part runs as the real CLI in its own process, so the agent's memory and CPU are
measured alone: peak resident memory is the kernel's high-water mark `VmHWM` from
`/proc/<pid>/status`, CPU time is the process's CPU-time clock (nanoseconds, every thread,
living or ended), with utime + stime from `/proc/<pid>/stat` (10 ms ticks) where that clock
cannot be read. The scale
benchmark, `benchmarks/simulator_bench.py` and the tests of `vk-eci simulator` start their
children here, so a change to how the CLI is launched is made once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.models import Config

from vkeci.stack.errors import StackError

MIB: Final = 1024 * 1024
STOP_TIMEOUT_SECONDS: Final = 30.0
REPO: Final = str(Path(__file__).resolve().parents[2])
"""The source tree, put on the children's PYTHONPATH."""


@dataclass(frozen=True)
class Child:
    """A running `vk-eci` subcommand."""

    name: str
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def _status_field(pid: int, name: str) -> int:
    """A `kB` field of /proc/<pid>/status, in bytes (0 when the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) * 1024
    return 0


def rss_bytes(pid: int) -> int:
    return _status_field(pid, "VmRSS")


def peak_rss_bytes(pid: int) -> int:
    return _status_field(pid, "VmHWM")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process, to the nanosecond (0 when it is gone).

    The kernel's per-process CPU-time clock is what `clock_getcpuclockid(3)` hands out;
    its id is computed here because Python's `time` has no wrapper for it. `/proc/<pid>/stat`
    counts whole clock ticks, too coarse for a short run: ten Pods' writes cost the
    embedded API server about 5 ms, half a tick.
    """
    try:
        return time.clock_gettime(_process_cpu_clock(pid))
    except OSError:
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _process_cpu_clock(pid: int) -> int:
    """Linux's clock id for a whole process's scheduler CPU time (`CPUCLOCK_SCHED`)."""
    return ((~pid) << 3) | 2


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


async def start_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    stdout: int | IO[Any] = asyncio.subprocess.PIPE,
    stderr: int | IO[Any] = asyncio.subprocess.PIPE,
) -> asyncio.subprocess.Process:
    """`python -m vkeci.cli <args>` with exactly `env`, this source tree first on PYTHONPATH."""
    child_env = dict(env)
    child_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (REPO, child_env.get("PYTHONPATH", "")) if p
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vkeci.cli",
        *args,
        env=child_env,
        stdout=stdout,
        stderr=stderr,
        stdin=asyncio.subprocess.DEVNULL,
    )


@contextlib.asynccontextmanager
async def running_child(
    name: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    workdir: Path,
    wait_for_stdout_line: bool = False,
) -> AsyncIterator[tuple[Child, str]]:
    """`python -m vkeci.cli <args>`; yields the child and (if asked) its first stdout line."""
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = await start_cli(
            args,
            env={**os.environ, **env},
            stdout=asyncio.subprocess.PIPE if wait_for_stdout_line else log,
            stderr=log,
        )
        child = Child(name=name, process=process, log_path=log_path)
        try:
            first_line = ""
            if wait_for_stdout_line:
                assert process.stdout is not None
                try:
                    raw = await asyncio.wait_for(process.stdout.readline(), timeout=60)
                except TimeoutError as exc:
                    raise StackError(f"{name} did not start within 60 s") from exc
                first_line = raw.decode().strip()
                if not first_line:
                    await process.wait()
                    raise StackError(
                        f"{name} exited with {process.returncode}:\n{log_tail(log_path)}"
                    )
            yield child, first_line
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), timeout=STOP_TIMEOUT_SECONDS)
                except TimeoutError:
                    process.kill()
                    await process.wait()


def parse_ready_line(name: str, line: str) -> dict[str, str]:
    try:
        parsed: dict[str, str] = json.loads(line)
    except ValueError as exc:
        raise StackError(f"{name} printed {line!r} instead of its JSON ready line") from exc
    return parsed


@dataclass(frozen=True)
class SimulatorTarget:
    """A `vk-eci simulator` process: where it listens, its throw-away credentials, its pid.

    Picklable, so benchmark client processes can be handed one.
    """

    endpoint: str
    admin_url: str
    access_key_id: str
    access_key_secret: str
    admin_token: str
    pid: int

    def client(self) -> Client:
        """An official-SDK client of this simulator (region cn-hangzhou, generous timeouts)."""
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
    workdir: Path, *, extra_args: Sequence[str] = ()
) -> AsyncIterator[SimulatorTarget]:
    """`vk-eci simulator` on a free port with a SQLite file in `workdir`; SIGTERM afterwards."""
    credentials = {
        "ECI_ACCESS_KEY_ID": "LTAIbench" + secrets.token_hex(4),
        "ECI_ACCESS_KEY_SECRET": secrets.token_urlsafe(24),
        "ECI_SIM_ADMIN_TOKEN": secrets.token_urlsafe(16),
    }
    args = [
        "simulator",
        "--listen", "127.0.0.1:0",
        "--database-url", f"sqlite+aiosqlite:///{workdir / 'simulator.db'}",
        "--log-level", "warning",
        "--log-format", "json",
        *extra_args,
    ]  # fmt: skip
    async with running_child(
        "simulator", args, env=credentials, workdir=workdir, wait_for_stdout_line=True
    ) as (child, line):
        ready = parse_ready_line("vk-eci simulator", line)
        yield SimulatorTarget(
            endpoint=ready["endpoint"],
            admin_url=ready["admin_url"],
            access_key_id=credentials["ECI_ACCESS_KEY_ID"],
            access_key_secret=credentials["ECI_ACCESS_KEY_SECRET"],
            admin_token=credentials["ECI_SIM_ADMIN_TOKEN"],
            pid=child.pid,
        )
