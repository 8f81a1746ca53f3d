"""In-place image changes: a Pod's new container image becomes ECI's UpdateContainerGroup.

Kubernetes lets a bare Pod's `spec.containers[*].image` change in place
(`kubectl set image pod/...`); a kubelet then restarts that container from
the new image. On ECI the same is UpdateContainerGroup with `Container.N.Name`
and `Container.N.Image`: ECI stops the container, prepares the new image and
starts it again, and DescribeContainerGroups shows the new image, a restart
count one higher and the previous state, which the status mirror writes back
as usual. Only a Running group is updated (ECI refuses others); a Pod whose
group is still starting is compared again on its next status change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def changed_images(pod: Mapping[str, Any], group: Mapping[str, Any]) -> dict[str, str]:
    """Containers whose image in the Pod differs from the group's: name -> new image."""
    if group.get("Status") != "Running":
        return {}
    running = {c.get("Name"): c.get("Image") for c in group.get("Containers") or []}
    changed = {}
    for container in (pod.get("spec") or {}).get("containers") or []:
        name, image = container.get("name"), container.get("image")
        if name in running and image and running[name] != image:
            changed[str(name)] = str(image)
    return changed
