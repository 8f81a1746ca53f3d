"""Answers written by orjson are byte for byte what the stdlib encoder wrote before.

orjson writes only values holding no float (`FloatFreeList`); DescribeContainerGroupStatus
items are such values for groups in every phase, which is walked here.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from simulator.api.jsonwire import encode, encode_float_free
from simulator.api.responses import answer_response
from simulator.engine.groupstate import project
from simulator.operations.groupviews import FloatFreeList, status_body
from tests.simulator.engine.test_projection_validity import PLANS
from tests.simulator.plans import START, spec_and_plan, walk_request

STDLIB = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _old(value: Any) -> bytes:
    return STDLIB(value).encode()


RICH = {
    "Data": [
        {
            "ContainerGroupId": "eci-2ze0000000000001",
            "Name": "wéb-中文-😀",
            "uuid": "3e5f0c1e-1e5a-4e2b",
            "Value": 'a "quoted"\\ \n\t\r\b\f \x00\x1f\x7f \u2028 \u2029 \ufeff',
            "Tuple": ("of", "strings"),
            "RestartCount": 3,
            "Ready": True,
            "ExitCode": None,
            "Big": 2**63 - 1,
            "Negative": -(2**63),
            "Nested": [[], {}, [{"a": [1, [2, [3]]]}]],
        }
    ]
    * 3,
    "TotalCount": 3,
    "NextToken": "",
}


def test_a_rich_float_free_answer_is_the_same_bytes() -> None:
    assert encode_float_free(RICH) == _old(RICH)
    assert encode(RICH) == _old(RICH)


class _Text(enum.StrEnum):
    B = "b"


@dataclasses.dataclass
class _Record:
    field: int


@pytest.mark.parametrize(
    "value",
    [
        {1: "int key", 2.5: "float key", None: "null key", False: "bool key"},
        [2**64, -(2**70)],
        {"Status": _Text.B},
        {"deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
    ],
)
def test_values_orjson_refuses_or_writes_otherwise_are_the_stdlib_bytes(value: Any) -> None:
    assert encode_float_free(value) == _old(value)


@pytest.mark.parametrize(
    "value", [{"When": datetime(2026, 1, 1, tzinfo=UTC)}, {"Row": _Record(1)}, {"S": {1, 2}}]
)
def test_what_the_stdlib_refused_is_still_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        _old(value)
    with pytest.raises(TypeError):
        encode_float_free(value)


def test_floats_are_why_orjson_writes_only_float_free_values() -> None:
    floats = [1e-05, 1.5e-07, 1e16]
    assert encode(floats) == b"[1e-05,1.5e-07,1e+16]"
    assert encode_float_free(floats) != encode(floats)


def _floats_in(value: Any, path: str = "") -> list[str]:
    if isinstance(value, float):
        return [path]
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _floats_in(v, f"{path}.{k}")]
    if isinstance(value, list | tuple):
        return [f for i, v in enumerate(value) for f in _floats_in(v, f"{path}[{i}]")]
    assert value is None or isinstance(value, str | int), (path, value)
    return []


@pytest.mark.parametrize("name", sorted(PLANS))
def test_status_items_hold_no_float_in_any_phase(name: str) -> None:
    container, group = PLANS[name]
    params = walk_request(
        container, Cpu="0.25", Memory="0.5", Tag=[{"Key": "vk-eci.io/pod-uid", "Value": "u-1"}]
    )
    spec, plan = spec_and_plan({**params, **group})
    deleted = START + timedelta(seconds=90)
    for second in range(0, 200, 3):
        at = START + timedelta(seconds=second)
        for deleted_at in (None, deleted if deleted <= at else None):
            state = project(plan, deleted_at=deleted_at, at=at)
            body = status_body(
                group_id="eci-walk",
                spec=spec,
                intranet_ip="192.168.0.2",
                plan=plan,
                state=state,
                at=at,
            )
            assert _floats_in(body) == []
            assert encode_float_free(body) == _old(body)


@pytest.mark.parametrize(
    "body",
    [
        {"ContainerGroupId": "eci-2ze0000000000001"},
        {"Name": 'a "q"\\ \n\x00\x1f\x7f', "Big": 2**64, "Small": -(2**63), "Ok": True},
        {"Nothing": None, "Count": 0, "No": False, "Emoji": "😀 中文 \u2028"},
        {"Cpu": 1e-05, "Memory": 1e16, "Ratio": 0.1 + 0.2, "Nan": float("nan")},
        {"Mixed": [1.5e-07, "x", 2**70], "Data": FloatFreeList([{"A": 1}]), "T": ("a", 1)},
    ],
)
def test_answers_are_the_stdlib_encoding_of_the_request_id_and_body(body: dict[str, Any]) -> None:
    answer = answer_response("REQ-1", body)
    assert answer.body == _old({"RequestId": "REQ-1", **body})
