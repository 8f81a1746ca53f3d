"""Groups read as ECI's plain JSON (`EciClient.call_json`) are the groups the SDK's models gave.

`PodCloud.describe` and `list_node_groups` no longer build the SDK's response models; what
the controller keeps of a group (`slim_group`) must be the same as before, for a group
with init and app containers, environment, ports and tags, Pending and Running.
"""

from __future__ import annotations

import asyncio
import json

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_util.models import RuntimeOptions

from tests.fixtures.eci import EciTarget
from tests.polling import eventually
from vkprovider.eci.client import EciClient
from vkprovider.pods import annotations as ann
from vkprovider.pods.cloud import PodCloud, slim_group
from vkprovider.settings import EciSettings
from vkprovider.types import RawGroup

NODE = "vk-answers"


def _container(name: str) -> eci_models.CreateContainerGroupRequestContainer:
    return eci_models.CreateContainerGroupRequestContainer(
        name=name,
        image="nginx:1.25",
        cpu=0.25,
        memory=0.5,
        environment_var=[
            eci_models.CreateContainerGroupRequestContainerEnvironmentVar(key="MODE", value="x")
        ],
        port=[eci_models.CreateContainerGroupRequestContainerPort(port=80, protocol="TCP")],
    )


async def test_plain_answers_keep_what_the_models_kept(eci: EciTarget, eci_client: Client) -> None:
    made = await eci_client.create_container_group_async(
        eci_models.CreateContainerGroupRequest(
            region_id=eci.region_id,
            container_group_name="answers",
            container=[_container("app"), _container("side")],
            init_container=[
                eci_models.CreateContainerGroupRequestInitContainer(
                    name="init", image="busybox:1.36", command=["true"]
                )
            ],
            tag=[eci_models.CreateContainerGroupRequestTag(key=ann.TAG_NODE, value=NODE)],
            cpu=0.5,
            memory=1.0,
        )
    )
    group_id = made.body.container_group_id
    settings = EciSettings(
        endpoint=eci.endpoint,
        access_key_id=eci.access_key_id,
        access_key_secret=eci.access_key_secret,
        region_id=eci.region_id,
    )
    cloud = PodCloud(eci_client=EciClient(settings=settings), node_name=NODE)

    async def through_models() -> RawGroup:
        request = eci_models.DescribeContainerGroupsRequest(
            region_id=eci.region_id, container_group_ids=json.dumps([group_id])
        )
        answer = await asyncio.to_thread(
            eci_client.describe_container_groups_with_options, request, RuntimeOptions()
        )
        return slim_group(answer.body.container_groups[0].to_map())

    async def compare() -> str:
        before = await through_models()
        plain = (await cloud.describe([group_id]))[group_id]
        listed = {g["ContainerGroupId"]: g for g in await cloud.list_node_groups()}[group_id]
        after = await through_models()
        if before != after:
            return ""  # the group moved on between the reads: read again
        assert plain == before
        assert listed == before
        return str(before["Status"])

    first = await eventually(compare, what="one read of the group both ways alike")
    assert first in {"Pending", "Scheduling", "Running"}

    async def running() -> bool:
        return await compare() == "Running"

    assert await eventually(running, what="the group Running, read both ways alike")
