"""The operation names of ECI OpenAPI 2018-08-08.

A name outside `ECI_ACTIONS` gets `InvalidAction.NotFound`, as from ECI's
gateway; a name inside it goes to the service, which answers or says the
simulator does not model it.
"""

from __future__ import annotations

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
