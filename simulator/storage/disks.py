"""Emulated cloud disks and snapshots: the layers written on them.

A cache build writes the unpacked layers of its images onto a temporary disk
and snapshots it; an instance created from the cache gets a disk made from
that snapshot. Writing a layer already on a disk stores nothing (dedup), and
a write that would overflow the disk fails with `DiskFull` naming what it
needs, in GiB. How big a cache's disk must be is `simulator.storage.capacity`.

Values only (frozen dataclasses); the service persists them. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NewType

from simulator.errors import InvalidParameter
from simulator.registry.images import Layer
from simulator.storage.capacity import GIB, gib_needed, gib_text

__all__ = [
    "Disk",
    "DiskFull",
    "DiskId",
    "Snapshot",
    "SnapshotId",
    "disk_from_snapshot",
    "new_disk",
    "take_snapshot",
    "write_layers",
]

DiskId = NewType("DiskId", str)
SnapshotId = NewType("SnapshotId", str)


class DiskFull(InvalidParameter):
    """Layers written to a disk would exceed its size."""


@dataclass(frozen=True)
class Disk:
    """A cloud disk: its size and the layers written on it."""

    disk_id: DiskId
    size_gib: int
    layers: frozenset[str] = frozenset()
    used_bytes: int = 0
    """Uncompressed bytes of the layers on it."""
    snapshot_id: SnapshotId | None = None
    """The snapshot it was created from, if any."""

    @property
    def free_bytes(self) -> int:
        return self.size_gib * GIB - self.used_bytes


@dataclass(frozen=True)
class Snapshot:
    """A snapshot of a disk: the set of layers materialised on it."""

    snapshot_id: SnapshotId
    source_disk_id: DiskId
    size_gib: int
    layers: frozenset[str]
    used_bytes: int
    created_at: datetime

    def billed_gib_seconds(self, *, until: datetime) -> float:
        """GiB-seconds billed from creation until `until` (a snapshot is billed while it exists)."""
        return self.size_gib * max(0.0, (until - self.created_at).total_seconds())


def new_disk(*, disk_id: str, size_gib: int) -> Disk:
    """An empty disk (a cache build's temporary disk)."""
    if size_gib < 1:
        raise InvalidParameter(f"disk size: {size_gib} GiB is not valid, expected >= 1")
    return Disk(disk_id=DiskId(disk_id), size_gib=size_gib)


def write_layers(disk: Disk, layers: Iterable[Layer]) -> Disk:
    """The disk with `layers` written (layers already on it are skipped), or `DiskFull`."""
    added = {layer.digest: layer for layer in layers if layer.digest not in disk.layers}
    used = disk.used_bytes + sum(layer.uncompressed_bytes for layer in added.values())
    if used > disk.size_gib * GIB:
        raise DiskFull(
            f"disk {disk.disk_id}: {disk.size_gib} GiB is too small: the layers need "
            f"{gib_needed(used)} GiB ({gib_text(used)})"
        )
    return Disk(
        disk_id=disk.disk_id,
        size_gib=disk.size_gib,
        layers=disk.layers | frozenset(added),
        used_bytes=used,
        snapshot_id=disk.snapshot_id,
    )


def take_snapshot(disk: Disk, *, snapshot_id: str, created_at: datetime) -> Snapshot:
    """Snapshot `disk`: what is on it now."""
    return Snapshot(
        snapshot_id=SnapshotId(snapshot_id),
        source_disk_id=disk.disk_id,
        size_gib=disk.size_gib,
        layers=disk.layers,
        used_bytes=disk.used_bytes,
        created_at=created_at,
    )


def disk_from_snapshot(snapshot: Snapshot, *, disk_id: str, size_gib: int | None = None) -> Disk:
    """A new disk holding the snapshot's layers (hydrated lazily; see the time model)."""
    size = snapshot.size_gib if size_gib is None else size_gib
    if size < snapshot.size_gib:
        raise InvalidParameter(
            f"disk size: {size} GiB is smaller than snapshot {snapshot.snapshot_id} "
            f"({snapshot.size_gib} GiB)"
        )
    return Disk(
        disk_id=DiskId(disk_id),
        size_gib=size,
        layers=snapshot.layers,
        used_bytes=snapshot.used_bytes,
        snapshot_id=snapshot.snapshot_id,
    )
