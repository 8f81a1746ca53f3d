"""Container group operations: Create, Describe, Status, Delete, logs and events.

Creation validates the request (`operations.groupspec`), picks an image cache
(`imagecaches.choose_cache`), resolves images against the catalog and plans
the group's whole future (`engine.planning`). Reads project every group's
plan at the clock's current instant, so they are exact even when the runner
has not yet materialised the latest status. `ClientToken` makes creation
idempotent across processes (a unique column, not process memory).

What fails the call (nothing is created), as ECI validates it up front: a
missing, unknown or malformed parameter (named in the message), a vCPU/memory
specification ECI does not sell, an invalid image reference, an unknown
region or zone, an explicit `ImageSnapshotId` that does not exist or is not
Ready. `DryRun=true` runs those checks and answers `DryRunOperation` (400)
instead of creating anything. What fails the *instance* instead, as ECI finds
out only while running it: an image the registry does not have or a private
image without the right credential (the container waits with ErrImagePull /
ImagePullBackOff, Failed and BackOff events count the retries, the group stays
Pending), an instance larger than any host in stock (ScheduleFailed, NoStock
event), ActiveDeadlineSeconds passing (Failed, DeadlineExceeded).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, update

from simulator.engine.containerlogs import log_lines
from simulator.engine.groupplan import GroupPlan
from simulator.engine.groupstate import project
from simulator.engine.grouptypes import GroupState, GroupStatus
from simulator.engine.planning import resolve_images
from simulator.engine.timestamps import on_millisecond, to_wire
from simulator.errors import EciError, InvalidParameter, NotFound
from simulator.operations.cacheauto import create_automatic_cache
from simulator.operations.cacheuse import choose_cache
from simulator.operations.context import Context, log_synthesized_pulls, new_id
from simulator.operations.groupspec import parse_group_request
from simulator.operations.groupviews import events_body, group_body, status_body
from simulator.operations.groupwrites import NewGroup
from simulator.operations.params import Params
from simulator.specs.groups import GroupSpec
from simulator.store.tables import ContainerGroupRow, GroupTagRow


class ContainerGroupNotFound(NotFound):
    """DeleteContainerGroup / DescribeContainerLog (and every call naming one group) on a
    group that does not exist or is gone: HTTP 404 `InvalidContainerGroupId.NotFound`.

    The code follows Alibaba Cloud's `Invalid<Parameter>.NotFound` convention for an id
    naming nothing (ECS `InvalidInstanceId.NotFound`; ECI's own
    `InvalidImageSnapshotId.NotFound`), which ECI clients match on. ECI's API pages
    (https://www.alibabacloud.com/help/en/eci/developer-reference/api-eci-2018-08-08-deletecontainergroup)
    list only IncorrectStatus and OperationConflict and defer to the error centre.
    DescribeContainerGroups filters instead: an unknown id in `ContainerGroupIds`
    is an empty page, as on ECI.
    """

    code = "InvalidContainerGroupId.NotFound"


class DryRunOperation(EciError):
    """`DryRun=true` and the request passed every check: ECI answers this, creating nothing."""

    code = "DryRunOperation"
    http_status = 400


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def state_of(row: ContainerGroupRow, at: datetime) -> GroupState:
    return project(GroupPlan.from_json(row.plan), deleted_at=row.deleted_at, at=at)


def _ip(counter: int) -> str:
    """A private IP per group: 192.168.0.2, 192.168.0.3, ... then the next /24."""
    block, host = divmod(counter - 1, 253)
    if block < 256:
        return f"192.168.{block}.{host + 2}"
    block -= 256
    return f"10.{(block // 256) % 256}.{block % 256}.{host + 2}"


def _check_region(ctx: Context, spec: GroupSpec) -> str:
    region = ctx.settings.region
    if spec.region_id != region.region_id:
        raise InvalidParameter(
            f'RegionId: "{spec.region_id}" is not served here (this simulator serves '
            f"{region.region_id})",
            code="InvalidRegionId",
        )
    if spec.zone_id is not None and spec.zone_id not in region.zones:
        raise InvalidParameter(
            f'ZoneId: "{spec.zone_id}" is not a zone of {region.region_id} '
            f"({', '.join(region.zones)})",
            code="InvalidZoneId",
        )
    return spec.zone_id or region.zones[0]


async def create_container_group(ctx: Context, params: Params) -> dict[str, Any]:
    spec, credentials = parse_group_request(params)
    zone = _check_region(ctx, spec)
    if params.flag("DryRun"):
        await choose_cache(
            ctx, spec, on_millisecond(ctx.clock.now())
        )  # a named cache must be Ready
        raise DryRunOperation("Request validation has been passed with DryRun flag set.")
    if spec.client_token is not None:
        existing = await ctx.group_id_for_token(spec.client_token)
        if existing is not None:
            return {"ContainerGroupId": existing}
    now = on_millisecond(ctx.clock.now())
    cache = await choose_cache(ctx, spec, now)
    if cache is None and spec.auto_match_image_cache and spec.image_snapshot_id is None:
        await create_automatic_cache(
            ctx, region_id=spec.region_id, images=spec.images, credentials=credentials, now=now
        )
    images, failures = resolve_images(catalog=ctx.catalog, spec=spec, credentials=credentials)
    group_id = new_id("eci-")
    serial = await ctx.next_ip()
    stored_id = await ctx.write_group(
        NewGroup(
            group_id=group_id,
            spec=spec,
            zone_id=zone,
            intranet_ip=_ip(serial),
            serial=serial,
            cache=cache,
            images=images,
            failures=failures,
        )
    )
    if stored_id != group_id:
        # Another request (maybe in another process) created it with the same ClientToken.
        return {"ContainerGroupId": stored_id}
    ctx.wake()
    ctx.logger.info(
        "container group created",
        group=group_id,
        name=spec.name,
        cache=None if cache is None else cache.cache_id,
    )
    log_synthesized_pulls(ctx, spec.images, group=group_id)
    return {"ContainerGroupId": group_id}


def _filtered(
    params: Params, query: Select[Any], *, now: datetime, termination_ms: int
) -> Select[Any]:
    ids = params.json_strings("ContainerGroupIds", max_items=20)
    if ids is not None:
        query = query.where(ContainerGroupRow.id.in_(ids))
    name = params.text("ContainerGroupName", max_length=128)
    if name is not None:
        query = query.where(ContainerGroupRow.name == name)
    zone = params.text("ZoneId", max_length=64)
    if zone is not None:
        query = query.where(ContainerGroupRow.zone_id == zone)
    for key, value in params.tags().items():
        # EXISTS, not `id IN (tagged ids)`: with the IN form SQLite starts from the tag
        # index (every group of a node), then sorts them all for each page; correlated, it
        # walks (created_at, serial) and stops at the page's end (10k groups: 44 -> 13 ms).
        tagged = exists().where(
            GroupTagRow.group_id == ContainerGroupRow.id,
            GroupTagRow.key == key,
            GroupTagRow.value == value,
        )
        query = query.where(tagged)
    # Deleted groups past Terminating are gone even before the runner removes them.
    gone_before = now - timedelta(milliseconds=termination_ms)
    return query.where(
        or_(ContainerGroupRow.deleted_at.is_(None), ContainerGroupRow.deleted_at > gone_before)
    )


async def _page(
    ctx: Context,
    params: Params,
    *,
    status: str | None = None,
    since_second: int | None = None,
    cursor: tuple[datetime, int] | None,
    limit: int,
) -> tuple[datetime, int, list[tuple[ContainerGroupRow, GroupState]], str]:
    """(now, total, page, next token): the filters run in SQL over freshly materialised
    statuses, and only the page's groups are projected. Pages follow creation order and
    the token names the last group seen, so groups created or deleted meanwhile never
    make a page repeat or skip one."""
    await ctx.settle()
    now = ctx.clock.now()
    termination_ms = round(ctx.model.termination_seconds * 1000)
    # A row that fell due after the settle above has a stale stored status: keep it as a
    # candidate and decide on its projected state.
    stale = ContainerGroupRow.next_due_at <= now
    since = None if since_second is None else now - timedelta(seconds=since_second)
    conditions = []
    if status is not None:
        conditions.append(or_(ContainerGroupRow.status == status, stale))
    if since is not None:
        conditions.append(or_(ContainerGroupRow.changed_at >= since, stale))
    rows_query = _filtered(
        params, select(ContainerGroupRow), now=now, termination_ms=termination_ms
    ).where(*conditions)
    count_query = _filtered(
        params,
        select(func.count()).select_from(ContainerGroupRow),
        now=now,
        termination_ms=termination_ms,
    ).where(*conditions)
    if cursor is not None:
        created, last = cursor
        rows_query = rows_query.where(
            or_(
                ContainerGroupRow.created_at > created,
                and_(ContainerGroupRow.created_at == created, ContainerGroupRow.serial > last),
            )
        )
    async with ctx.db.sessions() as session:
        rows = list(
            (
                await session.execute(
                    rows_query.order_by(
                        ContainerGroupRow.created_at, ContainerGroupRow.serial
                    ).limit(limit + 1)
                )
            ).scalars()
        )
        more = len(rows) > limit
        # A first page that holds every match is its own count (the same WHERE): one
        # query less for every describe by ids and every small listing.
        if cursor is None and not more:
            total = len(rows)
        else:
            total = int((await session.execute(count_query)).scalar_one())
        rows = rows[:limit]
        page = [(row, state_of(row, now)) for row in rows]
    token = _token(rows[-1]) if more and rows else ""
    return (
        now,
        total,
        [
            (row, state)
            for row, state in page
            if not state.gone
            and (status is None or state.status.value == status)
            and (since is None or state.changed_at >= since)
        ],
        token,
    )


def _token(row: ContainerGroupRow) -> str:
    micros = (row.created_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{row.serial}"


def _cursor(
    params: Params, *, default_limit: int, max_limit: int
) -> tuple[tuple[datetime, int] | None, int]:
    """(where the page starts, its size) from `NextToken` and `Limit`."""
    limit = params.integer("Limit", minimum=1, maximum=max_limit) or default_limit
    token = params.text("NextToken")
    if token is None:
        return None, limit
    micros, _, serial = token.partition(".")
    if not micros.isdigit() or not serial.isdigit():
        raise InvalidParameter(f'NextToken: "{token}" is not a token this service issued')
    created = _EPOCH + timedelta(microseconds=int(micros))
    return (created, int(serial)), limit


def _group(
    row: ContainerGroupRow, state: GroupState, *, with_events: bool = True
) -> dict[str, Any]:
    return group_body(
        group_id=row.id,
        spec=GroupSpec.from_json(row.spec),
        zone_id=row.zone_id,
        intranet_ip=row.intranet_ip,
        created_at=row.created_at,
        plan=GroupPlan.from_json(row.plan),
        state=state,
        with_events=with_events,
    )


async def describe_container_groups(ctx: Context, params: Params) -> dict[str, Any]:
    params.required_text("RegionId", max_length=64)
    cursor, limit = _cursor(params, default_limit=20, max_limit=20)
    status = params.text("Status", max_length=32)
    if status is not None and status not in {s.value for s in GroupStatus}:
        raise InvalidParameter(
            f'Status: "{status}" is not one of {", ".join(s.value for s in GroupStatus)}'
        )
    with_events = params.flag("WithEvent", default=True)
    _, total, page, token = await _page(ctx, params, status=status, cursor=cursor, limit=limit)
    return {
        "ContainerGroups": [_group(row, state, with_events=with_events) for row, state in page],
        "TotalCount": total,
        "NextToken": token,
    }


async def describe_container_group_status(ctx: Context, params: Params) -> dict[str, Any]:
    params.required_text("RegionId", max_length=64)
    cursor, limit = _cursor(params, default_limit=200, max_limit=1000)
    since_second = params.integer("SinceSecond", minimum=0)
    now, total, page, token = await _page(
        ctx, params, since_second=since_second, cursor=cursor, limit=limit
    )
    data = [
        status_body(
            group_id=row.id,
            spec=GroupSpec.from_json(row.spec),
            intranet_ip=row.intranet_ip,
            plan=GroupPlan.from_json(row.plan),
            state=state,
            at=now,
        )
        for row, state in page
    ]
    return {
        "Data": data,
        "TotalCount": total,
        "NextToken": token,
        "SimulatorTime": to_wire(now),
    }


async def _get(ctx: Context, group_id: str, now: datetime) -> tuple[ContainerGroupRow, GroupState]:
    async with ctx.db.sessions() as session:
        row = await session.get(ContainerGroupRow, group_id)
    if row is not None:
        state = state_of(row, now)
        if not state.gone:
            return row, state
    raise ContainerGroupNotFound(f"container group {group_id} does not exist")


async def delete_container_group(ctx: Context, params: Params) -> dict[str, Any]:
    params.required_text("RegionId", max_length=64)
    group_id = params.required_text("ContainerGroupId", max_length=64)
    now = on_millisecond(ctx.clock.now())
    row, _ = await _get(ctx, group_id, now)
    if row.deleted_at is not None:
        return {}
    deleted = project(GroupPlan.from_json(row.plan), deleted_at=now, at=now)
    async with ctx.db.writing() as session:
        await session.execute(
            update(ContainerGroupRow)
            .where(ContainerGroupRow.id == group_id, ContainerGroupRow.deleted_at.is_(None))
            .values(
                deleted_at=now,
                status=deleted.status.value,
                changed_at=deleted.changed_at,
                next_due_at=deleted.next_change_at,
                seq=ContainerGroupRow.seq + 1,
            )
        )
        await session.commit()
    ctx.wake()
    ctx.logger.info("container group deleted", group=group_id)
    return {}


async def describe_container_log(ctx: Context, params: Params) -> dict[str, Any]:
    params.required_text("RegionId", max_length=64)
    group_id = params.required_text("ContainerGroupId", max_length=64)
    container = params.required_text("ContainerName", max_length=128)
    tail = params.integer("Tail", minimum=0)
    limit_bytes = params.integer("LimitBytes", minimum=1)
    since_seconds = params.integer("SinceSeconds", minimum=1)
    timestamps = params.flag("Timestamps")
    now = ctx.clock.now()
    _, state = await _get(ctx, group_id, now)
    statuses = {s.plan.name: s for s in state.init_containers + state.containers}
    status = statuses.get(container)
    if status is None:
        raise InvalidParameter(
            f'ContainerName: "{container}" is not a container of {group_id} ({", ".join(statuses)})'
        )
    lines = log_lines(status, at=now)
    if since_seconds is not None:
        cutoff = now - timedelta(seconds=since_seconds)
        lines = [(when, text) for when, text in lines if when >= cutoff]
    if tail is not None:
        lines = lines[-tail:] if tail else []
    rendered = [f"{to_wire(when)} {text}" if timestamps else text for when, text in lines]
    content = "".join(line + "\n" for line in rendered)
    if limit_bytes is not None:
        content = content.encode()[:limit_bytes].decode(errors="ignore")
    return {"ContainerName": container, "Content": content}


async def describe_container_group_events(ctx: Context, params: Params) -> dict[str, Any]:
    params.required_text("RegionId", max_length=64)
    cursor, limit = _cursor(params, default_limit=200, max_limit=1000)
    since_second = params.integer("SinceSecond", minimum=0)
    now, total, groups, _ = await _page(
        ctx, params, since_second=since_second, cursor=cursor, limit=limit
    )
    since = None if since_second is None else now - timedelta(seconds=since_second)
    data = []
    for row, state in groups:
        body = events_body(
            group_id=row.id, spec=GroupSpec.from_json(row.spec), state=state, since=since
        )
        if body["Events"]:
            data.append(body)
    return {"Data": data, "TotalCount": total}
