"""ECI operations the simulated account may not call: refused by name, with the common code.

The DataCache family (CreateDataCache, DescribeDataCaches, UpdateDataCache,
DeleteDataCache, CopyDataCache), the CommitContainer family (CommitContainer,
DescribeCommitContainerTask) and the instance O&M tasks (CreateInstanceOpsTask,
DescribeInstanceOpsRecords: coredump and tcpdump files delivered to an OSS
bucket, which the simulator has no model of) are operations a real endpoint
knows, so they are not `InvalidAction.NotFound`. They are answered as an
endpoint answers an action the caller's account may not use: HTTP 403
`ActionUnauthorized`, "The specified action is not available for you", from
Alibaba Cloud's table of common client error codes. That ECI answers these
operations with it is an assumption: no ECI page found documents what an
account without them is told.

The refusal comes before any parameter is read (after the RegionId every
call is checked for), so a caller learns the operation is unavailable, not
that a parameter is missing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from simulator.errors import EciError
from simulator.operations.context import Context
from simulator.operations.params import Params

DATA_CACHE_ACTIONS = (
    "CreateDataCache",
    "DescribeDataCaches",
    "UpdateDataCache",
    "DeleteDataCache",
    "CopyDataCache",
)
COMMIT_CONTAINER_ACTIONS = ("CommitContainer", "DescribeCommitContainerTask")
OPS_TASK_ACTIONS = ("CreateInstanceOpsTask", "DescribeInstanceOpsRecords")

_WHY = {
    **{action: "DataCaches are not offered to this account" for action in DATA_CACHE_ACTIONS},
    **{
        action: "committing a container to an image is not offered to this account"
        for action in COMMIT_CONTAINER_ACTIONS
    },
    **{
        action: "instance O&M tasks (coredump, tcpdump to OSS) are not offered to this account"
        for action in OPS_TASK_ACTIONS
    },
}
UNAVAILABLE_ACTIONS = tuple(_WHY)


class ActionUnauthorized(EciError):
    """An action that exists but is not available to the caller's account."""

    code = "ActionUnauthorized"
    http_status = 403


def refusal(action: str) -> Callable[[Context, Params], Awaitable[dict[str, Any]]]:
    """The operation that refuses `action`, naming it and why."""

    async def refuse(_ctx: Context, _params: Params) -> dict[str, Any]:
        raise ActionUnauthorized(
            f"The specified action is not available for you: {action} ({_WHY[action]} in the "
            "ECI simulator)"
        )

    return refuse
