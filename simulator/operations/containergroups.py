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
Pending; an ACR instance's image pulls with ECI's own token from the instance's
default domains, and from a custom one when `AcrRegistryInfo` names the
instance), an instance larger than any host in stock (ScheduleFailed, NoStock
event), ActiveDeadlineSeconds passing (Failed, DeadlineExceeded).
"""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Row,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast

from simulator.engine.containerlogs import log_lines, previous_log_lines
from simulator.engine.groupplan import GroupPlan
from simulator.engine.groupstate import project
from simulator.engine.grouptypes import GroupState, GroupStatus
from simulator.engine.planning import resolve_images
from simulator.engine.timestamps import on_millisecond, to_wire
from simulator.errors import EciError, InvalidParameter, NotFound
from simulator.operations.acrinfo import acr_registry_info
from simulator.operations.cacheauto import create_automatic_cache
from simulator.operations.cacheuse import choose_cache
from simulator.operations.charges import charges_body, group_bill
from simulator.operations.context import Context, log_synthesized_pulls, new_id
from simulator.operations.groupspec import parse_group_request
from simulator.operations.groupviews import (
    COMPUTE_CATEGORY,
    DEFAULT_SECURITY_GROUP,
    DEFAULT_VSWITCH,
    FloatFreeList,
    events_body,
    remembered_group_body,
    remembered_status_body,
)
from simulator.operations.groupwrites import NewGroup
from simulator.operations.params import Params
from simulator.settings import PriceSettings
from simulator.specs.groups import GroupSpec, spec_from_text
from simulator.specs.tokens import scoped_token
from simulator.store.tables import ContainerGroupRow, GroupTagRow

_GROUPS = cast(Table, ContainerGroupRow.__table__)
_TAGS = cast(Table, GroupTagRow.__table__)
_PAGE_COLUMNS = (
    *(c for c in _GROUPS.c if c.name not in ("plan", "spec", "tags")),
    sql_cast(_GROUPS.c.plan, Text).label("plan_text"),
    sql_cast(_GROUPS.c.spec, Text).label("spec_text"),
)
"""A listed group's columns: its plan and spec as stored text (`ctx.projections`,
`spec_from_text`), not its tags (the spec holds them)."""
_STATUS_COLUMNS = (
    *(_GROUPS.c[name] for name in ("id", "intranet_ip", "deleted_at", "created_at", "serial")),
    sql_cast(_GROUPS.c.plan, Text).label("plan_text"),
    sql_cast(_GROUPS.c.spec, Text).label("spec_text"),
)
"""What DescribeContainerGroupStatus and DescribeContainerGroupEvents read of a group (and
the page token its creation instant and serial): fewer values to convert per row."""


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

_SPEC_FILTERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("SecurityGroupId", ("security_group_id",), DEFAULT_SECURITY_GROUP),
    ("VSwitchId", ("vswitch_id",), DEFAULT_VSWITCH),
    ("ResourceGroupId", ("echo", "ResourceGroupId"), ""),
    ("ComputeCategory", ("echo", "ComputeCategory"), COMPUTE_CATEGORY),
)
"""DescribeContainerGroups filters over stored request fields: (parameter, JSON path in the
spec, value a group shows when its request gave none)."""

COMPUTE_CATEGORIES = ("general", "economy")
"""ComputeCategory filter values (the SDK's DescribeContainerGroupsRequest: `economy` names
economic instances); a group is `general` unless its request said otherwise."""

DOCUMENTED_STATUSES = (*(s.value for s in GroupStatus), "Updating")
"""DescribeContainerGroups `Status` values the SDK documents. `Updating` (UpdateContainerGroup
in progress) is accepted, and matches nothing: the simulator does not model updates."""

TOKEN_PREFIX = "cg1."
"""NextToken: opaque to callers (url-safe base64 of this prefix, the last group's creation
instant and serial); pages resume after that group, so writes between pages shift nothing."""


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
    region = ctx.served_region(spec.region_id)
    if spec.zone_id is not None and spec.zone_id not in region.zones:
        raise InvalidParameter(
            f'ZoneId: "{spec.zone_id}" is not a zone of {region.region_id} '
            f"({', '.join(region.zones)})",
            code="InvalidZoneId",
        )
    return spec.zone_id or region.zones[0]


async def create_container_group(ctx: Context, params: Params) -> dict[str, Any]:
    spec, credentials = parse_group_request(params)
    named = acr_registry_info(params, action="CreateContainerGroup")
    credentials = [*credentials, *ctx.catalog.acr_tokens(named, region_id=spec.region_id)]
    zone = _check_region(ctx, spec)
    if params.flag("DryRun"):
        await choose_cache(
            ctx, spec, on_millisecond(ctx.clock.now())
        )  # a named cache must be Ready
        raise DryRunOperation("Request validation has been passed with DryRun flag set.")
    if spec.client_token is not None:
        existing = await ctx.group_id_for_token(scoped_token(spec.region_id, spec.client_token))
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
    # Every query is answered in its region only (the service has checked it is served).
    query = query.where(_GROUPS.c.region_id == params.required_text("RegionId"))
    ids = params.json_strings("ContainerGroupIds", max_items=20)
    if ids is not None:
        query = query.where(_GROUPS.c.id.in_(ids))
    name = params.text("ContainerGroupName", max_length=128)
    if name is not None:
        query = query.where(_GROUPS.c.name == name)
    zone = params.text("ZoneId", max_length=64)
    if zone is not None:
        query = query.where(_GROUPS.c.zone_id == zone)
    # Filters on what the request stored (the spec's JSON), with the values groups show when
    # none was given (`groupviews.group_body`).
    category = params.text("ComputeCategory", max_length=32)
    if category is not None and category not in COMPUTE_CATEGORIES:
        raise InvalidParameter(
            f'ComputeCategory: "{category}" is not one of {", ".join(COMPUTE_CATEGORIES)}'
        )
    for name, path, shown in _SPEC_FILTERS:
        value = params.text(name, max_length=256)
        if value is not None:
            stored = func.coalesce(_GROUPS.c.spec[path].as_string(), shown)
            query = query.where(stored == value)
    for key, value in params.tags().items():
        # EXISTS, not `id IN (tagged ids)`: with the IN form SQLite starts from the tag
        # index (every group of a node), then sorts them all for each page; correlated, it
        # walks (created_at, serial) and stops at the page's end (10k groups: 44 -> 13 ms).
        tagged = exists().where(
            _TAGS.c.group_id == _GROUPS.c.id,
            _TAGS.c.key == key,
            _TAGS.c.value == value,
        )
        query = query.where(tagged)
    # Deleted groups past Terminating are gone even before the runner removes them.
    gone_before = now - timedelta(milliseconds=termination_ms)
    return query.where(or_(_GROUPS.c.deleted_at.is_(None), _GROUPS.c.deleted_at > gone_before))


async def _page(
    ctx: Context,
    params: Params,
    *,
    status: str | None = None,
    since_second: int | None = None,
    cursor: tuple[datetime, int] | None,
    limit: int,
    columns: tuple[Any, ...] = _PAGE_COLUMNS,
) -> tuple[datetime, int, list[tuple[Row[Any], GroupPlan, GroupState]], str]:
    """(now, total, page, next token): the filters run in SQL over freshly materialised
    statuses, and only the page's groups are projected (`ctx.projections`: a group seen
    before, unchanged since, is not projected again). Pages follow creation order and
    the token names the last group seen, so groups created or deleted meanwhile never
    make a page repeat or skip one. Each group comes with its plan, parsed once (and
    kept with its projection), and its row is a plain Core row of `columns` (no ORM
    object to build, no JSON decoded that the answers do not show)."""
    await ctx.settle()
    now = ctx.clock.now()
    termination_ms = round(ctx.model.termination_seconds * 1000)
    # A row that fell due after the settle above has a stale stored status: keep it as a
    # candidate and decide on its projected state.
    stale = _GROUPS.c.next_due_at <= now
    since = None if since_second is None else now - timedelta(seconds=since_second)
    conditions = []
    if status is not None:
        conditions.append(or_(_GROUPS.c.status == status, stale))
    if since is not None:
        conditions.append(or_(_GROUPS.c.changed_at >= since, stale))
    rows_query = _filtered(params, select(*columns), now=now, termination_ms=termination_ms).where(
        *conditions
    )
    count_query = _filtered(
        params,
        select(func.count()).select_from(_GROUPS),
        now=now,
        termination_ms=termination_ms,
    ).where(*conditions)
    if cursor is not None:
        created, last = cursor
        rows_query = rows_query.where(
            or_(
                _GROUPS.c.created_at > created,
                and_(_GROUPS.c.created_at == created, _GROUPS.c.serial > last),
            )
        )
    async with ctx.db.reading() as connection:
        rows = list(
            (
                await connection.execute(
                    rows_query.order_by(_GROUPS.c.created_at, _GROUPS.c.serial).limit(limit + 1)
                )
            ).all()
        )
        more = len(rows) > limit
        rows = rows[:limit]
        project_row = ctx.projections.project
        page = [
            (row, plan, state)
            for row, (plan, state) in (
                (row, project_row(row.id, row.plan_text, deleted_at=row.deleted_at, at=now))
                for row in rows
            )
            if not state.gone
            and (status is None or state.status.value == status)
            and (since is None or state.changed_at >= since)
        ]
        # A first page that holds every match is its own count (what it lists: stale
        # candidates and groups gone early by a forced delete are not counted): one query
        # less for every describe by ids and every small listing.
        if cursor is None and not more:
            total = len(page)
        else:
            total = int((await connection.execute(count_query)).scalar_one())
    token = _token(rows[-1]) if more and rows else ""
    return now, total, page, token


def _token(row: Row[Any]) -> str:
    micros = (row.created_at - _EPOCH) // timedelta(microseconds=1)
    raw = f"{TOKEN_PREFIX}{micros}.{row.serial}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str) -> tuple[datetime, int]:
    forged = InvalidParameter(f'NextToken: "{token}" is not a token this service issued')
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise forged from None
    micros, _, serial = raw.removeprefix(TOKEN_PREFIX).partition(".")
    if not raw.startswith(TOKEN_PREFIX) or not micros.isdigit() or not serial.isdigit():
        raise forged
    return _EPOCH + timedelta(microseconds=int(micros)), int(serial)


def _cursor(
    params: Params, *, default_limit: int, max_limit: int
) -> tuple[tuple[datetime, int] | None, int]:
    """(where the page starts, its size) from `NextToken` and `Limit`."""
    limit = params.integer("Limit", minimum=1, maximum=max_limit) or default_limit
    token = params.text("NextToken")
    if token is None:
        return None, limit
    return _decode_token(token), limit


def _group(
    ctx: Context,
    row: Row[Any],
    plan: GroupPlan,
    state: GroupState,
    *,
    at: datetime,
    prices: PriceSettings,
    with_events: bool = True,
) -> dict[str, Any]:
    """`group_body` with its charges at `at` (the rest is kept with the projected state)."""
    spec, body = remembered_group_body(
        ctx.projections,
        group_id=row.id,
        spec_text=row.spec_text,
        zone_id=row.zone_id,
        intranet_ip=row.intranet_ip,
        created_at=row.created_at,
        plan=plan,
        state=state,
        with_events=with_events,
    )
    bill = group_bill(spec, plan, state, deleted_at=row.deleted_at, at=at, prices=prices)
    return {**body, "SimulatedCost": charges_body(bill, prices)}


async def describe_container_groups(ctx: Context, params: Params) -> dict[str, Any]:
    params.required_text("RegionId", max_length=64)
    # Limit: default 20, maximum 20 (the SDK's DescribeContainerGroupsRequest).
    cursor, limit = _cursor(params, default_limit=20, max_limit=20)
    status = params.text("Status", max_length=32)
    if status is not None and status not in DOCUMENTED_STATUSES:
        raise InvalidParameter(f'Status: "{status}" is not one of {", ".join(DOCUMENTED_STATUSES)}')
    with_events = params.flag("WithEvent", default=True)
    now, total, page, token = await _page(ctx, params, status=status, cursor=cursor, limit=limit)
    prices = ctx.settings.prices
    return {
        "ContainerGroups": [
            _group(ctx, row, plan, state, at=now, prices=prices, with_events=with_events)
            for row, plan, state in page
        ],
        "TotalCount": total,
        "NextToken": token,
    }


async def describe_container_group_status(ctx: Context, params: Params) -> dict[str, Any]:
    params.required_text("RegionId", max_length=64)
    cursor, limit = _cursor(params, default_limit=200, max_limit=1000)
    since_second = params.integer("SinceSecond", minimum=0)
    now, total, page, token = await _page(
        ctx,
        params,
        since_second=since_second,
        cursor=cursor,
        limit=limit,
        columns=_STATUS_COLUMNS,
    )
    data = FloatFreeList(
        remembered_status_body(
            ctx.projections,
            group_id=row.id,
            spec_text=row.spec_text,
            intranet_ip=row.intranet_ip,
            plan=plan,
            state=state,
            at=now,
        )
        for row, plan, state in page
    )
    return {
        "Data": data,
        "TotalCount": total,
        "NextToken": token,
        "SimulatorTime": to_wire(now),
    }


async def _get(
    ctx: Context, group_id: str, now: datetime, *, region_id: str
) -> tuple[ContainerGroupRow, GroupState]:
    """The group, seen from `region_id`: a group of another region does not exist there."""
    async with ctx.db.sessions() as session:
        row = await session.get(ContainerGroupRow, group_id)
    if row is not None and row.region_id == region_id:
        state = state_of(row, now)
        if not state.gone:
            return row, state
    raise ContainerGroupNotFound(f"container group {group_id} does not exist")


def _set(column: str) -> BindParameter[Any]:
    return bindparam(f"new_{column}", type_=_GROUPS.c[column].type)


_MARK_DELETED = (
    update(_GROUPS)
    .where(_GROUPS.c.id == bindparam("group_id"), _GROUPS.c.deleted_at.is_(None))
    .values(
        deleted_at=_set("deleted_at"),
        plan=_set("plan"),
        status=_set("status"),
        changed_at=_set("changed_at"),
        next_due_at=_set("next_due_at"),
        seq=_GROUPS.c.seq + 1,
    )
)
"""DeleteContainerGroup's write, built once, through Core (no ORM session objects to
synchronise): the first delete of a live group wins."""


async def delete_container_group(ctx: Context, params: Params) -> dict[str, Any]:
    region_id = params.required_text("RegionId", max_length=64)
    group_id = params.required_text("ContainerGroupId", max_length=64)
    # ClientToken: ASCII, at most 64 characters; deleting is idempotent by itself (a repeated
    # delete of a group still Terminating succeeds), so the token adds no state here.
    params.client_token()
    # Force: skip the graceful termination wait (the SDK's DeleteContainerGroupRequest).
    force = params.flag("Force")
    now = on_millisecond(ctx.clock.now())
    row, _ = await _get(ctx, group_id, now, region_id=region_id)
    if row.deleted_at is not None:
        return {}
    plan = GroupPlan.from_json(row.plan)
    if force:
        plan = dataclasses.replace(plan, termination_seconds=0.0)
    deleted = project(plan, deleted_at=now, at=now)
    async with ctx.db.writing() as session:
        connection = await session.connection()
        await connection.execute(
            _MARK_DELETED,
            {
                "group_id": group_id,
                "new_deleted_at": now,
                "new_plan": plan.to_json(),
                "new_status": deleted.status.value,
                "new_changed_at": deleted.changed_at,
                "new_next_due_at": deleted.next_change_at,
            },
        )
        await session.commit()
    ctx.wake()
    ctx.logger.info("container group deleted", group=group_id, force=force)
    return {}


LOG_TAIL_DEFAULT = 500
LOG_TAIL_MAX = 2000
LOG_BYTES_MAX = 1_048_576
"""DescribeContainerLog: `Tail` defaults to 500 lines and is at most 2000; `LimitBytes` is
1 to 1048576 and no answer carries more than 1 MB of log
(https://help.aliyun.com/document_detail/90344.html)."""


async def describe_container_log(ctx: Context, params: Params) -> dict[str, Any]:
    region_id = params.required_text("RegionId", max_length=64)
    group_id = params.required_text("ContainerGroupId", max_length=64)
    container = params.required_text("ContainerName", max_length=128)
    tail = params.integer("Tail", minimum=0, maximum=LOG_TAIL_MAX)
    limit_bytes = params.integer("LimitBytes", minimum=1, maximum=LOG_BYTES_MAX)
    since_seconds = params.integer("SinceSeconds", minimum=1)
    start_time = _rfc3339(params, "StartTime")
    previous = params.flag("LastTime")
    timestamps = params.flag("Timestamps")
    now = ctx.clock.now()
    _, state = await _get(ctx, group_id, now, region_id=region_id)
    statuses = {s.plan.name: s for s in state.init_containers + state.containers}
    status = statuses.get(container)
    if status is None:
        raise InvalidParameter(
            f'ContainerName: "{container}" is not a container of {group_id} ({", ".join(statuses)})'
        )
    lines = previous_log_lines(status) if previous else log_lines(status, at=now)
    if since_seconds is not None:
        cutoff = now - timedelta(seconds=since_seconds)
        lines = [(when, text) for when, text in lines if when >= cutoff]
    if start_time is not None:
        lines = [(when, text) for when, text in lines if when >= start_time]
    tail = LOG_TAIL_DEFAULT if tail is None else tail
    lines = lines[-tail:] if tail else []
    rendered = [f"{to_wire(when)} {text}" if timestamps else text for when, text in lines]
    content = "".join(line + "\n" for line in rendered)
    cap = LOG_BYTES_MAX if limit_bytes is None else limit_bytes
    encoded = content.encode()
    if len(encoded) > cap:
        content = encoded[:cap].decode(errors="ignore")
    return {"ContainerName": container, "Content": content}


def _rfc3339(params: Params, name: str) -> datetime | None:
    value = params.text(name, max_length=64)
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidParameter(
            f'{name}: "{value}" is not an RFC 3339 time (e.g. 2018-08-02T15:00:00Z)'
        ) from None
    if when.tzinfo is None:
        raise InvalidParameter(f'{name}: "{value}" has no time zone (UTC: a trailing Z)')
    return when


async def describe_container_group_events(ctx: Context, params: Params) -> dict[str, Any]:
    params.required_text("RegionId", max_length=64)
    cursor, limit = _cursor(params, default_limit=200, max_limit=1000)
    since_second = params.integer("SinceSecond", minimum=0)
    now, total, groups, _ = await _page(
        ctx,
        params,
        since_second=since_second,
        cursor=cursor,
        limit=limit,
        columns=_STATUS_COLUMNS,
    )
    since = None if since_second is None else now - timedelta(seconds=since_second)
    data = []
    for row, _plan, state in groups:
        body = events_body(
            group_id=row.id, spec=spec_from_text(row.spec_text), state=state, since=since
        )
        if body["Events"]:
            data.append(body)
    return {"Data": data, "TotalCount": total}
