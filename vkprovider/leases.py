"""The node heartbeat: a coordination.k8s.io/v1 Lease in kube-node-lease.

Named after the Node and owned by it, `leaseDurationSeconds` 40, renewed
every 10 s by a task of its own that does nothing else, so pod work can never
starve it (a late lease gets a real cluster's node tainted and, 300 s later,
its Pods evicted). How late each renewal ran is a histogram in /metrics.
"""

from __future__ import annotations

import asyncio
from typing import Any

from kubernetes_asyncio import client

from vkprovider import metrics
from vkprovider.clocks import kube_micro_time
from vkprovider.kube.calls import read_json, with_retries
from vkprovider.kube.errors import KubeNotFound
from vkprovider.settings import LeaseSettings, RetrySettings


class LeaseKeeper:
    def __init__(
        self,
        *,
        api: client.ApiClient,
        node_name: str,
        node_uid: str,
        settings: LeaseSettings,
        retry: RetrySettings,
        logger: Any,
    ) -> None:
        self._api: Any = client.CoordinationV1Api(api)
        self._node = node_name
        self._node_uid = node_uid
        self._settings = settings
        self._retry = retry
        self._logger = logger.bind(lease=f"{settings.namespace}/{node_name}")
        self.renewals = 0

    def _body(self) -> dict[str, Any]:
        now = kube_micro_time()
        return {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {
                "name": self._node,
                "namespace": self._settings.namespace,
                "ownerReferences": [
                    {
                        "apiVersion": "v1",
                        "kind": "Node",
                        "name": self._node,
                        "uid": self._node_uid,
                    }
                ],
            },
            "spec": {
                "holderIdentity": self._node,
                "leaseDurationSeconds": self._settings.duration_seconds,
                "renewTime": now,
                "acquireTime": now,
            },
        }

    async def renew(self) -> None:
        """Renew the Lease, creating it when absent."""
        namespace = self._settings.namespace
        patch = {
            "metadata": {"ownerReferences": self._body()["metadata"]["ownerReferences"]},
            "spec": {
                "holderIdentity": self._node,
                "leaseDurationSeconds": self._settings.duration_seconds,
                "renewTime": kube_micro_time(),
            },
        }

        async def update() -> Any:
            return await read_json(
                await self._api.patch_namespaced_lease(
                    self._node,
                    namespace,
                    patch,
                    _content_type="application/merge-patch+json",
                    _preload_content=False,
                )
            )

        async def create() -> Any:
            return await read_json(
                await self._api.create_namespaced_lease(
                    namespace, self._body(), _preload_content=False
                )
            )

        try:
            await with_retries(
                update, operation="renew lease", retry=self._retry, logger=self._logger
            )
        except KubeNotFound:
            await with_retries(
                create, operation="create lease", retry=self._retry, logger=self._logger
            )
            self._logger.info("lease created")
        self.renewals += 1
        metrics.LEASE_RENEWALS.inc()

    async def run(self) -> None:
        """Renew on a fixed schedule until cancelled; a failure is logged and retried."""
        loop = asyncio.get_running_loop()
        interval = self._settings.renew_interval_seconds
        due = loop.time()
        while True:
            metrics.LEASE_RENEW_DELAY_SECONDS.observe(max(0.0, loop.time() - due))
            try:
                await self.renew()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._logger.warning("lease renewal failed", error=str(exc))
            due += interval
            await asyncio.sleep(max(0.0, due - loop.time()))
            if loop.time() - due > interval:
                due = loop.time()
