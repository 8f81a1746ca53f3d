"""A group's checked spec and its plan from CreateContainerGroup parameters, for tests that
project plans without a running simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from simulator.engine.groupplan import GroupPlan
from simulator.engine.planning import plan_group, resolve_images
from simulator.operations.groupspec import parse_group_request
from simulator.operations.params import Params
from simulator.registry.catalog import Catalog
from simulator.specs.groups import GroupSpec
from simulator.timemodel.settings import TimeModelSettings

START = datetime(2026, 1, 1, tzinfo=UTC)
"""When the planned groups are created."""


def walk_request(container: dict[str, Any], **group: Any) -> dict[str, Any]:
    """A group named "walk" with a busybox init container and an nginx container `app`
    (its fields updated by `container`); `group` adds or replaces group parameters."""
    return {
        "RegionId": "cn-hangzhou",
        "ContainerGroupName": "walk",
        "InitContainer": [{"Name": "init", "Image": "busybox:1.37", "Command": ["sleep", "2"]}],
        "Container": [{"Name": "app", "Image": "nginx:1.7.9", **container}],
        **group,
    }


def spec_and_plan(params: dict[str, Any]) -> tuple[GroupSpec, GroupPlan]:
    """The checked spec of `params` and its plan as group `eci-walk` created at `START`,
    from the built-in catalog, the default time model and no other pull in flight."""
    spec, credentials = parse_group_request(Params(params))
    catalog = Catalog.builtin()
    images, failures = resolve_images(catalog=catalog, spec=spec, credentials=credentials)
    plan = plan_group(
        group_id="eci-walk",
        spec=spec,
        catalog=catalog,
        images=images,
        failures=failures,
        model=TimeModelSettings(),
        now=START,
        cache=None,
        concurrent_pulls=1,
    )
    return spec, plan
