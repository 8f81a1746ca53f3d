"""`k8s.aliyun.com/acr-instance-ids` values: ids in order, `region:id` for another region's
instance, and a message naming the bad entry (the Pod and ImageCache tests show where it
lands)."""

from __future__ import annotations

import pytest

from vkprovider.acrinstances import AcrInstanceRef, parse_acr_instance_ids


def test_ids_and_region_qualified_ids_in_order() -> None:
    assert parse_acr_instance_ids(" cri-abc1 ,cn-beijing:cri-def2") == (
        AcrInstanceRef("cri-abc1"),
        AcrInstanceRef("cri-def2", region_id="cn-beijing"),
    )


@pytest.mark.parametrize(
    ("text", "entry"),
    [("", ""), ("cri-a,,cri-b", ""), ("registry", "registry"), ("Beijing:cri-a", "Beijing:cri-a")],
)
def test_a_bad_entry_is_named(text: str, entry: str) -> None:
    with pytest.raises(ValueError, match=f'^"{entry}" is not an instance id'):
        parse_acr_instance_ids(text)
