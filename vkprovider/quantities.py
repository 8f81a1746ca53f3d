"""Kubernetes resource quantities ("500m", "1.5", "128Mi", "1G") as numbers.

Only what the agent needs: CPU in cores and memory in bytes, for mapping Pod
requests/limits to ECI's Cpu (cores) and Memory (GiB). A malformed quantity
raises `ValueError` naming the value. (kubernetes_asyncio has a
`utils.quantity.parse_quantity` only on its main branch; the pinned 36.1.0,
the newest release, does not ship it. Switch to it once a release does.)
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_SUFFIXES: dict[str, Decimal] = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]{0,2})$")

GIB = 2**30

QUANTITIES_REMEMBERED = 1024
"""Distinct quantity values `cpu_cores` and `memory_gib` keep the answer of (`typed`, so
`True` is not taken for `1`; a malformed value raises every time, never cached)."""


def parse_quantity(value: str | int | float) -> Decimal:
    """The numeric value of a Kubernetes quantity."""
    text = str(value).strip()
    match = _QUANTITY.match(text)
    if not match or match.group(2) not in _SUFFIXES:
        raise ValueError(f"{text!r} is not a Kubernetes quantity (e.g. 500m, 2, 128Mi, 1Gi)")
    try:
        number = Decimal(match.group(1))
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a Kubernetes quantity") from exc
    return number * _SUFFIXES[match.group(2)]


@lru_cache(maxsize=QUANTITIES_REMEMBERED, typed=True)
def cpu_cores(value: str | int | float) -> float:
    """Cores of a CPU quantity (remembered: every Pod of a Deployment asks the same)."""
    return float(parse_quantity(value))


@lru_cache(maxsize=QUANTITIES_REMEMBERED, typed=True)
def memory_gib(value: str | int | float) -> float:
    """GiB of a memory quantity (remembered, as `cpu_cores`)."""
    return float(parse_quantity(value) / GIB)
