"""Init containers are mapped like app containers, down to their fieldRef env."""

from __future__ import annotations

from typing import Any

from vkprovider.pods.requests import build_create_request
from vkprovider.settings import EciSettings

SETTINGS = EciSettings(endpoint="127.0.0.1:1", region_id="cn-beijing", zone_id="cn-beijing-a")

ENV = [
    {"name": "MODE", "value": "prod"},
    {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
    {"name": "HOST", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
]


def _pod() -> dict[str, Any]:
    return {
        "metadata": {"name": "web", "namespace": "default", "uid": "uid-1"},
        "spec": {
            "initContainers": [{"name": "setup", "image": "busybox", "env": ENV}],
            "containers": [{"name": "app", "image": "nginx:1.7.9", "env": ENV}],
        },
    }


def _env(container: Any) -> dict[str, tuple[str | None, str | None]]:
    return {
        e.key: (e.value, e.field_ref.field_path if e.field_ref else None)
        for e in container.environment_var
    }


def test_init_container_env_keeps_the_field_refs_eci_resolves() -> None:
    request = build_create_request(_pod(), settings=SETTINGS, node_name="n").request
    expected = {
        "MODE": ("prod", None),
        "POD": ("web", None),
        "IP": (None, "status.podIP"),
        "HOST": (None, "status.hostIP"),
    }
    assert _env(request.init_container[0]) == expected
    assert _env(request.container[0]) == expected
    wire = request.to_map()["InitContainer"][0]["EnvironmentVar"]
    assert {"Key": "IP", "FieldRef": {"FieldPath": "status.podIP"}} in wire
