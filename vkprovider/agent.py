"""The node agent: node, lease, pod controller, kubelet API, ImageCache controller.

Start order matters: the Node is registered before anything else (Pods must
never be bound to a missing Node), the lease task starts at once, the Pod
informer syncs, one full reconcile adopts existing instances, and only then
do workers create anything. Every forever-task runs under `guarded`. On stop
(SIGTERM in `vk-eci agent`), tasks are cancelled, the Node is left in place
and, when asked, marked NotReady.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from kubernetes_asyncio import client

from vkprovider import collecting
from vkprovider.clocks import agent_time
from vkprovider.eci.client import EciClient
from vkprovider.guarding import guarded
from vkprovider.imagecaches.controller import ImageCacheController
from vkprovider.kube.events import EventRecorder
from vkprovider.kube.informer import Informer
from vkprovider.kubelet.server import KubeletServer
from vkprovider.leases import LeaseKeeper
from vkprovider.node import NodeManager
from vkprovider.pods.cloud import PodCloud
from vkprovider.pods.cloudstate import PodCloudState
from vkprovider.pods.controller import PodController
from vkprovider.pods.polling import StatusPoller
from vkprovider.pods.reconciling import Reconciler
from vkprovider.pods.writing import PodWriter
from vkprovider.settings import AgentSettings
from vkprovider.types import pod_key

STOP_STEP_SECONDS = 10.0
"""Longest wait for each shutdown step (pending events, NotReady), so SIGTERM always ends."""


class Agent:
    def __init__(
        self,
        *,
        settings: AgentSettings,
        api: client.ApiClient,
        eci_client: EciClient,
        logger: Any = None,
    ) -> None:
        self.settings = settings
        self.api = api
        self.eci = eci_client
        self.logger = logger if logger is not None else structlog.get_logger("vkprovider")
        self.node = NodeManager(api=api, settings=settings, logger=self.logger)
        self.events = EventRecorder(
            api=api,
            node_name=settings.node.name,
            retry=settings.pods.retry,
            logger=self.logger,
            enabled=settings.pods.events_enabled,
            settings=settings.events,
        )
        self.cloud = PodCloud(eci_client=eci_client, node_name=settings.node.name)
        self.cloud_state = PodCloudState(
            now=agent_time,
            visibility_grace_seconds=max(30.0, 10 * settings.pods.status_poll_interval_seconds),
        )
        self.pods = PodController(
            settings=settings,
            cloud=self.cloud,
            state=self.cloud_state,
            writer=PodWriter(api=api, retry=settings.pods.retry, logger=self.logger),
            events=self.events,
            logger=self.logger,
        )
        core: Any = client.CoreV1Api(api)
        self.informer = Informer(
            name="pods",
            list_call=core.list_pod_for_all_namespaces,
            list_kwargs={"field_selector": f"spec.nodeName={settings.node.name}"},
            key=pod_key,
            handler=self.pods.on_pod_event,
            settings=settings.pods,
            logger=self.logger,
            tally=PodController.phase_of,
        )
        self.pods.informer = self.informer
        self.poller = StatusPoller(controller=self.pods, state=self.cloud_state, logger=self.logger)
        self.reconciler = Reconciler(
            controller=self.pods, state=self.cloud_state, logger=self.logger
        )
        self.kubelet: KubeletServer | None = None
        self.lease: LeaseKeeper | None = None
        self.imagecaches: ImageCacheController | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.started = asyncio.Event()

    def _spawn(self, name: str, factory: Any) -> None:
        task = asyncio.get_running_loop().create_task(
            guarded(name, factory, logger=self.logger), name=f"vk-eci:{name}"
        )
        self._tasks.append(task)

    async def start(self) -> None:
        """Register the node and start every task; returns once Pods are being served."""
        collecting.pace()
        if self.settings.kubelet.enabled:
            self.kubelet = KubeletServer(
                settings=self.settings.kubelet,
                controller=self.pods,
                state=self.cloud_state,
                api=self.api,
                node_name=self.settings.node.name,
                logger=self.logger,
            )
            await self.kubelet.start()
            self.node.kubelet_port = self.kubelet.port
        node_uid = await self.node.register()
        self.lease = LeaseKeeper(
            api=self.api,
            node_name=self.settings.node.name,
            node_uid=node_uid,
            settings=self.settings.lease,
            retry=self.settings.pods.retry,
            logger=self.logger,
        )
        self._spawn("lease", self.lease.run)
        self._spawn("node-status", self.node.run)
        self._spawn("pod-informer", self.informer.run)
        await self.informer.synced.wait()
        await self._initial_reconcile()
        collecting.settle()
        self._spawn("pod-workers", self.pods.run_workers)
        self._spawn("status-poller", self.poller.run)
        self._spawn("reconciler", self.reconciler.run)
        if self.settings.imagecache_controller:
            self._start_imagecaches()
        self.started.set()
        self.logger.info("agent started", node=self.settings.node.name)

    async def _initial_reconcile(self) -> None:
        delays = self.settings.pods.retry.backoff_seconds or (1.0,)
        attempt = 0
        while True:
            try:
                await self.reconciler.reconcile_once()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = delays[min(attempt, len(delays) - 1)]
                attempt += 1
                self.logger.warning(
                    "initial reconcile failed, retrying", error=str(exc), attempt=attempt
                )
                await asyncio.sleep(delay)

    def _start_imagecaches(self) -> None:
        self.imagecaches = ImageCacheController(
            api=self.api,
            eci=self.eci,
            settings=self.settings.imagecaches,
            logger=self.logger,
        )
        self._spawn("imagecache-controller", self.imagecaches.run)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self.pods.queue.close()
        try:
            await asyncio.wait_for(self.events.flush(), timeout=STOP_STEP_SECONDS)
        except TimeoutError:
            self.logger.warning("pending events dropped on shutdown")
        await self.events.close()
        if self.settings.node.mark_not_ready_on_exit:
            try:
                await asyncio.wait_for(
                    self.node.write_status(ready=False), timeout=STOP_STEP_SECONDS
                )
                self.logger.info("node marked NotReady")
            except Exception as exc:
                self.logger.warning("could not mark the node NotReady", error=str(exc))
        if self.kubelet is not None:
            await self.kubelet.stop()
        self.logger.info("agent stopped", node=self.settings.node.name)

    async def run(self) -> None:
        """Start, then serve until cancelled; always stops cleanly."""
        try:
            await self.start()
            await asyncio.Event().wait()
        finally:
            await self.stop()
