"""TagResources / UntagResources / ListTagResources through the SDK: what Describe then shows."""

from __future__ import annotations

import pytest
from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from Tea.exceptions import TeaException

from tests.simulator.service.conftest import REGION, container, create_group, describe


async def test_tags_are_attached_listed_filtered_and_detached(eci_client: Client) -> None:
    group_id = await create_group(eci_client, container("web", "nginx:1.27"))
    await eci_client.tag_resources_async(
        eci_models.TagResourcesRequest(
            region_id=REGION,
            resource_type="ContainerGroup",
            resource_id=[group_id],
            tag=[
                eci_models.TagResourcesRequestTag(key="team", value="payments"),
                eci_models.TagResourcesRequestTag(key="tier", value="web"),
            ],
        )
    )
    group = await describe(eci_client, group_id)
    assert {(t.key, t.value) for t in group.tags} >= {("team", "payments"), ("tier", "web")}
    filtered = await eci_client.describe_container_groups_async(
        eci_models.DescribeContainerGroupsRequest(
            region_id=REGION,
            tag=[eci_models.DescribeContainerGroupsRequestTag(key="team", value="payments")],
        )
    )
    assert [g.container_group_id for g in filtered.body.container_groups] == [group_id]
    listed = await eci_client.list_tag_resources_async(
        eci_models.ListTagResourcesRequest(
            region_id=REGION, resource_type="ContainerGroup", resource_id=[group_id]
        )
    )
    pairs = {(t.tag_key, t.tag_value) for t in listed.body.tag_resources}
    assert ("team", "payments") in pairs
    await eci_client.untag_resources_async(
        eci_models.UntagResourcesRequest(
            region_id=REGION,
            resource_type="ContainerGroup",
            resource_id=[group_id],
            tag_key=["team"],
        )
    )
    group = await describe(eci_client, group_id)
    assert "team" not in {t.key for t in group.tags}
    assert ("tier", "web") in {(t.key, t.value) for t in group.tags}


async def test_refusals(eci_client: Client) -> None:
    with pytest.raises(TeaException) as unknown:
        await eci_client.tag_resources_async(
            eci_models.TagResourcesRequest(
                region_id=REGION,
                resource_type="ContainerGroup",
                resource_id=["eci-nothere"],
                tag=[eci_models.TagResourcesRequestTag(key="a", value="b")],
            )
        )
    assert unknown.value.code == "InvalidResourceId.NotFound"
    group_id = await create_group(eci_client, container("web", "nginx:1.27"))
    with pytest.raises(TeaException) as reserved:
        await eci_client.tag_resources_async(
            eci_models.TagResourcesRequest(
                region_id=REGION,
                resource_type="ContainerGroup",
                resource_id=[group_id],
                tag=[eci_models.TagResourcesRequestTag(key="acs:owner", value="b")],
            )
        )
    assert reserved.value.code == "InvalidParameter"


async def test_a_group_is_tagged_and_listed_in_its_own_region_only(eci_client: Client) -> None:
    group_id = await create_group(eci_client, container("web", "nginx:1.27"))
    other = "cn-beijing" if REGION != "cn-beijing" else "cn-shanghai"
    with pytest.raises(TeaException) as elsewhere:
        await eci_client.tag_resources_async(
            eci_models.TagResourcesRequest(
                region_id=other,
                resource_type="ContainerGroup",
                resource_id=[group_id],
                tag=[eci_models.TagResourcesRequestTag(key="team", value="payments")],
            )
        )
    assert group_id in str(elsewhere.value.message)
    await eci_client.tag_resources_async(
        eci_models.TagResourcesRequest(
            region_id=REGION,
            resource_type="ContainerGroup",
            resource_id=[group_id],
            tag=[eci_models.TagResourcesRequestTag(key="team", value="payments")],
        )
    )
    listed = await eci_client.list_tag_resources_async(
        eci_models.ListTagResourcesRequest(
            region_id=other,
            resource_type="ContainerGroup",
            tag=[eci_models.ListTagResourcesRequestTag(key="team", value="payments")],
        )
    )
    assert listed.body.tag_resources == []
