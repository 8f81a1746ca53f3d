"""CreateContainerGroup's request, checked and reduced to what the simulator keeps.

ECI's rules that the simulator enforces at the API (a bad request fails the
call, nothing is created): RegionId, ContainerGroupName and at least one
Container with Name and Image are required; names follow ECI's syntax and are
unique within the group; Cpu/Memory are positive numbers; RestartPolicy is
Always, OnFailure or Never; an image reference must be syntactically valid.
Whether an image *exists* or may be pulled is not checked here: like ECI, an
unknown or unauthorised image fails the instance (ErrImagePull), not the call.

Registry passwords are used at creation and never stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from simulator.catalog import RegistryCredential, normalize_reference
from simulator.errors import InvalidParameter, MissingParameter
from simulator.operations.params import Params

_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,126}[a-z0-9])?")
RESTART_POLICIES = ("Always", "OnFailure", "Never")


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    image: str
    cpu: float
    memory: float
    command: tuple[str, ...]
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    ports: tuple[tuple[int, str], ...]
    image_pull_policy: str
    readiness_initial_delay: float | None
    working_dir: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "image": self.image,
            "cpu": self.cpu,
            "memory": self.memory,
            "command": list(self.command),
            "args": list(self.args),
            "env": [list(pair) for pair in self.env],
            "ports": [list(pair) for pair in self.ports],
            "image_pull_policy": self.image_pull_policy,
            "readiness_initial_delay": self.readiness_initial_delay,
            "working_dir": self.working_dir,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContainerSpec:
        return cls(
            name=data["name"],
            image=data["image"],
            cpu=float(data["cpu"]),
            memory=float(data["memory"]),
            command=tuple(data["command"]),
            args=tuple(data["args"]),
            env=tuple((k, v) for k, v in data["env"]),
            ports=tuple((int(p), str(q)) for p, q in data["ports"]),
            image_pull_policy=data["image_pull_policy"],
            readiness_initial_delay=data.get("readiness_initial_delay"),
            working_dir=data.get("working_dir"),
        )


@dataclass(frozen=True)
class GroupSpec:
    """The validated request (everything but secrets)."""

    name: str
    region_id: str
    zone_id: str | None
    security_group_id: str | None
    vswitch_id: str | None
    restart_policy: str
    cpu: float
    memory: float
    instance_type: str | None
    containers: tuple[ContainerSpec, ...]
    init_containers: tuple[ContainerSpec, ...]
    tags: dict[str, str]
    image_snapshot_id: str | None
    auto_match_image_cache: bool
    image_full_match: bool
    image_match_count: int | None
    active_deadline_seconds: float | None
    client_token: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "region_id": self.region_id,
            "zone_id": self.zone_id,
            "security_group_id": self.security_group_id,
            "vswitch_id": self.vswitch_id,
            "restart_policy": self.restart_policy,
            "cpu": self.cpu,
            "memory": self.memory,
            "instance_type": self.instance_type,
            "containers": [c.to_json() for c in self.containers],
            "init_containers": [c.to_json() for c in self.init_containers],
            "tags": dict(self.tags),
            "image_snapshot_id": self.image_snapshot_id,
            "auto_match_image_cache": self.auto_match_image_cache,
            "image_full_match": self.image_full_match,
            "image_match_count": self.image_match_count,
            "active_deadline_seconds": self.active_deadline_seconds,
            "client_token": self.client_token,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GroupSpec:
        return cls(
            name=data["name"],
            region_id=data["region_id"],
            zone_id=data.get("zone_id"),
            security_group_id=data.get("security_group_id"),
            vswitch_id=data.get("vswitch_id"),
            restart_policy=data["restart_policy"],
            cpu=float(data["cpu"]),
            memory=float(data["memory"]),
            instance_type=data.get("instance_type"),
            containers=tuple(ContainerSpec.from_json(c) for c in data["containers"]),
            init_containers=tuple(ContainerSpec.from_json(c) for c in data["init_containers"]),
            tags=dict(data["tags"]),
            image_snapshot_id=data.get("image_snapshot_id"),
            auto_match_image_cache=bool(data["auto_match_image_cache"]),
            image_full_match=bool(data.get("image_full_match", False)),
            image_match_count=data.get("image_match_count"),
            active_deadline_seconds=data.get("active_deadline_seconds"),
            client_token=data.get("client_token"),
        )

    @property
    def images(self) -> list[str]:
        """Every image the group needs, init containers first, duplicates once."""
        seen: list[str] = []
        for container in self.init_containers + self.containers:
            if container.image not in seen:
                seen.append(container.image)
        return seen


def _check_name(value: str, *, path: str) -> str:
    if not _NAME.fullmatch(value):
        raise InvalidParameter(
            f'{path}: "{value}" must be 1 to 128 lowercase letters, digits or hyphens, '
            "starting and ending with a letter or digit"
        )
    return value


def _container(item: Params) -> ContainerSpec:
    name = _check_name(item.required_text("Name", max_length=128), path=item.path("Name"))
    image = item.required_text("Image", max_length=512)
    normalize_reference(image)
    env: list[tuple[str, str]] = []
    for var in item.items("EnvironmentVar", max_items=500):
        env.append(
            (var.required_text("Key", max_length=256), var.text("Value", max_length=65536) or "")
        )
    ports: list[tuple[int, str]] = []
    for port in item.items("Port"):
        number = port.integer("Port", minimum=1, maximum=65535)
        if number is None:
            raise MissingParameter(f"{port.path('Port')} is required")
        protocol = port.choice("Protocol", allowed=("TCP", "UDP", "SCTP"), default="TCP")
        ports.append((number, protocol))
    readiness = item.child("ReadinessProbe")
    delay = readiness.number("InitialDelaySeconds", minimum=0, maximum=86400)
    has_probe = any(readiness.has(n) for n in ("PeriodSeconds", "TcpSocket", "HttpGet", "Exec"))
    if delay is None and has_probe:
        delay = 0.0
    return ContainerSpec(
        name=name,
        image=image,
        cpu=item.number("Cpu", minimum=0, maximum=256) or 0.0,
        memory=item.number("Memory", minimum=0, maximum=2048) or 0.0,
        command=tuple(item.strings("Command", max_items=256)),
        args=tuple(item.strings("Arg", max_items=256)),
        env=tuple(env),
        ports=tuple(ports),
        image_pull_policy=item.choice(
            "ImagePullPolicy", allowed=("Always", "IfNotPresent", "Never"), default="IfNotPresent"
        ),
        readiness_initial_delay=delay,
        working_dir=item.text("WorkingDir", max_length=1024),
    )


def parse_group_request(params: Params) -> tuple[GroupSpec, list[RegistryCredential]]:
    """Validate a CreateContainerGroup request: the spec to keep and the credentials to use."""
    region_id = params.required_text("RegionId", max_length=64)
    name = _check_name(
        params.required_text("ContainerGroupName", max_length=128), path="ContainerGroupName"
    )
    containers = [_container(item) for item in params.items("Container", max_items=20)]
    if not containers:
        raise MissingParameter("Container.1.Name and Container.1.Image are required")
    inits = [_container(item) for item in params.items("InitContainer", max_items=20)]
    names = [c.name for c in inits + containers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidParameter(f"Container.N.Name: duplicate container names {duplicates}")
    credentials = []
    for item in params.items("ImageRegistryCredential", max_items=20):
        credentials.append(
            RegistryCredential(
                server=item.required_text("Server", max_length=256),
                username=item.required_text("UserName", max_length=256),
                password=item.required_text("Password", max_length=1024),
            )
        )
    cpu = params.number("Cpu", minimum=0.25, maximum=256)
    memory = params.number("Memory", minimum=0.5, maximum=2048)
    total_cpu = sum(c.cpu for c in containers)
    total_memory = sum(c.memory for c in containers)
    spec = GroupSpec(
        name=name,
        region_id=region_id,
        zone_id=params.text("ZoneId", max_length=64),
        security_group_id=params.text("SecurityGroupId", max_length=64),
        vswitch_id=params.text("VSwitchId", max_length=256),
        restart_policy=params.choice("RestartPolicy", allowed=RESTART_POLICIES, default="Always"),
        cpu=cpu if cpu is not None else (total_cpu or 2.0),
        memory=memory if memory is not None else (total_memory or 4.0),
        instance_type=params.text("InstanceType", max_length=256),
        containers=tuple(containers),
        init_containers=tuple(inits),
        tags=params.tags(),
        image_snapshot_id=params.text("ImageSnapshotId", max_length=64),
        auto_match_image_cache=params.flag("AutoMatchImageCache"),
        image_full_match=params.flag("ImageFullMatch"),
        image_match_count=params.integer("ImageMatchCountRequest", minimum=1, maximum=100),
        active_deadline_seconds=params.number("ActiveDeadlineSeconds", minimum=1),
        client_token=params.text("ClientToken", max_length=64),
    )
    return spec, credentials
