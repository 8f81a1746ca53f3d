"""Errors of turning a Pod into an ECI request: the Pod asks for what ECI cannot do."""

from __future__ import annotations


class PodSpecError(Exception):
    """The Pod asks for something the agent cannot run on ECI."""

    def __init__(self, field_path: str, message: str) -> None:
        super().__init__(f"{field_path}: {message}")
        self.field_path = field_path


class MissingReference(PodSpecError):
    """A ConfigMap or Secret (or one of its keys) the Pod needs and that is not optional
    does not exist. Still a `PodSpecError` (ProviderFailed, naming the object); a
    separate class because, unlike the rest, it can heal without a Pod update: the
    object may be created later, as a kubelet waits for it."""

    def __init__(self, field_path: str, message: str, *, kind: str, name: str) -> None:
        super().__init__(field_path, message)
        self.kind = kind
        self.name = name
