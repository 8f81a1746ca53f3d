"""Checked values of CreateContainerGroup's Pod fields: volumes, mounts, probes, the rest.

What `simulator.operations.groupfields` makes of `Volume.N.*`,
`Container.N.VolumeMount.M.*`, `Container.N.LivenessProbe.*` and the other
fields the SDK model carries for Pods, and what the engine acts on: probes
decide readiness and liveness restarts, volumes and mounts decide which files
a simulated workload can read. Fields the simulator only stores and echoes
(DNS, host aliases, security contexts, lifecycle hooks, ...) are kept in the
shape DescribeContainerGroups answers with (`echo`), already checked.

Frozen values with their JSON form (the store keeps them inside the group's
spec). A ConfigFileVolume's content is kept as sent (base64), since ECI echoes
it; nothing here logs. No I/O.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
from dataclasses import dataclass
from typing import Any

__all__ = ["ConfigFile", "Mount", "Probe", "Volume", "read_mounted_file"]


@dataclass(frozen=True)
class ConfigFile:
    """One file of a ConfigFileVolume: a relative path and its base64 content."""

    path: str
    content: str
    """Base64, as sent (`ConfigFileToPath.N.Content`)."""
    mode: int | None = None

    def decoded(self) -> bytes:
        try:
            return base64.b64decode(self.content, validate=True)
        except (binascii.Error, ValueError):
            return b""


@dataclass(frozen=True)
class Volume:
    """`Volume.N`: a name, a type and that type's fields."""

    name: str
    type: str
    """ConfigFileVolume, EmptyDirVolume, NFSVolume, DiskVolume, FlexVolume or HostPathVolume."""
    files: tuple[ConfigFile, ...] = ()
    default_mode: int | None = None
    fields: tuple[tuple[str, str], ...] = ()
    """The type's other fields as Describe names them (`EmptyDirVolumeMedium`, ...)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "files": [[f.path, f.content, f.mode] for f in self.files],
            "default_mode": self.default_mode,
            "fields": [list(pair) for pair in self.fields],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Volume:
        return cls(
            name=data["name"],
            type=data["type"],
            files=tuple(ConfigFile(p, c, m) for p, c, m in data["files"]),
            default_mode=data["default_mode"],
            fields=tuple((k, v) for k, v in data["fields"]),
        )


@dataclass(frozen=True)
class Mount:
    """`Container.N.VolumeMount.M`."""

    name: str
    mount_path: str
    read_only: bool | None = None
    sub_path: str | None = None
    propagation: str | None = None

    def to_json(self) -> list[Any]:
        return [self.name, self.mount_path, self.read_only, self.sub_path, self.propagation]

    @classmethod
    def from_json(cls, data: list[Any]) -> Mount:
        name, mount_path, read_only, sub_path, propagation = data
        return cls(name, mount_path, read_only, sub_path, propagation)


@dataclass(frozen=True)
class Probe:
    """A liveness or readiness probe: how it checks, and its timing (seconds)."""

    handler: str
    """`exec`, `httpGet` or `tcpSocket`."""
    command: tuple[str, ...] = ()
    path: str | None = None
    port: int | None = None
    scheme: str | None = None
    initial_delay_seconds: float = 0.0
    period_seconds: float = 10.0
    timeout_seconds: float = 1.0
    success_threshold: int = 1
    failure_threshold: int = 3

    def to_json(self) -> dict[str, Any]:
        return {
            "handler": self.handler,
            "command": list(self.command),
            "path": self.path,
            "port": self.port,
            "scheme": self.scheme,
            "initial_delay_seconds": self.initial_delay_seconds,
            "period_seconds": self.period_seconds,
            "timeout_seconds": self.timeout_seconds,
            "success_threshold": self.success_threshold,
            "failure_threshold": self.failure_threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Probe | None:
        if data is None:
            return None
        return cls(**{**data, "command": tuple(data["command"])})

    def to_wire(self) -> dict[str, Any]:
        """The probe as DescribeContainerGroups names its fields."""
        body: dict[str, Any] = {
            "InitialDelaySeconds": int(self.initial_delay_seconds),
            "PeriodSeconds": int(self.period_seconds),
            "TimeoutSeconds": int(self.timeout_seconds),
            "SuccessThreshold": self.success_threshold,
            "FailureThreshold": self.failure_threshold,
        }
        if self.handler == "exec":
            body["Execs"] = list(self.command)
        elif self.handler == "httpGet":
            body["HttpGet"] = {"Path": self.path or "", "Port": self.port, "Scheme": self.scheme}
        else:
            body["TcpSocket"] = {"Port": self.port}
        return body


def read_mounted_file(
    path: str, *, mounts: tuple[Mount, ...], volumes: tuple[Volume, ...]
) -> bytes | None:
    """The content a container reads at `path` from its ConfigFileVolume mounts, or None.

    A mount without `SubPath` shows the volume's files under the mount path; with
    `SubPath` the mount path is that one file (or directory) of the volume.
    """
    by_name = {volume.name: volume for volume in volumes}
    wanted = posixpath.normpath(path)
    for mount in mounts:
        volume = by_name.get(mount.name)
        if volume is None or volume.type != "ConfigFileVolume":
            continue
        root = posixpath.normpath(mount.mount_path)
        if wanted != root and not wanted.startswith(root.rstrip("/") + "/"):
            continue
        inside = posixpath.relpath(wanted, root)
        if mount.sub_path:
            inside = posixpath.normpath(posixpath.join(mount.sub_path, inside))
        for file in volume.files:
            if posixpath.normpath(file.path) == inside:
                return file.decoded()
    return None


def list_mounted_dir(
    path: str, *, mounts: tuple[Mount, ...], volumes: tuple[Volume, ...]
) -> list[str] | None:
    """The entries a container sees in directory `path` of its mounts (sorted), or None.

    A ConfigFileVolume mount shows its files (and the directories their paths
    make); an emptyDir mount is an empty directory; a directory on the way to
    a mount path shows the next component. None: not a directory the
    simulator knows of.
    """
    by_name = {volume.name: volume for volume in volumes}
    wanted = posixpath.normpath(path)
    entries: set[str] = set()
    found = False
    for mount in mounts:
        volume = by_name.get(mount.name)
        if volume is None:
            continue
        root = posixpath.normpath(mount.mount_path)
        if root.startswith(wanted.rstrip("/") + "/") and root != wanted:
            found = True
            entries.add(posixpath.relpath(root, wanted).split("/", 1)[0])
            continue
        if wanted != root and not wanted.startswith(root.rstrip("/") + "/"):
            continue
        inside = posixpath.relpath(wanted, root)
        if mount.sub_path:
            inside = posixpath.normpath(posixpath.join(mount.sub_path, inside))
        if volume.type != "ConfigFileVolume":
            found = found or inside == "."
            continue
        for file in volume.files:
            relative = posixpath.normpath(file.path)
            prefix = "" if inside == "." else inside + "/"
            if prefix and not relative.startswith(prefix):
                continue
            found = True
            entries.add(relative[len(prefix) :].split("/", 1)[0])
    return sorted(entries) if found else None
