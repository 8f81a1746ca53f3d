"""A Pod's volumes and volume mounts as ECI volumes and mounts.

What ECI can hold: ConfigMap, Secret, downward API and projected volumes
become `ConfigFileVolume`s (their files computed by
`vkprovider.pods.volumefiles`, content base64 as ECI expects), `emptyDir`
becomes `EmptyDirVolume` (`medium: Memory`, `sizeLimit`), `nfs` becomes
`NFSVolume`. Anything else fails the Pod with a `PodSpecError` naming the
volume: `hostPath` (an ECI instance has no host to share), PVCs (no
ECI-backed CSI driver here), and every other kind.

The one exception is the token volume a real API server injects into every
Pod (`kube-api-access-*`, a projection holding a service account token): the
agent cannot mint tokens, so that volume and its mounts are left out, as
they were before ECI volumes existed; `vkprovider/README.md` says so.
Pure: no I/O.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, Final

from alibabacloud_eci20180808 import models as eci

from vkprovider.pods.environment import ReferencedObjects
from vkprovider.pods.errors import PodSpecError
from vkprovider.pods.instancespecs import InstanceSpec
from vkprovider.pods.volumefiles import (
    VolumeFile,
    downward_files,
    object_files,
    projected_files,
)
from vkprovider.types import RawObject

TOKEN_VOLUME_PREFIX: Final = "kube-api-access-"
SUPPORTED: Final = "configMap, secret, downwardAPI, projected, emptyDir, nfs"
MOUNT_PROPAGATIONS: Final = ("None", "HostToContainer", "Bidirectional")


def is_token_volume(volume: Mapping[str, Any]) -> bool:
    """The API server's injected service account volume (which the agent leaves out):
    a projected volume named `kube-api-access-*`, as the ServiceAccount admission names it."""
    return "projected" in volume and str(volume.get("name", "")).startswith(TOKEN_VOLUME_PREFIX)


def _volumes(pod: RawObject) -> list[dict[str, Any]]:
    return list((pod.get("spec") or {}).get("volumes") or [])


def volume_objects(pod: RawObject) -> tuple[set[str], set[str]]:
    """Names of the ConfigMaps and Secrets the Pod's (kept) volumes read."""
    config_maps: set[str] = set()
    secrets: set[str] = set()
    for volume in _volumes(pod):
        if is_token_volume(volume):
            continue
        if "configMap" in volume:
            config_maps.add(str(volume["configMap"].get("name") or ""))
        if "secret" in volume:
            secrets.add(str(volume["secret"].get("secretName") or ""))
        for source in (volume.get("projected") or {}).get("sources") or []:
            if "configMap" in source:
                config_maps.add(str(source["configMap"].get("name") or ""))
            if "secret" in source:
                secrets.add(str(source["secret"].get("name") or ""))
    return config_maps, secrets


def kept_volume_names(pod: RawObject) -> set[str]:
    """The volumes that go to ECI (all but the token volume); mounts of others are left out."""
    return {str(v.get("name")) for v in _volumes(pod) if not is_token_volume(v)}


def _config_files(files: list[VolumeFile], default_mode: Any) -> Any:
    return eci.CreateContainerGroupRequestVolumeConfigFileVolume(
        default_mode=int(default_mode) if default_mode is not None else None,
        config_file_to_path=[
            eci.CreateContainerGroupRequestVolumeConfigFileVolumeConfigFileToPath(
                path=file.path,
                content=base64.b64encode(file.content).decode("ascii"),
                mode=int(file.mode) if file.mode is not None else None,
            )
            for file in files
        ],
    )


def _unsupported(volume: Mapping[str, Any], where: str) -> PodSpecError:
    name = volume.get("name")
    kinds = [k for k in volume if k != "name"]
    kind = ", ".join(kinds) or "unknown"
    if "hostPath" in volume:
        why = "an ECI instance has no host to mount a path from"
    elif "persistentVolumeClaim" in volume:
        claim = (volume["persistentVolumeClaim"] or {}).get("claimName")
        why = f"claim {claim!r} has no ECI-backed CSI driver on this node"
    else:
        why = "ECI has no such volume"
    return PodSpecError(
        where, f"volume {name!r} of type {kind} is not supported: {why} (supported: {SUPPORTED})"
    )


