"""CreateContainerGroup's volumes and volume mounts, checked.

`Volume.N.*` (ConfigFileVolume with its files, EmptyDirVolume, NFSVolume,
DiskVolume, FlexVolume, HostPathVolume) and `Container.N.VolumeMount.M.*`:
names unique, one type per volume with that type's fields only, a mount
naming a volume of the group, paths absolute or relative as ECI wants them.
A bad value is refused naming the full parameter. A ConfigFileVolume's
content is checked to be base64 and kept as sent, never quoted in an error.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re

from simulator.errors import InvalidParameter, MissingParameter
from simulator.operations.params import Params
from simulator.specs.podfields import ConfigFile, Mount, Volume

__all__ = ["parse_mounts", "parse_volumes"]

ACTION = "CreateContainerGroup"

_VOLUME_TYPES = (
    "ConfigFileVolume",
    "EmptyDirVolume",
    "NFSVolume",
    "DiskVolume",
    "FlexVolume",
    "HostPathVolume",
)
_QUANTITY = re.compile(r"(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")
_VOLUME_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_MAX_MODE = 0o777
_PROPAGATIONS = ("None", "HostToContainer", "Bidirectional")


def _mode(params: Params, name: str) -> int | None:
    return params.integer(name, minimum=0, maximum=_MAX_MODE)


def _config_files(volume: Params) -> tuple[tuple[ConfigFile, ...], int | None]:
    config = volume.child("ConfigFileVolume")
    config.refuse_unknown(frozenset({"ConfigFileToPath", "DefaultMode"}), action=ACTION)
    files = []
    for item in config.items("ConfigFileToPath", max_items=1000):
        item.refuse_unknown(frozenset({"Content", "Mode", "Path"}), action=ACTION)
        path = item.required_text("Path", max_length=4096)
        if path.startswith("/") or ".." in path.split("/"):
            raise InvalidParameter(
                f'{item.path("Path")}: "{path}" must be a relative path without ".."'
            )
        content = item.text("Content", max_length=16 * 1024 * 1024) or ""
        try:
            base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParameter(
                f"{item.path('Content')}: not base64 (ECI decodes the file content from base64)"
            ) from None
        files.append(ConfigFile(path=path, content=content, mode=_mode(item, "Mode")))
    return tuple(files), _mode(config, "DefaultMode")


def _volume_fields(volume: Params, kind: str) -> tuple[tuple[str, str], ...]:
    """The type's fields (other than config files), checked, by their Describe names."""
    sub = volume.child(kind)
    fields: list[tuple[str, str]] = []
    if kind == "EmptyDirVolume":
        sub.refuse_unknown(frozenset({"Medium", "SizeLimit"}), action=ACTION)
        medium = sub.text("Medium", max_length=32)
        if medium not in (None, "Memory", "LocalRaid0"):
            raise InvalidParameter(
                f'{sub.path("Medium")}: "{medium}" is not one of "" (disk), Memory, LocalRaid0'
            )
        size = sub.text("SizeLimit", max_length=32)
        if size is not None and not _QUANTITY.fullmatch(size):
            raise InvalidParameter(
                f'{sub.path("SizeLimit")}: "{size}" is not a quantity like 256Mi or 1Gi'
            )
        fields += [("EmptyDirVolumeMedium", medium or ""), ("EmptyDirVolumeSizeLimit", size or "")]
    elif kind == "NFSVolume":
        sub.refuse_unknown(frozenset({"Path", "ReadOnly", "Server"}), action=ACTION)
        server = sub.required_text("Server", max_length=256)
        path = sub.required_text("Path", max_length=4096)
        read_only = sub.flag("ReadOnly")
        fields += [
            ("NFSVolumeServer", server),
            ("NFSVolumePath", path),
            ("NFSVolumeReadOnly", "true" if read_only else "false"),
        ]
    elif kind == "DiskVolume":
        sub.refuse_unknown(frozenset({"DiskId", "DiskSize", "FsType"}), action=ACTION)
        fields += [
            ("DiskVolumeDiskId", sub.required_text("DiskId", max_length=64)),
            ("DiskVolumeFsType", sub.choice("FsType", allowed=("ext4", "xfs"), default="ext4")),
        ]
        disk_size = sub.integer("DiskSize", minimum=1, maximum=32768)
        if disk_size is not None:
            fields.append(("DiskVolumeDiskSize", str(disk_size)))
    elif kind == "FlexVolume":
        sub.refuse_unknown(frozenset({"Driver", "FsType", "Options"}), action=ACTION)
        flex_options = sub.text("Options", max_length=65536)
        if flex_options is not None:
            try:
                parsed = json.loads(flex_options)
            except json.JSONDecodeError:
                parsed = None
            if not isinstance(parsed, dict):
                raise InvalidParameter(f"{sub.path('Options')}: not a JSON object")
        fields += [
            ("FlexVolumeDriver", sub.required_text("Driver", max_length=256)),
            ("FlexVolumeFsType", sub.text("FsType", max_length=32) or ""),
            ("FlexVolumeOptions", flex_options or ""),
        ]
    elif kind == "HostPathVolume":
        sub.refuse_unknown(frozenset({"Path", "Type"}), action=ACTION)
        path = sub.required_text("Path", max_length=4096)
        if not path.startswith("/"):
            raise InvalidParameter(f'{sub.path("Path")}: "{path}" must be an absolute path')
        fields += [("HostPathVolumePath", path), ("HostPathVolumeType", sub.text("Type") or "")]
    return tuple(fields)


