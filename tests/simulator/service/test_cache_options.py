"""CreateImageCache's network, registry and snapshot options: stored and echoed by Describe."""

from __future__ import annotations

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import REGION, refused
from tests.simulator.service.test_imagecaches import create_cache, describe_cache


async def test_options_are_echoed_by_describe(eci: EciTarget, eci_client: Client) -> None:
    cache_id = await create_cache(
        eci_client,
        "busybox:1.37",
        v_switch_id="vsw-one,vsw-two",
        security_group_id="sg-cache",
        resource_group_id="rg-team",
        elimination_strategy="LRU",
        plain_http_registry="registry.local:5000",
        insecure_registry="harbor.local",
        acr_registry_info=[
            eci_models.CreateImageCacheRequestAcrRegistryInfo(
                instance_id="cri-team", region_id=REGION, domain=["team.cr.aliyuncs.com"]
            )
        ],
    )
    cache = await describe_cache(eci_client, cache_id)
    assert (cache.resource_group_id, cache.elimination_strategy) == ("rg-team", "LRU")
    raw = await eci.simulator.service.call(
        "DescribeImageCaches", {"RegionId": REGION, "ImageCacheId": cache_id}
    )
    item = raw["ImageCaches"][0]
    assert {k: item[k] for k in ("VSwitchId", "SecurityGroupId", "PlainHttpRegistry")} == {
        "VSwitchId": "vsw-one,vsw-two",
        "SecurityGroupId": "sg-cache",
        "PlainHttpRegistry": "registry.local:5000",
    }
    assert item["InsecureRegistry"] == "harbor.local"
    assert item["AcrRegistryInfo"] == [
        {
            "InstanceId": "cri-team",
            "InstanceName": "",
            "RegionId": REGION,
            "Domain": ["team.cr.aliyuncs.com"],
        }
    ]


async def test_a_plain_cache_has_empty_options(eci_client: Client) -> None:
    cache = await describe_cache(eci_client, await create_cache(eci_client, "busybox:1.37"))
    assert (cache.resource_group_id, cache.elimination_strategy) == ("", "")
    assert cache.flash_snapshot_id == ""


async def test_bad_options_are_refused_naming_the_parameter(eci_client: Client) -> None:
    strategy = await refused(create_cache(eci_client, "busybox:1.37", elimination_strategy="FIFO"))
    assert strategy.code == "InvalidParameter"
    assert "EliminationStrategy" in strategy.message
    assert "FIFO" in strategy.message
    vswitches = ",".join(f"vsw-{n}" for n in range(11))
    too_many = await refused(create_cache(eci_client, "busybox:1.37", v_switch_id=vswitches))
    assert "VSwitchId" in too_many.message
    copies = await refused(create_cache(eci_client, "busybox:1.37", standard_copy_count=0))
    assert "StandardCopyCount" in copies.message
