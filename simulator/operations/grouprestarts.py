"""RestartContainerGroup and UpdateContainerGroup (a container's image): restarts in the plan.

Both act on a Running group only (`IncorrectStatus` otherwise) and append a
`ContainerRestart` per container to the stored plan, never rewriting what
already happened: at the call's instant the container stops (exit 0,
`Killing` event), and starts again after its start time, its restart count
one higher, its previous state the run that was stopped.

RestartContainerGroup restarts every container from its current image.
UpdateContainerGroup with `Container.N.Name` and `Container.N.Image` restarts
only the containers whose image changes, after the new image's preparation:
no time when the instance already has that image (same manifest), otherwise
timed like a pull by the time model. The new image is resolved when the call
is made, with the call's `ImageRegistryCredential` and `AcrRegistryInfo`
(credentials are never stored): an image the registry does not have, or a private one without the
right credential, fails the call naming the image, and nothing changes.
The simulator updates nothing else in place (other fields are refused by
name).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import update

from simulator.engine.groupplan import (
    ContainerPlan,
    ContainerRestart,
    GroupPlan,
    ImagePreparation,
    ImageSource,
)
from simulator.engine.groupstate import project
from simulator.engine.grouptypes import GroupStatus
from simulator.engine.timestamps import after, on_millisecond
from simulator.errors import IncorrectStatus, InvalidParameter
from simulator.operations.acrinfo import acr_registry_info
from simulator.operations.containergroups import _get
from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.registry.catalog import ImagePullError
from simulator.registry.images import RegistryCredential
from simulator.specs.groups import GroupSpec
from simulator.store.tables import ContainerGroupRow
from simulator.timemodel.model import plan_image_preparation

UPDATE_FIELDS = frozenset(
    {
        "RegionId",
        "ContainerGroupId",
        "Container",
        "ImageRegistryCredential",
        "AcrRegistryInfo",
        "ClientToken",
        "UpdateType",
    }
)


def _restart(plan: ContainerPlan, restart: ContainerRestart) -> ContainerPlan:
    return dataclasses.replace(plan, restarts=(*plan.restarts, restart))


async def _running(
    ctx: Context, group_id: str, now: datetime, action: str, *, region_id: str
) -> ContainerGroupRow:
    row, state = await _get(ctx, group_id, now, region_id=region_id)
    if state.status is not GroupStatus.RUNNING or row.deleted_at is not None:
        raise IncorrectStatus(
            f"{action}: container group {group_id} is {state.status.value}; only a Running "
            "group can be" + (" restarted" if action == "RestartContainerGroup" else " updated")
        )
    return row


async def _store(
    ctx: Context, row: ContainerGroupRow, *, spec: GroupSpec, plan: GroupPlan, now: datetime
) -> None:
    state = project(plan, deleted_at=None, at=now)
    async with ctx.db.writing() as session:
        await session.execute(
            update(ContainerGroupRow)
            .where(ContainerGroupRow.id == row.id, ContainerGroupRow.deleted_at.is_(None))
            .values(
                spec=spec.to_json(),
                plan=plan.to_json(),
                status=state.status.value,
                changed_at=state.changed_at,
                next_due_at=state.next_change_at,
                seq=ContainerGroupRow.seq + 1,
            )
        )
        await session.commit()
    ctx.wake()


async def restart_container_group(ctx: Context, params: Params) -> dict[str, Any]:
    region_id = params.required_text("RegionId", max_length=64)
    group_id = params.required_text("ContainerGroupId", max_length=64)
    params.text("ClientToken", max_length=64)
    now = on_millisecond(ctx.clock.now())
    row = await _running(ctx, group_id, now, "RestartContainerGroup", region_id=region_id)
    plan = GroupPlan.from_json(row.plan)
    spec = GroupSpec.from_json(row.spec)
    images = {c.name: c.image for c in spec.containers}
    containers = tuple(
        _restart(
            c,
            ContainerRestart(at=now, image=images[c.name], prepare_seconds=0.0, reason="Restarted"),
        )
        for c in plan.containers
    )
    await _store(
        ctx, row, spec=spec, plan=dataclasses.replace(plan, containers=containers), now=now
    )
    ctx.logger.info("container group restarted", group=group_id)
    return {}


def _credentials(params: Params) -> list[RegistryCredential]:
    credentials = []
    for item in params.items("ImageRegistryCredential", max_items=20):
        item.refuse_unknown(
            frozenset({"Password", "Server", "UserName"}), action="UpdateContainerGroup"
        )
        credentials.append(
            RegistryCredential(
                server=item.required_text("Server", max_length=256),
                username=item.required_text("UserName", max_length=256),
                password=item.required_text("Password", max_length=1024),
            )
        )
    return credentials


async def update_container_group(ctx: Context, params: Params) -> dict[str, Any]:
    params.refuse_unknown(UPDATE_FIELDS, action="UpdateContainerGroup")
    region_id = params.required_text("RegionId", max_length=64)
    group_id = params.required_text("ContainerGroupId", max_length=64)
    params.text("ClientToken", max_length=64)
    update_type = params.text("UpdateType", max_length=32)
    if update_type not in (None, "RenewUpdate", "IncrementalUpdate"):
        raise InvalidParameter(
            f'UpdateType: "{update_type}" is not RenewUpdate or IncrementalUpdate'
        )
    wanted: dict[str, str] = {}
    for item in params.items("Container", max_items=20):
        item.refuse_unknown(frozenset({"Name", "Image"}), action="UpdateContainerGroup")
        wanted[item.required_text("Name", max_length=128)] = item.required_text(
            "Image", max_length=512
        )
    named = acr_registry_info(params, action="UpdateContainerGroup")
    credentials = [*_credentials(params), *ctx.catalog.acr_tokens(named, region_id=region_id)]
    now = on_millisecond(ctx.clock.now())
    row = await _running(ctx, group_id, now, "UpdateContainerGroup", region_id=region_id)
    plan = GroupPlan.from_json(row.plan)
    spec = GroupSpec.from_json(row.spec)
    names = [c.name for c in spec.containers]
    for name in wanted:
        if name not in names:
            raise InvalidParameter(
                f'Container.N.Name: "{name}" is not a container of {group_id} ({", ".join(names)})'
            )
    present = {image.image_id for image in plan.images if image.image_id}
    images = list(plan.images)
    containers = []
    specs = []
    for container_plan, container_spec in zip(plan.containers, spec.containers, strict=True):
        reference = wanted.get(container_spec.name)
        if reference is None or reference == container_spec.image:
            containers.append(container_plan)
            specs.append(container_spec)
            continue
        try:
            image = ctx.catalog.resolve(reference, credentials)
        except ImagePullError as exc:
            raise InvalidParameter(
                f'Container.N.Image: "{reference}" cannot be pulled: {exc.message}'
            ) from exc
        seconds = 0.0
        if image.image_id not in present:
            seconds = plan_image_preparation(
                model=ctx.model, images=[image], jitter_key=f"{group_id}/{reference}"
            ).total_seconds
        images.append(
            ImagePreparation(
                reference=reference,
                resolved=image.reference,
                source=ImageSource.REGISTRY,
                cache_id=None,
                started_at=now,
                finished_at=after(now, seconds),
                size_bytes=image.uncompressed_bytes,
                pulled_bytes=0 if image.image_id in present else image.compressed_bytes,
                image_id=image.image_id,
            )
        )
        present.add(image.image_id)
        restart = ContainerRestart(
            at=now, image=reference, prepare_seconds=seconds, reason="ImageChanged"
        )
        containers.append(_restart(container_plan, restart))
        specs.append(dataclasses.replace(container_spec, image=reference))
    new_plan = dataclasses.replace(plan, containers=tuple(containers), images=tuple(images))
    new_spec = dataclasses.replace(spec, containers=tuple(specs))
    await _store(ctx, row, spec=new_spec, plan=new_plan, now=now)
    ctx.logger.info("container group updated", group=group_id, images=wanted)
    return {}
