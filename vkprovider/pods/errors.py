"""Errors of turning a Pod into an ECI request: the Pod asks for what ECI cannot do."""

from __future__ import annotations


class PodSpecError(Exception):
    """The Pod asks for something the agent cannot run on ECI."""

    def __init__(self, field_path: str, message: str) -> None:
        super().__init__(f"{field_path}: {message}")
        self.field_path = field_path
