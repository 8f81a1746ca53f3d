"""The ECI calls the pod controller makes, returning raw PascalCase dicts.

Thin: builds SDK requests, pages through results, and converts SDK models to
dicts (`to_map()`) so the rest of the controller handles one JSON shape.
Batching is done here: container groups are described 20 ids per call (ECI's
page size), never one call per Pod.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

from alibabacloud_eci20180808 import models as eci

from vkprovider import rawjson
from vkprovider.eci.client import EciClient
from vkprovider.pods import annotations as ann
from vkprovider.pods.requests import CreatePlan
from vkprovider.types import ContainerGroupId, ImageCacheId, RawGroup

DESCRIBE_PAGE = 20
DESCRIBE_CONCURRENCY = 8
STATUS_PAGE = 200


GROUP_KEYS = frozenset(
    {
        "ContainerGroupId",
        "RegionId",
        "ZoneId",
        "Status",
        "IntranetIp",
        "CreationTime",
        "SucceededTime",
        "FailedTime",
        "Tags",
        "Events",
        "Containers",
        "InitContainers",
        "ImageSnapshotId",
        "ImageCacheId",
        "Cpu",
        "Memory",
        "InstanceType",
    }
)
CONTAINER_KEYS = frozenset(
    {"Name", "Image", "ImageId", "Ready", "RestartCount", "CurrentState", "PreviousState"}
)
EVENT_KEYS = frozenset({"Reason", "Message", "Count", "FirstTimestamp", "LastTimestamp", "Type"})


def without_nulls(value: Any) -> Any:
    """`value` with JSON nulls left out of its objects, at every depth.

    Groups used to come from the SDK's models' `to_map()`, which leaves out every unset
    field; the controller reads them as absent, so plain answers (`EciClient.call_json`)
    are made alike.
    """
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def slim_group(group: dict[str, Any], strings: rawjson.StringPool | None = None) -> RawGroup:
    """Keep only what the controller reads, without JSON nulls (`without_nulls`): a group is
    held per Pod, so size matters (and its strings are shared through `strings`, when
    given). One pass over what is kept: nulls are left out of the kept parts only, instead
    of first copying the whole answer without them."""
    slim: dict[str, Any] = {}
    for key, value in group.items():
        if value is None or key not in GROUP_KEYS:
            continue
        if key in ("Containers", "InitContainers"):
            value = [_container(c) for c in value]
        elif key == "Events":
            value = [
                {k: v for k, v in e.items() if k in EVENT_KEYS and v is not None} for e in value
            ]
        elif isinstance(value, dict | list):
            value = without_nulls(value)
        slim[key] = value
    if strings is not None:
        strings.share(slim)
    return cast(RawGroup, slim)


def _container(container: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in container.items():
        if value is None or key not in CONTAINER_KEYS:
            continue
        kept[key] = without_nulls(value) if isinstance(value, dict) else value
    return kept


class PodCloud:
    def __init__(self, *, eci_client: EciClient, node_name: str) -> None:
        self.eci = eci_client
        self.node_name = node_name
        self._strings = rawjson.StringPool()

    @property
    def region_id(self) -> str:
        return self.eci.region_id

    async def create(self, plan: CreatePlan) -> ContainerGroupId:
        body = await self.eci.call(
            "CreateContainerGroup", plan.request, extra_query=plan.extra_query or None
        )
        return ContainerGroupId(body.container_group_id)

    async def delete(self, group_id: str) -> None:
        await self.eci.call(
            "DeleteContainerGroup",
            eci.DeleteContainerGroupRequest(region_id=self.region_id, container_group_id=group_id),
        )

    async def describe(self, group_ids: Sequence[str]) -> dict[str, RawGroup]:
        """Groups by id (missing ids are gone); 20 per call, a few calls at a time."""
        ids = list(dict.fromkeys(group_ids))
        chunks = [ids[i : i + DESCRIBE_PAGE] for i in range(0, len(ids), DESCRIBE_PAGE)]
        limit = asyncio.Semaphore(DESCRIBE_CONCURRENCY)

        async def one(chunk: list[str]) -> list[RawGroup]:
            async with limit:
                body = await self.eci.call_json(
                    "DescribeContainerGroups",
                    eci.DescribeContainerGroupsRequest(
                        region_id=self.region_id,
                        container_group_ids=json.dumps(chunk),
                        limit=DESCRIBE_PAGE,
                    ),
                )
            groups = body.get("ContainerGroups") or []
            return [slim_group(group, self._strings) for group in groups]

        found: dict[str, RawGroup] = {}
        for groups in await asyncio.gather(*(one(chunk) for chunk in chunks)):
            for raw in groups:
                found[raw["ContainerGroupId"]] = raw
        return found

    async def list_node_groups(self) -> list[RawGroup]:
        """Every group tagged with this node (the full reconcile)."""
        groups: list[RawGroup] = []
        token: str | None = None
        while True:
            body = await self.eci.call_json(
                "DescribeContainerGroups",
                eci.DescribeContainerGroupsRequest(
                    region_id=self.region_id,
                    tag=[
                        eci.DescribeContainerGroupsRequestTag(
                            key=ann.TAG_NODE, value=self.node_name
                        )
                    ],
                    limit=DESCRIBE_PAGE,
                    next_token=token,
                ),
            )
            page = body.get("ContainerGroups") or []
            groups.extend(slim_group(group, self._strings) for group in page)
            token = body.get("NextToken") or None
            if not token or not page:
                return groups

    async def changed_since(self, seconds: int) -> dict[str, dict[str, Any]]:
        """This node's groups whose status changed in the last `seconds` (ECI time).

        Returns id -> the status item ECI showed (`Status`, `PodStatus`, ...), as parsed:
        a caller fingerprints it to skip groups it has already seen in that state, and
        keeps none of it (so its strings are not pooled).
        """
        changed: dict[str, dict[str, Any]] = {}
        token: str | None = None
        while True:
            body = await self.eci.call_json(
                "DescribeContainerGroupStatus",
                eci.DescribeContainerGroupStatusRequest(
                    region_id=self.region_id,
                    since_second=max(1, int(seconds)),
                    tag=[
                        eci.DescribeContainerGroupStatusRequestTag(
                            key=ann.TAG_NODE, value=self.node_name
                        )
                    ],
                    limit=STATUS_PAGE,
                    next_token=token,
                ),
            )
            data = body.get("Data") or []
            for raw in data:
                changed[str(raw.get("ContainerGroupId"))] = raw
            token = body.get("NextToken") or None
            if not token or not data:
                return changed

    async def image_cache(self, cache_id: ImageCacheId) -> dict[str, Any] | None:
        body = await self.eci.call(
            "DescribeImageCaches",
            eci.DescribeImageCachesRequest(region_id=self.region_id, image_cache_id=cache_id),
        )
        caches = body.image_caches or []
        return caches[0].to_map() if caches else None

    async def update_images(self, *, group_id: str, images: Mapping[str, str]) -> None:
        """UpdateContainerGroup: restart these containers (name -> image) from new images."""
        await self.eci.call(
            "UpdateContainerGroup",
            eci.UpdateContainerGroupRequest(
                region_id=self.region_id,
                container_group_id=group_id,
                container=[
                    eci.UpdateContainerGroupRequestContainer(name=name, image=image)
                    for name, image in images.items()
                ],
            ),
        )

    async def group_metrics(self, group_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each running group's latest usage record (DescribeMultiContainerGroupMetric),
        20 ids per call; groups ECI has no sample for are left out."""
        latest: dict[str, dict[str, Any]] = {}
        for start in range(0, len(group_ids), DESCRIBE_PAGE):
            body = await self.eci.call(
                "DescribeMultiContainerGroupMetric",
                eci.DescribeMultiContainerGroupMetricRequest(
                    region_id=self.region_id,
                    container_group_ids=json.dumps(list(group_ids[start : start + DESCRIBE_PAGE])),
                    metric_type="summary",
                ),
            )
            for data in body.monitor_datas or []:
                if data.records:
                    latest[str(data.container_group_id)] = data.records[-1].to_map()
        return latest

    async def exec_session(
        self,
        *,
        group_id: str,
        container: str,
        command: Sequence[str],
        stdin: bool,
        tty: bool,
    ) -> str:
        """ExecContainerCommand without Sync: the WebSocketUri of the command's session.

        Not retried: a second call would open a second session (and run the command twice).
        """
        body = await self.eci.call(
            "ExecContainerCommand",
            eci.ExecContainerCommandRequest(
                region_id=self.region_id,
                container_group_id=group_id,
                container_name=container,
                command=json.dumps(list(command)),
                stdin=stdin,
                tty=tty,
                sync=False,
            ),
            retry=False,
        )
        return str(body.web_socket_uri or "")

    async def logs(
        self,
        *,
        group_id: str,
        container: str,
        tail: int | None = None,
        limit_bytes: int | None = None,
        since_seconds: int | None = None,
        timestamps: bool = False,
    ) -> str:
        body = await self.eci.call(
            "DescribeContainerLog",
            eci.DescribeContainerLogRequest(
                region_id=self.region_id,
                container_group_id=group_id,
                container_name=container,
                tail=tail,
                limit_bytes=limit_bytes,
                since_seconds=since_seconds,
                timestamps=timestamps or None,
            ),
        )
        return str(body.content or "")
