"""Resource quantities (`500m`, `1Gi`, `20k`) parsed and written back as kube-apiserver does.

kube stores a quantity in canonical form: the same suffix family the client used (binary
`Ki..Ei`, decimal `n..E`, or exponent `e3`), the largest suffix that keeps the number whole,
and values finer than a nano rounded up. So `1024Mi` is stored as `1Gi`, `1000m` as `1`,
`20000` as `20k`, `0.5` as `500m`. A string that is not a quantity is refused with the
message of apimachinery's parser, which kube-apiserver sends back as a 400.
"""

from __future__ import annotations

import functools
import re
from enum import StrEnum
from fractions import Fraction

FORMAT_MESSAGE = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
SUFFIX_MESSAGE = "unable to parse quantity's suffix"
NUMERIC_MESSAGE = "unable to parse numeric part of quantity"
_SHAPE = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_NAMES = {exponent: suffix for suffix, exponent in _DECIMAL.items()}
_BINARY_NAMES = {bits: suffix for suffix, bits in _BINARY.items()}
MAX_DIGITS = 64
"""Longer numbers are refused (apimachinery's parser caps precision too)."""


class QuantityError(ValueError):
    """Not a quantity; `str()` is apimachinery's message."""


class Format(StrEnum):
    BINARY_SI = "BinarySI"
    DECIMAL_SI = "DecimalSI"
    DECIMAL_EXPONENT = "DecimalExponent"


def parse(text: str) -> tuple[Fraction, Format]:
    match = _SHAPE.match(text)
    if not match:
        raise QuantityError(FORMAT_MESSAGE)
    number, suffix = match.groups()
    digits = number.lstrip("+-")
    if digits.count(".") > 1 or digits in ("", ".") or len(digits) > MAX_DIGITS:
        raise QuantityError(NUMERIC_MESSAGE)
    value = Fraction(digits)
    if number.startswith("-"):
        value = -value
    if suffix in _BINARY:
        return value * (2 ** _BINARY[suffix]), Format.BINARY_SI
    if suffix in _DECIMAL:
        return value * Fraction(10) ** _DECIMAL[suffix], Format.DECIMAL_SI
    if suffix[:1] in ("e", "E"):
        exponent = suffix[1:]
        if not re.fullmatch(r"[-+]?[0-9]+", exponent) or abs(int(exponent)) > 64:
            raise QuantityError(SUFFIX_MESSAGE)
        return value * Fraction(10) ** int(exponent), Format.DECIMAL_EXPONENT
    raise QuantityError(SUFFIX_MESSAGE)


def canonical(value: str | int | float) -> str:
    """The string kube-apiserver stores for `value` (a JSON string or number)."""
    if isinstance(value, bool):
        raise QuantityError(FORMAT_MESSAGE)
    text = repr(value) if isinstance(value, float) else str(value)
    return _canonical_text(text)


@functools.lru_cache(maxsize=4096)
def _canonical_text(text: str) -> str:
    """Remembered: every Pod of a workload repeats the same few quantities (`100m`, `128Mi`),
    and parsing one takes Fractions. A text that is no quantity raises, and is not kept."""
    amount, fmt = parse(text)
    return render(amount, fmt)


def render(amount: Fraction, fmt: Format) -> str:
    if amount == 0:
        return "0"
    sign = "-" if amount < 0 else ""
    magnitude = abs(amount)
    if fmt is Format.BINARY_SI and (magnitude < 1024 or magnitude.denominator != 1):
        fmt = Format.DECIMAL_SI
    if fmt is Format.BINARY_SI:
        whole = int(magnitude)
        bits = 0
        while bits < 60 and whole % (2 ** (bits + 10)) == 0:
            bits += 10
        return f"{sign}{whole // 2**bits}{_BINARY_NAMES.get(bits, '')}"
    nanos = -(-magnitude * 10**9 // 1)  # round up to a whole number of nanos
    exponent = -9
    while exponent < 18 and nanos % 1000 == 0:
        nanos //= 1000
        exponent += 3
    mantissa = f"{sign}{nanos}"
    if fmt is Format.DECIMAL_EXPONENT:
        return mantissa if exponent == 0 else f"{mantissa}e{exponent}"
    return f"{mantissa}{_DECIMAL_NAMES[exponent]}"
