"""A throw-away PostgreSQL server for tests: initdb into a temp dir, pg_ctl start, stop at the end.

Skips (with the reason) when the server binaries are missing. PostgreSQL refuses
to run as root, so as root the server runs as the `postgres` user via `runuser`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"


def _binaries() -> str | None:
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(directory, "initdb")):
            return directory
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    binaries = _binaries()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    prefix: list[str] = []
    directory = tempfile.mkdtemp(prefix="vk-eci-pg-")
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(directory)
            pytest.skip("running as root and there is no postgres user to run the server as")
        os.chown(directory, account.pw_uid, account.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(directory, "data")
    port = _free_port()
    options = f"-k {directory} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = os.path.join(directory, "log")
    try:
        for command in (
            [f"{binaries}/initdb", "-D", data, "-A", "trust", "-U", "postgres"],
            [f"{binaries}/pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start"],
        ):
            subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(f"cannot start a PostgreSQL server here: {exc} {detail.decode()[-300:]}")
    try:
        yield PostgresServer(host="127.0.0.1", port=port, user="postgres")
    finally:
        subprocess.run(
            [*prefix, f"{binaries}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(directory, ignore_errors=True)
