"""A checked CreateContainerGroup request: the values the simulator keeps.

`GroupSpec` and `ContainerSpec` are what `simulator.operations.groupspec`
makes of a request once every parameter has passed ECI's rules, and what the
engine plans a group's lifecycle from. They live below both so that the engine
never imports an operation; the checking itself stays with the operations.

Frozen values with their JSON form (the store keeps a group's spec as JSON).
Registry passwords are never part of them. No I/O.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from simulator.specs.podfields import Mount, Probe, Volume

__all__ = ["ContainerSpec", "GroupSpec"]


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
    env_field_refs: tuple[tuple[str, str], ...] = ()
    """Variables set from a field of the instance (`FieldRef.FieldPath`), by name."""
    volume_mounts: tuple[Mount, ...] = ()
    liveness: Probe | None = None
    readiness: Probe | None = None
    echo: dict[str, Any] = field(default_factory=dict)
    """Checked fields only stored and echoed, in DescribeContainerGroups' shape."""

    def to_json(self) -> dict[str, Any]:
        return {
            "env_field_refs": [list(pair) for pair in self.env_field_refs],
            "volume_mounts": [m.to_json() for m in self.volume_mounts],
            "liveness": None if self.liveness is None else self.liveness.to_json(),
            "readiness": None if self.readiness is None else self.readiness.to_json(),
            "echo": self.echo,
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
            env_field_refs=tuple((k, v) for k, v in data.get("env_field_refs", [])),
            volume_mounts=tuple(Mount.from_json(m) for m in data.get("volume_mounts", [])),
            liveness=Probe.from_json(data.get("liveness")),
            readiness=Probe.from_json(data.get("readiness")),
            echo=dict(data.get("echo", {})),
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
    volumes: tuple[Volume, ...] = ()
    termination_grace_period_seconds: int | None = None
    echo: dict[str, Any] = field(default_factory=dict)
    """Checked group fields only stored and echoed (DNS, host aliases, ...), Describe's shape."""

    def to_json(self) -> dict[str, Any]:
        return {
            "volumes": [v.to_json() for v in self.volumes],
            "termination_grace_period_seconds": self.termination_grace_period_seconds,
            "echo": self.echo,
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
            volumes=tuple(Volume.from_json(v) for v in data.get("volumes", [])),
            termination_grace_period_seconds=data.get("termination_grace_period_seconds"),
            echo=dict(data.get("echo", {})),
        )

    @property
    def images(self) -> list[str]:
        """Every image the group needs, init containers first, duplicates once."""
        seen: list[str] = []
        for container in self.init_containers + self.containers:
            if container.image not in seen:
                seen.append(container.image)
        return seen


@functools.lru_cache(maxsize=4096)
def spec_from_text(text: str) -> GroupSpec:
    """A stored spec's JSON text, parsed, cached by the text itself.

    Describe answers and status polls show the same groups again and again. Equal texts
    are the same spec; the value is shared, so its dicts (tags, echo) are read, never
    changed in place (a change is `dataclasses.replace` with new ones and a new text).
    """
    return GroupSpec.from_json(json.loads(text))
