"""The CRD as the API server enforces it: what `kubectl create` refuses, defaults, discovery."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes_asyncio import client as k8s
from kubernetes_asyncio.client.exceptions import ApiException

from tests.vkprovider.imagecaches.conftest import CRD_NAME, ImageCaches


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"images": []}, "spec.images"),
        ({"imageCacheSize": 25}, "spec.images"),
        ({"images": ["busybox:latest"], "imageCacheSize": 19}, "spec.imageCacheSize"),
        ({"images": ["busybox:latest"], "imageCacheSize": 32769}, "spec.imageCacheSize"),
        ({"images": ["busybox:latest"], "retentionDays": 0}, "spec.retentionDays"),
        ({"images": ["busybox:latest"], "retentionDays": 65537}, "spec.retentionDays"),
        ({"images": ["busybox:latest"], "imagePullSecrets": ["secret1"]}, "spec.imagePullSecrets"),
    ],
)
async def test_schema_violations_are_refused_with_422(
    imagecaches: ImageCaches, spec: dict[str, Any], field: str
) -> None:
    with pytest.raises(ApiException) as caught:
        await imagecaches.create("bad", spec)
    assert caught.value.status == 422
    assert field in str(caught.value.body)


async def test_the_seed_sample_is_accepted_with_its_values(imagecaches: ImageCaches) -> None:
    created = await imagecaches.create(
        "sample",
        {
            "images": ["centos:latest", "busybox:latest"],
            "imagePullSecrets": ["default:secret1", "default:secret2", "kube-system:secret3"],
            "imageCacheSize": 25,
            "retentionDays": 7,
        },
        annotations={"k8s.aliyun.com/auto-match-imagecache": "true"},
    )
    assert created["spec"]["imageCacheSize"] == 25
    assert "namespace" not in created["metadata"]  # cluster scoped


async def test_image_cache_size_defaults_to_20(imagecaches: ImageCaches) -> None:
    created = await imagecaches.create("defaults", {"images": ["busybox:latest"]})
    assert created["spec"]["imageCacheSize"] == 20
    assert "retentionDays" not in created["spec"]


async def test_names_and_printer_columns_are_served(
    kube_api: k8s.ApiClient, imagecaches: ImageCaches
) -> None:
    crd = await k8s.ApiextensionsV1Api(kube_api).read_custom_resource_definition(CRD_NAME)
    names = crd.spec.names
    assert (names.kind, names.list_kind, names.plural, names.singular) == (
        "ImageCache",
        "ImageCacheList",
        "imagecaches",
        "imagecache",
    )
    assert (names.short_names, names.categories, crd.spec.scope) == (["ic"], ["all"], "Cluster")
    (version,) = crd.spec.versions
    assert (version.name, version.served, version.storage) == ("v1", True, True)
    columns = [(c.name, c.json_path) for c in version.additional_printer_columns]
    assert columns == [
        ("Age", ".metadata.creationTimestamp"),
        ("CacheId", ".status.imageCacheId"),
        ("Phase", ".status.phase"),
        ("Progress", ".status.progress"),
    ]
