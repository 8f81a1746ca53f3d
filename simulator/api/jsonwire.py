"""JSON answer bytes: the stdlib encoder's exact output, with orjson where it is the same.

Answers have always been written by `json.JSONEncoder(ensure_ascii=False,
separators=(",", ":"))`, and those bytes are what clients see. orjson writes the same
bytes for dicts (insertion order), lists and tuples, strings (same escapes, UTF-8),
ints, bools and null, about fifteen times faster, but not for every float: Python's
`repr` writes `1e-05`, `1.5e-07`, `1e+16` where orjson writes `0.00001`, `1.5e-7`,
`1e16`. Finding such a float in orjson's output costs more than the stdlib encoding
saves, so `encode_float_free` is for values their builder marks as holding no float
at all (`groupviews.FloatFreeList`: DescribeContainerGroupStatus items are strings,
ints, bools and null by construction, which a test walks); everything else goes
through `encode`, the stdlib encoder.

What it must never do: change a byte of an answer.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_STDLIB = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def encode(value: Any) -> bytes:
    """`value` as the stdlib encoder writes it (compact separators, UTF-8, no ASCII escapes)."""
    return _STDLIB(value).encode()


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is left to the stdlib encoder")


def encode_float_free(value: Any) -> bytes:
    """`encode(value)`, by orjson, for a value that holds no float (see the module docstring).

    What orjson refuses (an int beyond 64 bits, a non-string key, a dataclass or datetime
    the stdlib encoder refuses too) is written, or refused, by the stdlib encoder.
    """
    try:
        return orjson.dumps(value, default=_refuse, option=_OPTIONS)
    except TypeError:
        return encode(value)
