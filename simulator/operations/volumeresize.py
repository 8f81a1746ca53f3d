"""ResizeContainerGroupVolume: grow a cloud-disk volume of a running container group.

ECI's API page: only disk volumes can be resized, only to a larger size (the
same size grows the file system only: accepted, nothing changes), `NewSize`
in GiB within the disk category's range (20 to 32768 for ultra, standard
and enhanced SSDs, 5 to 2000 for a basic disk); a volume of another type is
HTTP 403 `InvalidVolumeType`, a bad value 400 `InvalidParameter`.

Here a disk volume is `DiskVolume` (an existing disk, `DiskId`). Its
category is not part of the request, so `NewSize` is checked against the
widest documented range, 5 to 32768; a size below the volume's
`DiskVolumeDiskSize` is refused (without a size given at creation any size
is a growth). The new size is stored in the group's spec, so
DescribeContainerGroups' `Volumes` show it as `DiskVolumeDiskSize`. The
group must be Running (`IncorrectStatus` otherwise): an assumption, as for
UpdateContainerGroup. The write is conditional on the row's `seq`, so it
never overwrites a concurrent update of the same group's spec.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import update

from simulator.engine.grouptypes import GroupStatus
from simulator.engine.timestamps import on_millisecond
from simulator.errors import EciError, IncorrectStatus, InvalidParameter, MissingParameter
from simulator.operations.containergroups import _get
from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.specs.groups import GroupSpec
from simulator.store.tables import ContainerGroupRow

MIN_SIZE_GIB = 5
MAX_SIZE_GIB = 32768
RESIZABLE = ("DiskVolume",)
_SIZE_FIELD = "DiskVolumeDiskSize"
_ATTEMPTS = 3
_FIELDS = frozenset(
    {
        "RegionId",
        "ContainerGroupId",
        "VolumeName",
        "NewSize",
        "ClientToken",
        "OwnerAccount",
        "OwnerId",
        "ResourceOwnerAccount",
        "ResourceOwnerId",
    }
)


class InvalidVolumeType(EciError):
    """The named volume is not a disk: ECI resizes disk volumes only."""

    code = "InvalidVolumeType"
    http_status = 403


async def resize_container_group_volume(ctx: Context, params: Params) -> dict[str, Any]:
    params.refuse_unknown(_FIELDS, action="ResizeContainerGroupVolume")
    region_id = params.required_text("RegionId", max_length=64)
    group_id = params.required_text("ContainerGroupId", max_length=64)
    volume_name = params.required_text("VolumeName", max_length=63)
    new_size = params.integer("NewSize", minimum=MIN_SIZE_GIB, maximum=MAX_SIZE_GIB)
    if new_size is None:
        raise MissingParameter("NewSize is required (GiB)")
    params.client_token()
    for _ in range(_ATTEMPTS):
        now = on_millisecond(ctx.clock.now())
        row, state = await _get(ctx, group_id, now, region_id=region_id)
        if state.status is not GroupStatus.RUNNING or row.deleted_at is not None:
            raise IncorrectStatus(
                f"ResizeContainerGroupVolume: container group {group_id} is "
                f"{state.status.value}; only a Running group's volumes can be resized"
            )
        spec = GroupSpec.from_json(row.spec)
        volumes = {volume.name: volume for volume in spec.volumes}
        volume = volumes.get(volume_name)
        if volume is None:
            raise InvalidParameter(
                f'VolumeName: "{volume_name}" is not a volume of {group_id} '
                f"({', '.join(sorted(volumes)) or 'it has none'})"
            )
        if volume.type not in RESIZABLE:
            raise InvalidVolumeType(
                f'VolumeName: "{volume_name}" is a {volume.type}; only a disk volume '
                f"({', '.join(RESIZABLE)}) can be resized"
            )
        fields = dict(volume.fields)
        current = int(fields[_SIZE_FIELD]) if _SIZE_FIELD in fields else None
        if current is not None and new_size < current:
            raise InvalidParameter(
                f"NewSize: {new_size} GiB is smaller than volume {volume_name}'s {current} GiB; "
                "a volume can only grow"
            )
        if current == new_size:
            return {}  # the same size: only the file system grows
        fields[_SIZE_FIELD] = str(new_size)
        resized = dataclasses.replace(volume, fields=tuple(fields.items()))
        new_spec = dataclasses.replace(
            spec, volumes=tuple(resized if v.name == volume_name else v for v in spec.volumes)
        )
        async with ctx.db.writing() as session:
            result = await session.execute(
                update(ContainerGroupRow)
                .where(
                    ContainerGroupRow.id == row.id,
                    ContainerGroupRow.seq == row.seq,
                    ContainerGroupRow.deleted_at.is_(None),
                )
                .values(spec=new_spec.to_json(), seq=ContainerGroupRow.seq + 1)
            )
            await session.commit()
        if getattr(result, "rowcount", 0) == 1:
            ctx.logger.info(
                "container group volume resized",
                group=group_id,
                volume=volume_name,
                from_gib=current,
                to_gib=new_size,
            )
            return {}
    raise EciError(
        f"ResizeContainerGroupVolume: container group {group_id} kept changing; try again",
        code="ServiceUnavailable",
        http_status=503,
    )
