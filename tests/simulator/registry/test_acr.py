"""ACR Enterprise instances in the emulated registry: domains, who pulls without a password,
and the catalog file's `acr_instances` list."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.registry.acr import AcrRegistryInfo
from simulator.registry.catalog import Catalog, ManifestUnknown, RegistryUnauthorized
from simulator.registry.catalogfiles import CatalogFileError

INSTANCE: dict[str, Any] = {
    "instance_id": "cri-shop01",
    "name": "shop",
    "region_id": "cn-shanghai",
    "username": "shop@acr",
    "password": "shop-password",
    "custom_domains": ["Images.Shop.Example"],
}
IMAGE = {
    "ref": "shop-registry.cn-shanghai.cr.aliyuncs.com/web/front:2",
    "private": True,
    "layers_mb": [10.0],
}


def shop_catalog() -> Catalog:
    catalog = Catalog(open_registry=True)
    catalog.add_document({"acr_instances": [INSTANCE], "images": [IMAGE]}, source="shop.json")
    return catalog


def test_an_instance_serves_its_default_and_custom_domains() -> None:
    (instance,) = shop_catalog().acr_instances()
    assert instance.domains == (
        "shop-registry.cn-shanghai.cr.aliyuncs.com",
        "shop-registry-vpc.cn-shanghai.cr.aliyuncs.com",
        "images.shop.example",
    )
    assert "shop-password" not in repr(instance)


def test_only_the_custom_domain_needs_the_instance_named() -> None:
    catalog = shop_catalog()
    image = catalog.resolve("shop-registry-vpc.cn-shanghai.cr.aliyuncs.com/web/front:2")
    assert image.reference == IMAGE["ref"]
    with pytest.raises(RegistryUnauthorized, match="authentication required"):
        catalog.resolve("images.shop.example/web/front:2")
    tokens = catalog.acr_tokens(
        [AcrRegistryInfo(instance_id="cri-shop01")], region_id="cn-shanghai"
    )
    assert catalog.resolve("images.shop.example/web/front:2", tokens) == image
    assert (
        catalog.acr_tokens([AcrRegistryInfo(instance_id="cri-other")], region_id="cn-shanghai")
        == []
    )
    with pytest.raises(ManifestUnknown):
        catalog.resolve("shop-registry.cn-shanghai.cr.aliyuncs.com/web/back:1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"instance_id": "shop01"}, 'instance_id "shop01" is not cri-'),
        ({"name": "Shop_1"}, 'name "Shop_1" is not lowercase'),
        ({"password": ""}, "needs instance_id, name, region_id, username, password"),
        ({"custom_domains": "images.shop.example"}, '"custom_domains" must be a list'),
    ],
)
def test_a_bad_instance_entry_names_the_file_and_the_field(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(CatalogFileError, match=rf"shop.json: acr_instances\[0\].*{message}"):
        Catalog().add_document(
            {"acr_instances": [{**INSTANCE, **change}], "images": []}, source="shop.json"
        )


def test_two_instances_cannot_share_a_domain() -> None:
    other = {**INSTANCE, "instance_id": "cri-shop02", "name": "shop2"}
    with pytest.raises(CatalogFileError, match=r"images\.shop\.example of cri-shop02 is already"):
        Catalog().add_document({"acr_instances": [INSTANCE, other], "images": []}, source="x")
