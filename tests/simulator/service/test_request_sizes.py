"""A large Pod through the SDK and the real service: created whole, or refused in ECI's words.

The SDK sends every parameter in the query string; 100 environment variables
of 100 characters make an 18 KB query, which the simulator must take (and
store every variable of), while a query over the 64 KiB limit is a 414
`RequestURITooLong` in ECI's error body that creates nothing.
"""

from __future__ import annotations

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from tests.simulator.service.conftest import REGION, container, describe, env, refused


def pod(count: int, length: int) -> eci_models.CreateContainerGroupRequest:
    variables = {f"VAR_{index:03d}": str(index % 10) * length for index in range(count)}
    return eci_models.CreateContainerGroupRequest(
        region_id=REGION,
        container_group_name="many-env",
        container=[container("app", "nginx", environment_var=env(**variables))],
    )


async def list_count(client: Client) -> int:
    response = await client.describe_container_groups_async(
        eci_models.DescribeContainerGroupsRequest(region_id=REGION)
    )
    return int(response.body.total_count)


async def test_100_env_vars_of_100_chars_are_created_and_stored_whole(
    eci_client: Client,
) -> None:
    response = await eci_client.create_container_group_async(pod(100, 100))
    group = await describe(eci_client, response.body.container_group_id)
    stored = {var.key: var.value for var in group.containers[0].environment_vars}
    assert len(stored) == 100
    assert stored["VAR_099"] == "9" * 100


async def test_a_query_over_the_limit_is_refused_and_creates_nothing(eci_client: Client) -> None:
    error = await refused(eci_client.create_container_group_async(pod(300, 300)))
    assert (error.status_code, error.code) == (414, "RequestURITooLong")
    assert error.data["RequestId"]
    assert await list_count(eci_client) == 0
