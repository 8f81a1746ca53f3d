"""The simulator's service: one `EciService` per process over one shared store.

`open_service` opens the store, restores (or first records) the clock's
origin so every process and every restart continues one simulated timeline,
loads the catalog and the time model, and starts the engine runner, which
first catches up on everything that fell due while no process was running.
`EciService.call(action, params)` answers an ECI operation with its response
body (without RequestId) or raises `EciError`. Nothing that matters lives
only in this process: container groups, caches, nonces and the clock's origin
are rows in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog

from simulator.engine.execcommands import ExecResult
from simulator.engine.projections import ProjectionCache
from simulator.engine.runner import Runner, RunnerSettings
from simulator.engine.timestamps import from_plan, to_plan
from simulator.errors import EciError
from simulator.operations import (
    containergroups,
    execs,
    groupmetrics,
    grouprestarts,
    imagecaches,
    prices,
    regions,
    resources,
    tags,
    unavailable,
    usage,
    virtualnodes,
    volumeresize,
)
from simulator.operations.context import Context
from simulator.operations.groupwrites import GroupWriter
from simulator.operations.params import Params
from simulator.operations.tokenlookups import TokenLookups
from simulator.registry.catalog import Catalog
from simulator.settings import ClockMode, RegistryMode, SimulatorSettings
from simulator.store.database import Database, open_database
from simulator.timemodel.clock import Clock, VirtualClock, make_clock
from simulator.timemodel.settings import TimeModelSettings, load_time_model

_CLOCK_KEY = "clock"
_VIRTUAL_KEY = "virtual-clock"
_IP_KEY = "intranet-ip"
_IP_BLOCK = 256
"""Private IPs (and serials) a process reserves at once: one counter write per 256 groups
(a write transaction each; at 32, 1.3 % of the simulator's CPU in a 10,000-Pod burst). A
process that stops leaves the rest of its block unused, as it did with 32: numbers are
never reused, they need not be dense."""
_STOP_SECONDS = 10.0
"""Real seconds close() waits for the engine's tick in progress before cancelling it."""

Operation = Callable[[Context, Params], Awaitable[dict[str, Any]]]

OPERATIONS: dict[str, Operation] = {
    "DescribeRegions": regions.describe_regions,
    "CreateContainerGroup": containergroups.create_container_group,
    "DescribeContainerGroups": containergroups.describe_container_groups,
    "DescribeContainerGroupStatus": containergroups.describe_container_group_status,
    "DeleteContainerGroup": containergroups.delete_container_group,
    "DescribeContainerLog": containergroups.describe_container_log,
    "DescribeContainerGroupEvents": containergroups.describe_container_group_events,
    "CreateImageCache": imagecaches.create_image_cache,
    "DescribeImageCaches": imagecaches.describe_image_caches,
    "UpdateImageCache": imagecaches.update_image_cache,
    "DeleteImageCache": imagecaches.delete_image_cache,
    "ExecContainerCommand": execs.exec_container_command,
    "DescribeContainerGroupMetric": groupmetrics.describe_container_group_metric,
    "DescribeMultiContainerGroupMetric": groupmetrics.describe_multi_container_group_metric,
    "RestartContainerGroup": grouprestarts.restart_container_group,
    "UpdateContainerGroup": grouprestarts.update_container_group,
    "DescribeAvailableResource": resources.describe_available_resource,
    "TagResources": tags.tag_resources,
    "UntagResources": tags.untag_resources,
    "ListTagResources": tags.list_tag_resources,
    "DescribeContainerGroupPrice": prices.describe_container_group_price,
    "ListUsage": usage.list_usage,
    "CreateVirtualNode": virtualnodes.create_virtual_node,
    "DescribeVirtualNodes": virtualnodes.describe_virtual_nodes,
    "UpdateVirtualNode": virtualnodes.update_virtual_node,
    "DeleteVirtualNode": virtualnodes.delete_virtual_node,
    "ResizeContainerGroupVolume": volumeresize.resize_container_group_volume,
    **{action: unavailable.refusal(action) for action in unavailable.UNAVAILABLE_ACTIONS},
}


class NotModelled(EciError):
    """An ECI operation the simulator does not model: answered as ECI answers an unknown action.

    A client then sees what a real endpoint that lacks the operation would
    tell it (`InvalidAction.NotFound`, HTTP 404), not a code of our own.
    """

    code = "InvalidAction.NotFound"
    http_status = 404


class EciService:
    """ECI in a box: answers operations over the shared store, on the one clock."""

    def __init__(
        self,
        *,
        settings: SimulatorSettings,
        db: Database,
        clock: Clock,
        catalog: Catalog,
        model: TimeModelSettings,
        logger: Any,
        runner_settings: RunnerSettings | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.catalog = catalog
        self.model = model
        self._logger = logger
        self.projections = ProjectionCache()
        self.runner = Runner(
            db=db,
            clock=clock,
            logger=logger,
            settings=runner_settings,
            projections=self.projections,
        )
        self._groups = GroupWriter(
            db=db, clock=clock, catalog=catalog, model=model, projections=self.projections
        )
        self._tokens = TokenLookups(db=db)
        self._context = Context(
            db=db,
            clock=clock,
            catalog=catalog,
            model=model,
            settings=settings,
            logger=logger,
            wake=self.runner.wake,
            settle=self.settle,
            next_ip=self._next_ip,
            group_id_for_token=self._tokens.group_id_for,
            write_group=self._groups.create,
            projections=self.projections,
        )
        self._ips: list[int] = []
        self._ip_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._settling = asyncio.Lock()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.runner.run(), name="eci-simulator-engine")

    async def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Answer `action` with its response body (no RequestId), or raise `EciError`."""
        operation = OPERATIONS.get(action)
        if operation is None:
            raise NotModelled(
                f"Specified api {action} is not found; the ECI simulator does not model it."
            )
        request = Params(params)
        region_id = request.text("RegionId", required=action != "DescribeRegions", max_length=64)
        if region_id is not None:
            self._context.served_region(region_id)
        return await operation(self._context, request)

    async def open_exec_session(self, token: str) -> tuple[execs.ExecRequest, ExecResult]:
        """The command behind an ExecContainerCommand WebSocketUri, run now."""
        return await execs.open_session(self._context, token)

    async def run_exec_line(self, request: execs.ExecRequest, line: str) -> ExecResult:
        """A line typed into an interactive exec session's shell, run now."""
        return await execs.run_line(self._context, request, line)

    async def _next_ip(self) -> int:
        """Private IP numbers, reserved from the shared counter a block at a time."""
        async with self._ip_lock:
            if not self._ips:
                last = await self.db.next_counter(_IP_KEY, step=_IP_BLOCK)
                self._ips = list(range(last - _IP_BLOCK + 1, last + 1))
            return self._ips.pop(0)

    async def remember_nonce(self, nonce: str, *, expires_at: datetime) -> bool:
        """Record a signature nonce; False when it was already used (in any process)."""
        return nonce in await self.remember_nonces([nonce], expires_at=expires_at)

    async def remember_nonces(self, nonces: Sequence[str], *, expires_at: datetime) -> set[str]:
        """Record many nonces in one write; return those not used before (in any process)."""
        return await self.db.remember_nonces(nonces, expires_at=expires_at, now=datetime.now(UTC))

    async def settle(self) -> None:
        """Materialise everything due now, so the stored statuses are exact.

        Reads that filter on status call it first; concurrent callers in one
        process share one pass instead of racing over the same rows.
        """
        if self._settling.locked():
            async with self._settling:
                return
        async with self._settling:
            await self.runner.tick()

    async def close(self) -> None:
        # The virtual clock is saved while the engine still runs: its writes take turns with
        # this one on the write lock. Then the engine is asked to stop between ticks rather
        # than cancelled inside one: a cancelled statement can hold SQLite's write lock past
        # the busy timeout ("database is locked", seen once in CI), and SQLAlchemy logs the
        # cancelled rollback as an error with a traceback (seen in the demo's stderr in CI).
        if isinstance(self.clock, VirtualClock):
            await self.db.set_meta(_VIRTUAL_KEY, {"now": to_plan(self.clock.now())})
        if self._task is not None:
            self.runner.stop()
            done, _ = await asyncio.wait({self._task}, timeout=_STOP_SECONDS)
            if not done:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.db.close()


async def _restore_clock(settings: SimulatorSettings, db: Database) -> Clock:
    now = datetime.now(UTC).replace(microsecond=0)
    origin = await db.put_meta_once(
        _CLOCK_KEY, {"simulated_origin": to_plan(now), "real_origin": to_plan(now)}
    )
    simulated_origin = from_plan(origin["simulated_origin"])
    real_origin = from_plan(origin["real_origin"])
    if settings.clock.mode is ClockMode.VIRTUAL:
        saved = await db.get_meta(_VIRTUAL_KEY)
        if saved is not None:
            simulated_origin = max(simulated_origin, from_plan(saved["now"]))
    return make_clock(settings.clock, simulated_origin=simulated_origin, real_origin=real_origin)


async def open_service(
    *,
    settings: SimulatorSettings,
    logger: Any = None,
    runner_settings: RunnerSettings | None = None,
) -> EciService:
    """Open the store, restore the clock, load catalog and time model, resume in-flight work."""
    log = logger if logger is not None else structlog.get_logger("simulator.service")
    db = await open_database(settings.database_url)
    try:
        clock = await _restore_clock(settings, db)
        catalog = Catalog.load(
            settings.catalog_paths, open_registry=settings.registry_mode is RegistryMode.OPEN
        )
        model = load_time_model(settings.time_model_path)
    except BaseException:
        await db.close()
        raise
    service = EciService(
        settings=settings,
        db=db,
        clock=clock,
        catalog=catalog,
        model=model,
        logger=log,
        runner_settings=runner_settings,
    )
    await service.settle()
    service.start()
    log.info(
        "eci service open",
        database=db.dialect,
        clock=settings.clock.mode.value,
        simulated_now=clock.now().isoformat(),
    )
    return service