def eci_volumes(
    pod: RawObject, *, objects: ReferencedObjects, spec: InstanceSpec
) -> list[eci.CreateContainerGroupRequestVolume]:
    """The ECI volumes of the Pod; raises `PodSpecError` for one ECI cannot hold."""
    volumes = []
    for index, volume in enumerate(_volumes(pod)):
        where = f"spec.volumes[{index}]"
        name = str(volume.get("name"))
        if is_token_volume(volume):
            continue
        if "configMap" in volume or "secret" in volume:
            kind = "configMap" if "configMap" in volume else "secret"
            source = volume[kind] or {}
            files = object_files(source, kind=kind, where=f"{where}.{kind}", objects=objects)
            config = _config_files(files, source.get("defaultMode"))
        elif "downwardAPI" in volume:
            source = volume["downwardAPI"] or {}
            files = downward_files(pod, source, where=f"{where}.downwardAPI", spec=spec)
            config = _config_files(files, source.get("defaultMode"))
        elif "projected" in volume:
            source = volume["projected"] or {}
            files = projected_files(
                pod,
                source.get("sources") or [],
                where=f"{where}.projected",
                objects=objects,
                spec=spec,
            )
            config = _config_files(files, source.get("defaultMode"))
        elif "emptyDir" in volume:
            empty = volume["emptyDir"] or {}
            volumes.append(
                eci.CreateContainerGroupRequestVolume(
                    name=name,
                    type="EmptyDirVolume",
                    empty_dir_volume=eci.CreateContainerGroupRequestVolumeEmptyDirVolume(
                        medium=empty.get("medium") or None,
                        size_limit=str(empty["sizeLimit"]) if empty.get("sizeLimit") else None,
                    ),
                )
            )
            continue
        elif "nfs" in volume:
            nfs = volume["nfs"] or {}
            volumes.append(
                eci.CreateContainerGroupRequestVolume(
                    name=name,
                    type="NFSVolume",
                    nfsvolume=eci.CreateContainerGroupRequestVolumeNFSVolume(
                        server=nfs.get("server"),
                        path=nfs.get("path"),
                        read_only=bool(nfs.get("readOnly", False)),
                    ),
                )
            )
            continue
        else:
            raise _unsupported(volume, where)
        volumes.append(
            eci.CreateContainerGroupRequestVolume(
                name=name, type="ConfigFileVolume", config_file_volume=config
            )
        )
    return volumes


def volume_mounts(
    container: Mapping[str, Any], *, where: str, model: type[Any], pod: RawObject
) -> list[Any]:
    """The container's mounts as `model` (app or init mount class), token volume's left out."""
    kept = kept_volume_names(pod)
    declared = {str(v.get("name")) for v in _volumes(pod)}
    mounts = []
    for index, mount in enumerate(container.get("volumeMounts") or []):
        here = f"{where}.volumeMounts[{index}]"
        name = str(mount.get("name"))
        if name not in declared:
            raise PodSpecError(f"{here}.name", f"no volume named {name!r}")
        if name not in kept:
            continue
        if mount.get("subPathExpr"):
            raise PodSpecError(f"{here}.subPathExpr", "is not supported on ECI (use subPath)")
        if mount.get("recursiveReadOnly") not in (None, "Disabled"):
            raise PodSpecError(f"{here}.recursiveReadOnly", "is not supported on ECI")
        propagation = mount.get("mountPropagation")
        if propagation is not None and propagation not in MOUNT_PROPAGATIONS:
            raise PodSpecError(
                f"{here}.mountPropagation",
                f"{propagation!r} is not one of {', '.join(MOUNT_PROPAGATIONS)}",
            )
        mounts.append(
            model(
                name=name,
                mount_path=mount.get("mountPath"),
                read_only=bool(mount.get("readOnly", False)),
                sub_path=mount.get("subPath") or None,
                mount_propagation=propagation,
            )
        )
    return mounts
