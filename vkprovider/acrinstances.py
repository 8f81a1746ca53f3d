"""`k8s.aliyun.com/acr-instance-ids`: the ACR Enterprise instances a Pod or an ImageCache names.

ECI pulls from an ACR Enterprise instance's custom domains without imagePullSecrets only when
the instance is named; the virtual node takes the names from this annotation, on a Pod
(CreateContainerGroup) and on an ImageCache (CreateImageCache), and sends them as
`AcrRegistryInfo.N`. The value is comma-separated instance ids (`cri-...`); an entry
`region:cri-...` names an instance of another region (its `RegionId`). Both callers parse
here, so a Pod and an ImageCache accept exactly the same values; each reports a bad one in
its own terms. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

ACR_INSTANCE_IDS: Final = "k8s.aliyun.com/acr-instance-ids"
_INSTANCE_ID = re.compile(r"cri-[a-z0-9]+")
_REGION_ID = re.compile(r"[a-z]+(?:-[a-z0-9]+)+")


@dataclass(frozen=True)
class AcrInstanceRef:
    """One named instance: its id and, for another region's, that region."""

    instance_id: str
    region_id: str | None = None


def parse_acr_instance_ids(text: str) -> tuple[AcrInstanceRef, ...]:
    """The instances `text` names, in order; ValueError says what is wrong with it."""
    refs = []
    for part in text.split(","):
        entry = part.strip()
        region, _, instance = entry.rpartition(":")
        if not _INSTANCE_ID.fullmatch(instance) or (region and not _REGION_ID.fullmatch(region)):
            raise ValueError(
                f'"{entry}" is not an instance id (cri-...) or region:instance id '
                "(cn-beijing:cri-...)"
            )
        refs.append(AcrInstanceRef(instance_id=instance, region_id=region or None))
    return tuple(refs)
