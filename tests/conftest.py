"""Shared test set-up: fixtures come from plugin modules under `tests/fixtures/`."""

from __future__ import annotations

pytest_plugins: list[str] = ["tests.fixtures.eci", "tests.fixtures.kube"]
