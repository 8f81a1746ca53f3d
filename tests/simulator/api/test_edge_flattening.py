"""Un-flattening of SDK-style parameter names into nested dicts and lists."""

from __future__ import annotations

import pytest

from simulator.api.flattening import unflatten
from simulator.errors import InvalidParameter


def test_nested_lists_and_objects_come_back_in_index_order() -> None:
    params = unflatten(
        [
            ("RegionId", "cn-hangzhou"),
            ("Container.2.Name", "sidecar"),
            ("Container.1.Name", "app"),
            ("Container.1.Port.2.Port", "443"),
            ("Container.1.Port.1.Port", "80"),
            ("Container.1.EnvironmentVar.1.Key", "A"),
            ("Container.1.EnvironmentVar.1.FieldRef.FieldPath", "status.podIP"),
            ("Container.1.Command.1", "sh"),
            ("Container.1.Command.2", "-c"),
            ("DnsConfig.NameServer.1", "10.0.0.10"),
            ("Tag.1.Key", "k"),
            ("Tag.1.Value", "v"),
        ]
    )
    assert params == {
        "RegionId": "cn-hangzhou",
        "Container": [
            {
                "Name": "app",
                "Port": [{"Port": "80"}, {"Port": "443"}],
                "EnvironmentVar": [{"Key": "A", "FieldRef": {"FieldPath": "status.podIP"}}],
                "Command": ["sh", "-c"],
            },
            {"Name": "sidecar"},
        ],
        "DnsConfig": {"NameServer": ["10.0.0.10"]},
        "Tag": [{"Key": "k", "Value": "v"}],
    }


def test_index_ten_sorts_after_index_two() -> None:
    pairs = [(f"Container.{i}.Name", f"c{i}") for i in (10, 2, 1)]
    assert unflatten(pairs) == {"Container": [{"Name": "c1"}, {"Name": "c2"}, {"Name": "c10"}]}


@pytest.mark.parametrize(
    ("pairs", "named"),
    [
        ([("Tag", "x"), ("Tag.1.Key", "k")], "Tag"),
        ([("Tag.1.Key", "k"), ("Tag", "x")], "Tag"),
        ([("Tag.1", "x"), ("Tag.1.Key", "k")], "Tag.1"),
        ([("Tag.1.Key", "k"), ("Tag.Name", "x")], "Tag"),
        ([("Tag..Key", "k")], "Tag..Key"),
    ],
)
def test_ambiguous_names_are_refused_naming_the_parameter(
    pairs: list[tuple[str, str]], named: str
) -> None:
    with pytest.raises(InvalidParameter) as raised:
        unflatten(pairs)
    assert raised.value.message.startswith(named)
