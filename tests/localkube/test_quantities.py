"""Quantities written back the way kube-apiserver stores them (apimachinery's canonical form)."""

from __future__ import annotations

import pytest

from localkube.quantities import (
    FORMAT_MESSAGE,
    NUMERIC_MESSAGE,
    SUFFIX_MESSAGE,
    QuantityError,
    canonical,
)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("20000", "20k"),
        ("1024Mi", "1Gi"),
        ("1000m", "1"),
        ("0.5", "500m"),
        ("1.5", "1500m"),
        ("100", "100"),
        ("1e3", "1e3"),
        ("1000e0", "1e3"),
        ("0.5Gi", "512Mi"),
        ("0.5Ki", "512"),
        ("1536Mi", "1536Mi"),
        ("2048Ki", "2Mi"),
        ("0", "0"),
        ("0Gi", "0"),
        ("-1000m", "-1"),
        ("0.0000000001", "1n"),
        ("128974848", "128974848"),
        ("129M", "129M"),
        ("5e-3", "5e-3"),
        (1, "1"),
        (0.5, "500m"),
        ("1.0", "1"),
        ("+4", "4"),
    ],
)
def test_canonical_form(given: str | int | float, stored: str) -> None:
    assert canonical(given) == stored


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("abc", FORMAT_MESSAGE),
        ("12XB", FORMAT_MESSAGE),
        ("", FORMAT_MESSAGE),
        ("1 Gi", FORMAT_MESSAGE),
        ("1.2.3", NUMERIC_MESSAGE),
        ("32MMi", SUFFIX_MESSAGE),
        ("1e", SUFFIX_MESSAGE),
    ],
)
def test_not_quantities(given: str, message: str) -> None:
    with pytest.raises(QuantityError) as raised:
        canonical(given)
    assert str(raised.value) == message
