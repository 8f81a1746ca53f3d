"""Child processes of the scale benchmark (`vk-eci simulator`, `vk-eci agent`) and their cost.

Each part runs as the real CLI in its own process, so the agent's memory and CPU are
measured alone: peak resident memory is the kernel's high-water mark `VmHWM` from
`/proc/<pid>/status`, CPU time is utime + stime from `/proc/<pid>/stat`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

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
    """User + system CPU seconds of a running process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


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
    child_env = {**os.environ, **env}
    child_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (REPO, child_env.get("PYTHONPATH", "")) if p
    )
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "vkeci.cli",
            *args,
            env=child_env,
            stdout=asyncio.subprocess.PIPE if wait_for_stdout_line else log,
            stderr=log,
            stdin=asyncio.subprocess.DEVNULL,
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
