"""The operation names of ECI OpenAPI 2018-08-08, and the ones the edge answers itself.

A name outside `ECI_ACTIONS` gets `InvalidAction.NotFound`, as from ECI's
gateway; a name inside it goes to the service, which answers or says the
simulator does not model it. `DescribeRegions` is answered here from the
region settings: it is static configuration, not state.
"""

from __future__ import annotations

from typing import Any

from simulator.settings import RegionSettings

API_VERSION = "2018-08-08"

ECI_ACTIONS = frozenset(
    {
        "CommitContainer",
        "CopyDataCache",
        "CreateContainerGroup",
        "CreateDataCache",
        "CreateImageCache",
        "CreateInstanceOpsTask",
        "CreateVirtualNode",
        "DeleteContainerGroup",
        "DeleteDataCache",
        "DeleteImageCache",
        "DeleteVirtualNode",
        "DescribeAvailableResource",
        "DescribeCommitContainerTask",
        "DescribeContainerGroupEvents",
        "DescribeContainerGroupMetric",
        "DescribeContainerGroupPrice",
        "DescribeContainerGroupStatus",
        "DescribeContainerGroups",
        "DescribeContainerLog",
        "DescribeDataCaches",
        "DescribeImageCaches",
        "DescribeInstanceOpsRecords",
        "DescribeMultiContainerGroupMetric",
        "DescribeRegions",
        "DescribeVirtualNodes",
        "ExecContainerCommand",
        "ListTagResources",
        "ListUsage",
        "ResizeContainerGroupVolume",
        "RestartContainerGroup",
        "TagResources",
        "UntagResources",
        "UpdateContainerGroup",
        "UpdateDataCache",
        "UpdateImageCache",
        "UpdateVirtualNode",
    }
)
"""Every operation the official SDK 2.1.0 can call."""


def describe_regions(region: RegionSettings) -> dict[str, Any]:
    """The DescribeRegions body (without RequestId) for the one region served."""
    return {
        "Regions": [
            {
                "RegionId": region.region_id,
                "RegionEndpoint": f"eci.{region.region_id}.aliyuncs.com",
                "Zones": list(region.zones),
                "RecommendZones": list(region.zones),
            }
        ]
    }
