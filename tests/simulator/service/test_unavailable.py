"""The DataCache, CommitContainer and instance O&M operations: refused by name through the SDK."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from tests.simulator.service.conftest import REGION, container, create_group, refused

Call = Callable[[Client, str], Awaitable[Any]]

CALLS: dict[str, Call] = {
    "CreateDataCache": lambda c, g: c.create_data_cache_async(
        eci_models.CreateDataCacheRequest(region_id=REGION, bucket="default", path="/model")
    ),
    "DescribeDataCaches": lambda c, g: c.describe_data_caches_async(
        eci_models.DescribeDataCachesRequest(region_id=REGION, bucket="default")
    ),
    "UpdateDataCache": lambda c, g: c.update_data_cache_async(
        eci_models.UpdateDataCacheRequest(region_id=REGION, data_cache_id="edc-x", bucket="d")
    ),
    "DeleteDataCache": lambda c, g: c.delete_data_cache_async(
        eci_models.DeleteDataCacheRequest(region_id=REGION, data_cache_id="edc-x", bucket="d")
    ),
    "CopyDataCache": lambda c, g: c.copy_data_cache_async(
        eci_models.CopyDataCacheRequest(region_id=REGION, data_cache_id="edc-x", bucket="d")
    ),
    "CommitContainer": lambda c, g: c.commit_container_async(
        eci_models.CommitContainerRequest(
            region_id=REGION, container_group_id=g, container_name="web"
        )
    ),
    "DescribeCommitContainerTask": lambda c, g: c.describe_commit_container_task_async(
        eci_models.DescribeCommitContainerTaskRequest(region_id=REGION, container_group_id=g)
    ),
    "CreateInstanceOpsTask": lambda c, g: c.create_instance_ops_task_async(
        eci_models.CreateInstanceOpsTaskRequest(
            region_id=REGION, container_group_id=g, ops_type="coredump", ops_value="enable"
        )
    ),
    "DescribeInstanceOpsRecords": lambda c, g: c.describe_instance_ops_records_async(
        eci_models.DescribeInstanceOpsRecordsRequest(
            region_id=REGION, container_group_id=g, ops_type="coredump"
        )
    ),
}


@pytest.mark.parametrize("action", sorted(CALLS))
async def test_an_operation_the_account_may_not_use_is_refused_by_name(
    eci_client: Client, action: str
) -> None:
    group_id = await create_group(eci_client, container("web", "nginx:1.27"))
    error = await refused(CALLS[action](eci_client, group_id))
    assert (error.code, error.data["statusCode"]) == ("ActionUnauthorized", 403)
    assert action in error.message
    assert "not available for you" in error.message