def parse_volumes(params: Params) -> tuple[Volume, ...]:
    """`Volume.N.*`: names unique, one type each, that type's fields only."""
    volumes: list[Volume] = []
    for item in params.items("Volume", max_items=100):
        item.refuse_unknown(frozenset({"Name", "Type", *_VOLUME_TYPES}), action=ACTION)
        name = item.required_text("Name", max_length=63)
        if not _VOLUME_NAME.fullmatch(name):
            raise InvalidParameter(
                f'{item.path("Name")}: "{name}" must be 1 to 63 lowercase letters, digits or '
                "hyphens, starting and ending with a letter or digit"
            )
        if any(volume.name == name for volume in volumes):
            raise InvalidParameter(f'{item.path("Name")}: volume "{name}" is given twice')
        kind = item.text("Type", max_length=32)
        if kind is None:
            raise MissingParameter(f"{item.path('Type')} is required ({', '.join(_VOLUME_TYPES)})")
        if kind not in _VOLUME_TYPES:
            raise InvalidParameter(
                f'{item.path("Type")}: "{kind}" is not one of {", ".join(_VOLUME_TYPES)}'
            )
        others = [other for other in _VOLUME_TYPES if other != kind and item.has(other)]
        if others:
            raise InvalidParameter(f"{item.path(others[0])}: given for a volume of Type {kind}")
        files: tuple[ConfigFile, ...] = ()
        default_mode = None
        if kind == "ConfigFileVolume":
            files, default_mode = _config_files(item)
        volumes.append(
            Volume(
                name=name,
                type=kind,
                files=files,
                default_mode=default_mode,
                fields=_volume_fields(item, kind),
            )
        )
    return tuple(volumes)


def parse_mounts(item: Params, volumes: tuple[Volume, ...]) -> tuple[Mount, ...]:
    """`Container.N.VolumeMount.M.*`: each names a volume of the group."""
    names = {volume.name for volume in volumes}
    mounts = []
    allowed = frozenset({"MountPath", "MountPropagation", "Name", "ReadOnly", "SubPath"})
    for mount in item.items("VolumeMount", max_items=100):
        mount.refuse_unknown(allowed, action=ACTION)
        name = mount.required_text("Name", max_length=63)
        if name not in names:
            raise InvalidParameter(
                f'{mount.path("Name")}: "{name}" is not a volume of this group '
                f"({', '.join(sorted(names)) or 'it has none'})"
            )
        path = mount.required_text("MountPath", max_length=4096)
        if not path.startswith("/"):
            raise InvalidParameter(f'{mount.path("MountPath")}: "{path}" must be absolute')
        sub_path = mount.text("SubPath", max_length=4096)
        if sub_path is not None and (
            sub_path.startswith("/") or ".." in posixpath.normpath(sub_path).split("/")
        ):
            raise InvalidParameter(
                f'{mount.path("SubPath")}: "{sub_path}" must be a relative path without ".."'
            )
        propagation = mount.text("MountPropagation", max_length=32)
        if propagation is not None and propagation not in _PROPAGATIONS:
            raise InvalidParameter(
                f'{mount.path("MountPropagation")}: "{propagation}" is not one of '
                f"{', '.join(_PROPAGATIONS)}"
            )
        read_only = mount.flag("ReadOnly") if mount.has("ReadOnly") else None
        mounts.append(Mount(name, path, read_only, sub_path, propagation))
    return tuple(mounts)
