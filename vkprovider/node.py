"""The virtual Node: registration and status heartbeats.

The Node must exist before anything binds to it (a real cluster's pod GC
deletes Pods bound to a missing node), so `register()` runs before the pod
controller starts. Status is written every `status_interval_seconds` or when
`notify_changed()` is called. On shutdown the Node is left in place (marked
NotReady only when asked); this module never deletes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

from kubernetes_asyncio import client

from vkprovider.clocks import kube_time
from vkprovider.kube.calls import read_json, with_retries
from vkprovider.kube.errors import KubeNotFound
from vkprovider.settings import AgentSettings

TAINT_KEY = "virtual-kubelet.io/provider"
TAINT_VALUE = "alibabacloud"
CONTAINER_RUNTIME = "eci://2018-08-08"


def node_labels(settings: AgentSettings) -> dict[str, str]:
    node = settings.node
    zone = node.zone or settings.eci.zone_id or f"{settings.eci.region_id}-a"
    return {
        "type": "virtual-kubelet",
        "kubernetes.io/role": "agent",
        "kubernetes.io/hostname": node.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "eci",
        "topology.kubernetes.io/region": settings.eci.region_id,
        "topology.kubernetes.io/zone": zone,
        "alibabacloud.com/virtual-node": "true",
    }


def node_object(settings: AgentSettings) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": settings.node.name, "labels": node_labels(settings)},
        "spec": {
            "taints": [{"key": TAINT_KEY, "value": TAINT_VALUE, "effect": "NoSchedule"}],
        },
    }


def node_status(
    settings: AgentSettings,
    *,
    kubelet_port: int,
    ready: bool,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The Node's status; transition times are kept while a condition is unchanged."""
    node = settings.node
    now = kube_time()
    old = {c.get("type"): c for c in (previous or {}).get("conditions") or []}
    resources = {
        "cpu": node.cpu,
        "memory": node.memory,
        "pods": node.pods,
        "ephemeral-storage": node.ephemeral_storage,
    }

    def condition(kind: str, status: bool, reason: str, message: str) -> dict[str, Any]:
        text = "True" if status else "False"
        before = old.get(kind) or {}
        transition = before.get("lastTransitionTime") if before.get("status") == text else None
        return {
            "type": kind,
            "status": text,
            "reason": reason,
            "message": message,
            "lastHeartbeatTime": now,
            "lastTransitionTime": transition or now,
        }

    return {
        "capacity": resources,
        "allocatable": resources,
        "conditions": [
            condition(
                "Ready",
                ready,
                "KubeletReady" if ready else "KubeletNotReady",
                "virtual-kubelet is ready" if ready else "virtual-kubelet is stopped",
            ),
            condition("MemoryPressure", False, "KubeletHasSufficientMemory", "ECI has memory"),
            condition("DiskPressure", False, "KubeletHasNoDiskPressure", "ECI has disk"),
            condition("PIDPressure", False, "KubeletHasSufficientPID", "ECI has PIDs"),
            condition("NetworkUnavailable", False, "RouteCreated", "ECI networking is up"),
        ],
        "addresses": [
            {"type": "InternalIP", "address": node.internal_ip},
            {"type": "Hostname", "address": node.name},
        ],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": kubelet_port}},
        "nodeInfo": {
            "machineID": node.name,
            "systemUUID": node.name,
            "bootID": socket.gethostname(),
            "kernelVersion": "",
            "osImage": "Alibaba Cloud Elastic Container Instance",
            "containerRuntimeVersion": CONTAINER_RUNTIME,
            "kubeletVersion": node.kubelet_version,
            "kubeProxyVersion": "",
            "operatingSystem": "linux",
            "architecture": "amd64",
        },
    }


class NodeManager:
    def __init__(self, *, api: client.ApiClient, settings: AgentSettings, logger: Any) -> None:
        self._core: Any = client.CoreV1Api(api)
        self._settings = settings
        self._logger = logger.bind(node=settings.node.name)
        self._changed = asyncio.Event()
        self.kubelet_port = settings.kubelet.port
        self.uid = ""
        self._status: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self._settings.node.name

    def notify_changed(self) -> None:
        self._changed.set()

    async def register(self) -> str:
        """Create the Node (or adopt the existing one), write its status; returns its UID."""
        retry = self._settings.pods.retry

        async def get() -> Any:
            return await read_json(await self._core.read_node(self.name, _preload_content=False))

        try:
            existing = await with_retries(
                get, operation="get node", retry=retry, logger=self._logger
            )
        except KubeNotFound:
            existing = None
        wanted = node_object(self._settings)
        if existing is None:

            async def create() -> Any:
                return await read_json(await self._core.create_node(wanted, _preload_content=False))

            existing = await with_retries(
                create, operation="create node", retry=retry, logger=self._logger
            )
            self._logger.info("node registered")
        else:
            # Keep taints others put there (e.g. the node lifecycle controller's); add ours.
            taints = list((existing.get("spec") or {}).get("taints") or [])
            for taint in wanted["spec"]["taints"]:
                if not any(t.get("key") == taint["key"] for t in taints):
                    taints.append(taint)
            patch = {
                "metadata": {"labels": wanted["metadata"]["labels"]},
                "spec": {"taints": taints},
            }

            async def update() -> Any:
                return await read_json(
                    await self._core.patch_node(
                        self.name,
                        patch,
                        _content_type="application/merge-patch+json",
                        _preload_content=False,
                    )
                )

            existing = await with_retries(
                update, operation="patch node", retry=retry, logger=self._logger
            )
            self._logger.info("node adopted")
        self.uid = existing["metadata"]["uid"]
        self._status = existing.get("status") or {}
        await self.write_status(ready=True)
        return self.uid

    async def write_status(self, *, ready: bool) -> None:
        status = node_status(
            self._settings, kubelet_port=self.kubelet_port, ready=ready, previous=self._status
        )
        body = {"status": status}

        async def patch() -> Any:
            return await read_json(
                await self._core.patch_node_status(
                    self.name,
                    body,
                    _content_type="application/merge-patch+json",
                    _preload_content=False,
                )
            )

        result = await with_retries(
            patch,
            operation="patch node status",
            retry=self._settings.pods.retry,
            logger=self._logger,
        )
        self._status = result.get("status") or status

    async def run(self) -> None:
        """Refresh the status every interval or on change, until cancelled."""
        interval = self._settings.node.status_interval_seconds
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=interval)
            self._changed.clear()
            try:
                await self.write_status(ready=True)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._logger.warning("node status update failed", error=str(exc))
