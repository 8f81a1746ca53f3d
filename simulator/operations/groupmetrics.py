"""DescribeContainerGroupMetric and DescribeMultiContainerGroupMetric, in ECI's shapes.

Usage figures come from `simulator.engine.usage` at each record's instant,
for the containers running then (a group with none running has no record
there, as ECI has no samples for it). DescribeContainerGroupMetric answers
records every `Period` seconds (15, 30, 60 or 600; aligned to the period)
from `StartTime` to `EndTime`; with neither given, the last 5 minutes at
15 s, as ECI documents. At most `MAX_RECORDS` per call: a longer range with
a short period is refused naming the count. DescribeMultiContainerGroupMetric
(`MetricType=summary`) answers each group's latest record; unknown ids are
left out, as DescribeContainerGroups does.

CPU figures: `Limit` is vCPUs x 1000, `UsageNanoCores` the rate at the
instant, `UsageCoreNanoSeconds` the cumulative time of the current run,
`Load` the rate in thousandths of a core. Disk, network and file system
figures are not modelled: empty lists.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from simulator.engine.grouptypes import ContainerPhase
from simulator.engine.timestamps import to_wire
from simulator.engine.usage import usage_model
from simulator.errors import InvalidParameter
from simulator.operations.containergroups import _get, state_of
from simulator.operations.context import Context
from simulator.operations.params import Params
from simulator.specs.groups import GroupSpec
from simulator.store.tables import ContainerGroupRow

PERIODS = (15, 30, 60, 600)
DEFAULT_WINDOW = timedelta(minutes=5)
MAX_RANGE = timedelta(days=30)
MAX_RECORDS = 1440
MAX_MULTI_IDS = 20


def _time(params: Params, name: str) -> datetime | None:
    value = params.text(name, max_length=64)
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise InvalidParameter(
            f'{name}: "{value}" is not an RFC 3339 time such as 2019-03-12T01:00:00.000Z'
        )
    return when.astimezone(UTC)


def _figures(cores: float, cpu_seconds: float, limit_cores: float) -> dict[str, Any]:
    return {
        "Limit": round(limit_cores * 1000),
        "Load": round(cores * 1000),
        "UsageCoreNanoSeconds": round(cpu_seconds * 1e9),
        "UsageNanoCores": round(cores * 1e9),
    }


def _memory(working_set: int, limit: int) -> dict[str, Any]:
    cache = working_set // 10
    return {
        "AvailableBytes": max(limit - working_set, 0),
        "Cache": cache,
        "Rss": working_set - cache,
        "UsageBytes": working_set + cache,
        "WorkingSet": working_set,
    }


def record(row: ContainerGroupRow, at: datetime) -> dict[str, Any] | None:
    """The group's sample at `at`, None when no container runs then."""
    spec = GroupSpec.from_json(row.spec)
    state = state_of(row, at)
    unset_cpu = max(sum(1 for c in spec.containers if not c.cpu), 1)
    unset_memory = max(sum(1 for c in spec.containers if not c.memory), 1)
    containers = []
    totals = [0.0, 0.0, 0]
    for container, status in zip(spec.containers, state.containers, strict=False):
        run = status.run
        if status.current.phase is not ContainerPhase.RUNNING or run is None:
            continue
        model = usage_model(
            name=container.name,
            cpu_cores=container.cpu or spec.cpu / unset_cpu,
            memory_gib=container.memory or spec.memory / unset_memory,
            env=dict(container.env),
        )
        age = (at - run.started_at).total_seconds()
        cores, used = model.cpu_cores(age), model.cpu_seconds(age)
        working = model.working_set_bytes(age)
        totals[0] += cores
        totals[1] += used
        totals[2] += working
        containers.append(
            {
                "Name": container.name,
                "CPU": _figures(cores, used, model.cpu_limit_cores),
                "Memory": _memory(working, model.memory_limit_bytes),
            }
        )
    if not containers:
        return None
    return {
        "Timestamp": to_wire(at),
        "CPU": _figures(totals[0], totals[1], spec.cpu),
        "Memory": _memory(int(totals[2]), int(spec.memory * 1024**3)),
        "Containers": containers,
        "Disk": [],
        "Filesystem": [],
        "Network": {"Interfaces": []},
    }


async def describe_container_group_metric(ctx: Context, params: Params) -> dict[str, Any]:
    region_id = params.required_text("RegionId", max_length=64)
    group_id = params.required_text("ContainerGroupId", max_length=64)
    start, end = _time(params, "StartTime"), _time(params, "EndTime")
    period = params.integer("Period", minimum=1)
    if period is not None and period not in PERIODS:
        raise InvalidParameter(f"Period: {period} is not one of 15, 30, 60, 600 (seconds)")
    now = ctx.clock.now()
    if start is None and end is None:
        period = 15
    end = min(end or now, now)
    start = start or end - DEFAULT_WINDOW
    period = period or 60
    if start > end:
        raise InvalidParameter(f"StartTime: {to_wire(start)} is after EndTime {to_wire(end)}")
    if start < now - MAX_RANGE:
        raise InvalidParameter(f"StartTime: {to_wire(start)} is more than 30 days ago")
    first = int(-(-start.timestamp() // period)) * period
    count = int((end.timestamp() - first) // period) + 1 if first <= end.timestamp() else 0
    if count > MAX_RECORDS:
        raise InvalidParameter(
            f"StartTime..EndTime at Period {period}: {count} records; at most {MAX_RECORDS}"
        )
    row, _ = await _get(ctx, group_id, now, region_id=region_id)
    records = []
    for index in range(count):
        sample = record(row, datetime.fromtimestamp(first + index * period, UTC))
        if sample is not None:
            records.append(sample)
    return {"ContainerGroupId": group_id, "Records": records}


async def describe_multi_container_group_metric(ctx: Context, params: Params) -> dict[str, Any]:
    region_id = params.required_text("RegionId", max_length=64)
    ids = params.json_strings("ContainerGroupIds", max_items=MAX_MULTI_IDS)
    if not ids:
        raise InvalidParameter(
            'ContainerGroupIds: expected a JSON array of 1 to 20 ids, e.g. ["eci-..."]'
        )
    metric_type = params.text("MetricType", max_length=32)
    if metric_type not in (None, "summary"):
        raise InvalidParameter(f'MetricType: "{metric_type}" is not "summary"')
    now = ctx.clock.now()
    async with ctx.db.sessions() as session:
        rows = (
            await session.scalars(
                select(ContainerGroupRow).where(
                    ContainerGroupRow.id.in_(ids), ContainerGroupRow.region_id == region_id
                )
            )
        ).all()
    datas = []
    for row in sorted(rows, key=lambda r: ids.index(r.id)):
        if state_of(row, now).gone:
            continue
        sample = record(row, now)
        datas.append({"ContainerGroupId": row.id, "Records": [sample] if sample else []})
    return {"MonitorDatas": datas}
