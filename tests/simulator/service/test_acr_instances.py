"""ACR Enterprise instances through the SDK: password-free pulls from the default domains,
from a custom domain only when the request names the instance (`AcrRegistryInfo`), for
container groups and image caches alike. The built-in instance `vk-eci-demo` is in
cn-beijing; these requests are in cn-hangzhou, so naming it takes its RegionId."""

from __future__ import annotations

from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from simulator.timemodel.clock import VirtualClock
from tests.simulator.service.conftest import REGION, container, create_group, describe, refused
from tests.simulator.service.test_imagecaches import build_seconds, create_cache, describe_cache

INSTANCE = "cri-vkecidemo0001"
PUBLIC = "vk-eci-demo-registry.cn-beijing.cr.aliyuncs.com/apps/acr-app:1.0"
VPC = "vk-eci-demo-registry-vpc.cn-beijing.cr.aliyuncs.com/apps/acr-app:1.0"
CUSTOM = "registry.vk-eci-demo.example.com/apps/acr-app:1.0"


def named(**fields: Any) -> list[eci_models.CreateContainerGroupRequestAcrRegistryInfo]:
    return [eci_models.CreateContainerGroupRequestAcrRegistryInfo(instance_id=INSTANCE, **fields)]


async def pull_state(client: Client, group_id: str) -> tuple[str, str, str]:
    group = await describe(client, group_id)
    state = group.containers[0].current_state
    return group.status, state.reason or "", state.message or ""


async def test_default_domains_pull_without_a_credential(
    eci_client: Client, clock: VirtualClock
) -> None:
    public = await create_group(eci_client, container("c", PUBLIC), name="public")
    vpc = await create_group(eci_client, container("c", VPC), name="vpc")
    clock.advance(120)
    assert (await describe(eci_client, public)).status == "Running"
    assert (await describe(eci_client, vpc)).status == "Running"


async def test_a_custom_domain_pulls_only_when_the_instance_is_named(
    eci_client: Client, clock: VirtualClock
) -> None:
    unnamed = await create_group(eci_client, container("c", CUSTOM), name="unnamed")
    other_region = await create_group(
        eci_client, container("c", CUSTOM), name="other-region", acr_registry_info=named()
    )
    other_domain = await create_group(
        eci_client,
        container("c", CUSTOM),
        name="other-domain",
        acr_registry_info=named(
            region_id="cn-beijing", domain=["vk-eci-demo-registry.cn-beijing.cr.aliyuncs.com"]
        ),
    )
    right = await create_group(
        eci_client,
        container("c", CUSTOM),
        name="right",
        acr_registry_info=named(region_id="cn-beijing", instance_name="vk-eci-demo"),
    )
    clock.advance(120)
    for group_id in (unnamed, other_region, other_domain):
        status, reason, message = await pull_state(eci_client, group_id)
        assert status == "Pending"
        assert reason in ("ErrImagePull", "ImagePullBackOff")
        assert message == (
            f'failed to pull "{CUSTOM}": unauthorized: authentication required '
            '(no credential for server "registry.vk-eci-demo.example.com")'
        )
    assert (await describe(eci_client, right)).status == "Running"


async def test_an_acr_registry_info_entry_needs_an_instance_id(eci_client: Client) -> None:
    error = await refused(
        create_group(
            eci_client,
            container("c", CUSTOM),
            acr_registry_info=[
                eci_models.CreateContainerGroupRequestAcrRegistryInfo(region_id="cn-beijing")
            ],
        )
    )
    assert error.code == "MissingParameter"
    assert "AcrRegistryInfo.1.InstanceId" in error.message


async def test_an_image_cache_of_a_custom_domain_builds_when_the_instance_is_named(
    eci_client: Client, clock: VirtualClock
) -> None:
    without = await create_cache(eci_client, CUSTOM, name="without")
    info = eci_models.CreateImageCacheRequestAcrRegistryInfo(
        instance_id=INSTANCE, region_id="cn-beijing"
    )
    with_instance = await create_cache(
        eci_client, CUSTOM, name="with-instance", acr_registry_info=[info]
    )
    clock.advance(build_seconds(PUBLIC))
    failed = await describe_cache(eci_client, without)
    assert failed.status == "Failed"
    assert any("unauthorized" in event.message for event in failed.events)
    ready = await describe_cache(eci_client, with_instance)
    assert ready.status == "Ready"
    group_id = await create_group(
        eci_client,
        container("c", CUSTOM),
        name="from-cache",
        image_snapshot_id=with_instance,
        acr_registry_info=named(region_id="cn-beijing"),
    )
    clock.advance(60)
    group = await describe(eci_client, group_id)
    assert group.status == "Running"
    hit = next(event for event in group.events if event.reason == "SuccessfulHitImageCache")
    assert with_instance in hit.message


async def test_an_update_to_a_custom_domain_image_needs_the_instance_named(
    eci_client: Client, clock: VirtualClock
) -> None:
    group_id = await create_group(eci_client, container("web", "nginx:1.27"), name="web")
    clock.advance(120)
    assert (await describe(eci_client, group_id)).status == "Running"

    def update(**fields: Any) -> Any:
        return eci_client.update_container_group_async(
            eci_models.UpdateContainerGroupRequest(
                region_id=REGION,
                container_group_id=group_id,
                container=[
                    eci_models.UpdateContainerGroupRequestContainer(name="web", image=CUSTOM)
                ],
                **fields,
            )
        )

    error = await refused(update())
    assert error.code == "InvalidParameter"
    assert "unauthorized: authentication required" in error.message
    info = eci_models.UpdateContainerGroupRequestAcrRegistryInfo(
        instance_id=INSTANCE, region_id="cn-beijing"
    )
    await update(acr_registry_info=[info])
    assert (await describe(eci_client, group_id)).containers[0].image == CUSTOM
