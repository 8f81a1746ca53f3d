"""The ImageCache annotations ECI documents reach CreateImageCache; unknown `imc-*` ones are
warned about in the resource's status (agent on the embedded API server, simulator via SDK)."""

from __future__ import annotations

from alibabacloud_eci20180808.client import Client

from tests.fixtures.eci import EciTarget
from tests.vkprovider.imagecaches.conftest import ImageCaches, RunningController
from tests.vkprovider.imagecaches.test_lifecycle import cloud_caches

BUSYBOX = "docker.io/library/busybox:1.37"


async def test_documented_annotations_reach_eci_and_unknown_ones_are_warned_about(
    imagecaches: ImageCaches, controller: RunningController, eci: EciTarget, eci_client: Client
) -> None:
    created = await imagecaches.create(
        "annotated",
        {"images": [BUSYBOX]},
        annotations={
            "k8s.aliyun.com/imc-enable-reuse": "true",
            "k8s.aliyun.com/imc-enable-flash": "true",
            "k8s.aliyun.com/vswitch-ids": "vsw-a, vsw-b",
            "k8s.aliyun.com/security-group-id": "sg-cache",
            "k8s.aliyun.com/resource-group-id": "rg-team",
            "k8s.aliyun.com/acr-instance-ids": "cri-one,cri-two",
            "k8s.aliyun.com/plain-http-registry": "registry.local:5000",
            "k8s.aliyun.com/insecure-registry": "harbor.local",
            "k8s.aliyun.com/imc-no-such-option": "yes",
        },
    )
    status = await imagecaches.wait_phase(created["metadata"]["name"], "Ready")
    (cache,) = await cloud_caches(eci, eci_client, image_cache_id=status["imageCacheId"])
    assert cache["ResourceGroupId"] == "rg-team"
    raw = await eci.simulator.service.call(
        "DescribeImageCaches", {"RegionId": eci.region_id, "ImageCacheId": cache["ImageCacheId"]}
    )
    item = raw["ImageCaches"][0]
    assert {
        k: item[k]
        for k in ("Flash", "VSwitchId", "SecurityGroupId", "PlainHttpRegistry", "InsecureRegistry")
    } == {
        "Flash": True,
        "VSwitchId": "vsw-a,vsw-b",
        "SecurityGroupId": "sg-cache",
        "PlainHttpRegistry": "registry.local:5000",
        "InsecureRegistry": "harbor.local",
    }
    assert [acr["InstanceId"] for acr in item["AcrRegistryInfo"]] == ["cri-one", "cri-two"]
    warnings = [e for e in status["events"] if e["type"] == "Warning"]
    assert [(e["reason"], e["metadata"]["name"]) for e in warnings] == [
        ("UnknownAnnotation", "k8s.aliyun.com/imc-no-such-option")
    ]
    assert "not sent to ECI" in warnings[0]["message"]


async def test_a_malformed_flash_annotation_fails_the_resource_naming_it(
    imagecaches: ImageCaches, controller: RunningController
) -> None:
    created = await imagecaches.create(
        "bad-flash",
        {"images": [BUSYBOX]},
        annotations={"k8s.aliyun.com/imc-enable-flash": "yes"},
    )
    status = await imagecaches.wait_phase(created["metadata"]["name"], "Failed")
    assert "k8s.aliyun.com/imc-enable-flash" in status["message"]
    assert '"yes"' in status["message"]


async def test_a_cache_of_a_custom_acr_domain_builds_only_with_the_instance_named(
    imagecaches: ImageCaches, controller: RunningController
) -> None:
    image = "registry.vk-eci-demo.example.com/apps/acr-app:1.0"
    named = await imagecaches.create(
        "acr-named",
        {"images": [image]},
        annotations={"k8s.aliyun.com/acr-instance-ids": "cn-beijing:cri-vkecidemo0001"},
    )
    unnamed = await imagecaches.create("acr-unnamed", {"images": [image]})
    ready = await imagecaches.wait_phase(named["metadata"]["name"], "Ready")
    assert ready["imageCacheId"].startswith("imc-")
    failed = await imagecaches.wait_phase(unnamed["metadata"]["name"], "Failed")
    assert "unauthorized" in failed["message"]
