"""ExecContainerCommand: run a command in a running container, as ECI documents it.

`Sync=true` answers at once with the command's output (stdout then stderr) in
`SyncResponse`; ECI forbids `TTY=true` with it. Otherwise the answer is a
`WebSocketUri` the simulator itself serves (`/exec/session?token=...`), valid
for 30 s like ECI's: the token is signed with the simulator's AccessKey
secret and carries the group, container, command, `Stdin` and `TTY`, so any
simulator process over the same store serves it (nothing kept in memory).
The session speaks the Kubernetes channel framing (`v4.channel.k8s.io`: one
leading byte per message, 0 stdin, 1 stdout, 2 stderr, 3 a `metav1.Status`
JSON with the exit code), which is what ECI's WebSocket terminal carries
too, so an agent can relay it to `kubectl exec`.

What the command prints comes from `simulator.engine.execcommands`; the group
must be Running and the container running (`IncorrectStatus` otherwise).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from simulator.engine.execcommands import ExecResult, run_command
from simulator.engine.grouptypes import ContainerPhase, GroupStatus
from simulator.errors import IncorrectStatus, InvalidParameter
from simulator.operations.containergroups import _get
from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.specs.groups import GroupSpec
from simulator.specs.podfields import list_mounted_dir, read_mounted_file
from simulator.store.tables import ContainerGroupRow

SESSION_PATH = "/exec/session"
SESSION_TTL_SECONDS = 30.0
"""How long a WebSocketUri can be used after ExecContainerCommand (ECI: 30 s)."""
MAX_COMMAND_ITEMS = 20
MAX_COMMAND_ITEM_LENGTH = 256


class InvalidExecToken(InvalidParameter):
    """A WebSocket session token that is malformed, forged or expired."""

    code = "InvalidParameter.Token"


@dataclass(frozen=True)
class ExecRequest:
    region_id: str
    group_id: str
    container: str
    command: tuple[str, ...]
    stdin: bool
    tty: bool


async def _run(ctx: Context, request: ExecRequest) -> ExecResult:
    now = ctx.clock.now()
    row, state = await _get(ctx, request.group_id, now, region_id=request.region_id)
    statuses = {s.plan.name: s for s in state.containers}
    status = statuses.get(request.container)
    if status is None:
        raise InvalidParameter(
            f'ContainerName: "{request.container}" is not a container of {request.group_id}'
            f" ({', '.join(statuses)})"
        )
    if (
        state.status is not GroupStatus.RUNNING
        or status.current.phase is not ContainerPhase.RUNNING
    ):
        raise IncorrectStatus(
            f"container {request.container} of {request.group_id} is not running "
            f"(group {state.status.value}, container {status.current.phase.value}); "
            "commands run only in running containers"
        )
    return _execute(row, request)


def _execute(row: ContainerGroupRow, request: ExecRequest) -> ExecResult:
    spec = GroupSpec.from_json(row.spec)
    container = next(c for c in spec.containers if c.name == request.container)

    def read(path: str) -> bytes | None:
        return read_mounted_file(path, mounts=container.volume_mounts, volumes=spec.volumes)

    def listing(path: str) -> list[str] | None:
        return list_mounted_dir(path, mounts=container.volume_mounts, volumes=spec.volumes)

    return run_command(
        request.command,
        env=dict(container.env),
        hostname=spec.name,
        read_file=read,
        list_dir=listing,
    )


def _command(params: Params) -> tuple[str, ...]:
    command = params.json_strings("Command", max_items=MAX_COMMAND_ITEMS)
    if not command:
        raise InvalidParameter(
            'Command: expected a JSON array of 1 to 20 strings, e.g. ["/bin/sh", "-c", "ls"]'
        )
    for item in command:
        if len(item) > MAX_COMMAND_ITEM_LENGTH:
            raise InvalidParameter(f"Command: an item of {len(item)} characters; at most 256 each")
    return tuple(command)


async def exec_container_command(ctx: Context, params: Params) -> dict[str, Any]:
    request = ExecRequest(
        region_id=params.required_text("RegionId", max_length=64),
        group_id=params.required_text("ContainerGroupId", max_length=64),
        container=params.required_text("ContainerName", max_length=128),
        command=_command(params),
        stdin=params.flag("Stdin", default=True),
        tty=params.flag("TTY"),
    )
    sync = params.flag("Sync")
    if sync and request.tty:
        raise InvalidParameter("TTY: must be false when Sync is true")
    result = await _run(ctx, request)
    if sync:
        return {"SyncResponse": (result.stdout + result.stderr).decode(errors="replace")}
    expires = ctx.clock.now() + timedelta(seconds=SESSION_TTL_SECONDS)
    token = _sign(ctx, request, expires)
    return {"WebSocketUri": f"{SESSION_PATH}?token={token}", "HttpUrl": ""}


def _key(ctx: Context) -> bytes:
    secrets = "".join(c.access_key_secret for c in ctx.settings.security.credentials)
    return ("exec-session:" + secrets).encode()


def _sign(ctx: Context, request: ExecRequest, expires: datetime) -> str:
    payload = json.dumps(
        [
            request.region_id,
            request.group_id,
            request.container,
            list(request.command),
            request.stdin,
            request.tty,
            expires.timestamp(),
        ]
    ).encode()
    mac = hmac.new(_key(ctx), payload, hashlib.sha256).digest()
    return (
        base64.urlsafe_b64encode(payload).decode().rstrip("=")
        + "."
        + base64.urlsafe_b64encode(mac).decode().rstrip("=")
    )


def _unpad(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def run_line(ctx: Context, request: ExecRequest, line: str) -> ExecResult:
    """One line typed into an interactive `sh` session, run as `sh -c LINE`."""
    return await _run(ctx, dataclasses.replace(request, command=("sh", "-c", line)))


async def open_session(ctx: Context, token: str) -> tuple[ExecRequest, ExecResult]:
    """Check a session token and run its command now (raises `EciError`)."""
    try:
        payload_text, mac_text = token.split(".", 1)
        payload, mac = _unpad(payload_text), _unpad(mac_text)
        region_id, group_id, container, command, stdin, tty, expires = json.loads(payload)
    except ValueError as exc:
        raise InvalidExecToken("token: not a session token ExecContainerCommand gave") from exc
    if not hmac.compare_digest(mac, hmac.new(_key(ctx), payload, hashlib.sha256).digest()):
        raise InvalidExecToken("token: the signature does not match")
    if ctx.clock.now().timestamp() > float(expires):
        raise InvalidExecToken(
            f"token: expired ({SESSION_TTL_SECONDS:g} s after ExecContainerCommand)"
        )
    request = ExecRequest(
        str(region_id), str(group_id), str(container), tuple(command), bool(stdin), bool(tty)
    )
    return request, await _run(ctx, request)
