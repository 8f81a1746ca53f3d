"""The pod controller: one work item per Pod key, turning Pods into ECI groups.

Inputs: the Pod informer (spec.nodeName = this node), the status poller and
the full reconcile, which all just enqueue keys. `sync(key)` looks at the
Pod and what is known of its container group and does the next step:
create (ClientToken = Pod UID, so a retry or a restarted agent never makes
a second instance), mirror status, forward ECI's events, delete. Per-key
ordering comes from the work queue; nothing here keeps a Pod's state that
cannot be rebuilt from the API server and ECI. What is known of the cloud side
(groups, Pod records, creation times, ECI's clock rate) lives in the shared
`PodCloudState` (pods/cloudstate.py), which the controller only calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from vkprovider import metrics
from vkprovider.clocks import utc_now
from vkprovider.eci.errors import EciError, EciNotFound, EciPermanentError
from vkprovider.kube.events import EventKind, EventRecorder
from vkprovider.kube.informer import EventType, Informer
from vkprovider.pods import annotations as ann
from vkprovider.pods.cloud import PodCloud
from vkprovider.pods.cloudstate import PodCloudState
from vkprovider.pods.daemonsets import (
    DAEMONSET_MESSAGE,
    DAEMONSET_REASON,
    daemonset_status,
    is_daemonset_pod,
)
from vkprovider.pods.deleting import delete_pod
from vkprovider.pods.failing import (
    PROVIDER_FAILED,
    already_reported,
    clear_refusal,
    refusal_phase,
    update_fingerprint,
)
from vkprovider.pods.forwarding import forward_events
from vkprovider.pods.instancespecs import instance_annotations
from vkprovider.pods.requests import PodSpecError, build_create_request, referenced_objects
from vkprovider.pods.status import (
    TERMINAL_PHASES,
    PodPhase,
    cache_mode,
    failed_status,
    phase_seconds,
    pod_status,
)
from vkprovider.pods.tracking import PodRecord
from vkprovider.pods.updating import changed_images
from vkprovider.pods.writing import PodWriter
from vkprovider.queueing import WorkQueue
from vkprovider.settings import AgentSettings
from vkprovider.types import (
    ContainerGroupId,
    ImageCacheId,
    PodKey,
    PodUid,
    RawGroup,
    RawObject,
    pod_key,
)


class PodController:
    def __init__(
        self,
        *,
        settings: AgentSettings,
        cloud: PodCloud,
        state: PodCloudState,
        writer: PodWriter,
        events: EventRecorder,
        logger: Any,
    ) -> None:
        self.settings = settings
        self.cloud = cloud
        self.writer = writer
        self.events = events
        self.logger = logger
        self.queue: WorkQueue[PodKey] = WorkQueue(retry=settings.pods.retry)
        self.state = state
        self._uid_by_key: dict[PodKey, PodUid] = {}
        self._key_by_uid: dict[PodUid, PodKey] = {}
        """Every Pod the informer holds, by UID (groups are linked to Pods by their UID tag)."""
        self.reconciled = asyncio.Event()
        self.informer: Informer | None = None

    # -- inputs ---------------------------------------------------------------

    def on_pod_event(self, kind: EventType, pod: RawObject) -> None:
        meta = pod.get("metadata") or {}
        uid = PodUid(meta.get("uid", ""))
        if kind == EventType.DELETED:
            self._key_by_uid.pop(uid, None)
        else:
            self._key_by_uid[uid] = pod_key(pod)
        record = self.state.record(meta.get("uid", ""))
        if (
            kind == EventType.MODIFIED
            and record is not None
            and record.echo_version == meta.get("resourceVersion")
        ):
            return  # the echo of our own write: nothing new to act on
        # Creating an instance waits behind work on Pods that have one (or are going).
        urgent = (
            kind == EventType.DELETED
            or bool(meta.get("deletionTimestamp"))
            or (record is not None and record.group_id is not None)
        )
        self.queue.add(pod_key(pod), urgent=urgent)

    def pod(self, key: PodKey) -> RawObject | None:
        return self.informer.cache.get(key) if self.informer is not None else None

    def pods(self) -> list[RawObject]:
        return list(self.informer.cache.values()) if self.informer is not None else []

    def _record_for(self, pod: RawObject) -> PodRecord:
        return self.state.record_for(pod, key=pod_key(pod))

    def adopt(self, group: RawGroup) -> PodRecord | None:
        """Link a group found by tag to its Pod's record; None if no such Pod."""
        tags = {t.get("Key"): t.get("Value") for t in group.get("Tags") or []}
        uid = PodUid(str(tags.get(ann.TAG_UID) or ""))
        key = self._key_by_uid.get(uid)
        pod = self.pod(key) if key is not None else None
        if pod is None or pod["metadata"]["uid"] != uid:
            return None
        record = self._record_for(pod)
        record.group_id = ContainerGroupId(group["ContainerGroupId"])
        record.group_gone = False
        return record

    # -- the work item --------------------------------------------------------

    async def sync(self, key: PodKey) -> None:
        pod = self.pod(key)
        old_uid = self._uid_by_key.get(key)
        if pod is None or (old_uid is not None and pod["metadata"]["uid"] != old_uid):
            if old_uid is not None:
                await self._forget_pod(old_uid)
                self._uid_by_key.pop(key, None)
            if pod is None:
                return
        assert pod is not None
        self._uid_by_key[key] = PodUid(pod["metadata"]["uid"])
        record = self._record_for(pod)
        log = self.logger.bind(pod=key, uid=record.uid)
        if pod["metadata"].get("deletionTimestamp"):
            await delete_pod(
                pod=pod,
                record=record,
                cloud=self.cloud,
                state=self.state,
                writer=self.writer,
                requeue=self._requeue_after,
                recheck_seconds=self.settings.pods.status_poll_interval_seconds,
                logger=log,
            )
            return
        if is_daemonset_pod(pod):
            await self._refuse_daemonset(pod, record)
            return
        phase = (pod.get("status") or {}).get("phase")
        if record.failed:
            return
        if record.refused_update is not None:
            if record.refused_update == update_fingerprint(pod):
                return  # refused before, and the Pod has not changed since
            record.refused_update = None
        if record.group_id is None:
            if not self.reconciled.is_set():
                return  # the initial reconcile will tell us whether an instance exists
            if phase in TERMINAL_PHASES:
                return
            if phase == PodPhase.RUNNING:
                await self._instance_lost(pod, record, log)
                return
            await self._create(pod, record, log)
            return
        group = self.state.group(record.group_id)
        if group is None and not record.group_gone:
            found = await self.cloud.describe([record.group_id])
            group = found.get(record.group_id)
            if group is None and self.state.recently_created(record.group_id):
                return  # not visible yet; the poller comes back to it
            if group is None:
                record.group_gone = True
            else:
                self.state.remember_group(group)
        if group is None:
            if phase not in TERMINAL_PHASES:
                await self._instance_lost(pod, record, log)
            return
        changed = changed_images(pod, group)
        if changed and changed != record.requested_images:
            await self.cloud.update_images(group_id=record.group_id, images=changed)
            record.requested_images = changed
            self.state.mark_created(record.group_id, at=self.state.now())
            log.info("container images updated in place", images=changed)
        await self._mirror(pod, record, group, log)

    async def _forget_pod(self, uid: PodUid) -> None:
        """The Pod is gone from the API server: remove its instance, forget it."""
        record = self.state.record(uid)
        if record is not None and record.group_id is not None and not record.group_gone:
            # A failure here raises and requeues the key: the record stays until it works.
            with contextlib.suppress(EciNotFound):
                await self.cloud.delete(record.group_id)
            self.logger.info(
                "deleted instance of a removed pod", pod=record.key, group=record.group_id
            )
            self.state.forget_group(record.group_id)
        self.state.forget_record(uid)
        self.events.forget(uid)

    # -- steps ----------------------------------------------------------------

    async def _create(self, pod: RawObject, record: PodRecord, log: Any) -> None:
        meta = pod["metadata"]
        namespace = meta["namespace"]
        spec = pod.get("spec") or {}
        try:
            config_maps, secrets = referenced_objects(pod)
            objects = await self.writer.referenced_objects(namespace, config_maps, secrets)
            credentials = await self.writer.registry_credentials(
                namespace, [s.get("name", "") for s in spec.get("imagePullSecrets") or []]
            )
            plan = build_create_request(
                pod,
                settings=self.settings.eci,
                node_name=self.settings.node.name,
                objects=objects,
                credentials=credentials,
            )
        except PodSpecError as exc:
            await self._refuse(pod, record, f"unsupported Pod spec: {exc}", log)
            return
        if plan.explicit_cache_id:
            problem = await self._explicit_cache_problem(plan.explicit_cache_id)
            if problem:
                await self._refuse(pod, record, problem, log)
                return
        started = self.state.now()
        try:
            group_id = await self.cloud.create(plan)
        except EciPermanentError as exc:
            message = f"ECI refused to create the container group: {exc.code}: {exc.message}"
            if plan.explicit_cache_id and plan.explicit_cache_id not in exc.message:
                message += f" (image cache {plan.explicit_cache_id})"
            await self._refuse(pod, record, message, log)
            return
        record.group_id = group_id
        record.created_here = True
        log.info("container group created", group=group_id)
        how = (
            f"from image cache {plan.explicit_cache_id}"
            if plan.explicit_cache_id
            else (
                "with automatic image cache matching" if plan.auto_cache else "without image cache"
            )
        )
        self.events.emit(
            pod,
            EventKind.NORMAL,
            "ProviderCreated",
            f"Accepted by ECI as container group {group_id} ({how})",
        )
        # No describe and no status write here: the poller describes new groups 20 per
        # call and writes the first status (the ProviderCreated event tells the user now).
        self.state.mark_created(group_id, at=started)

    def _requeue_after(self, key: PodKey, delay_seconds: float) -> None:
        self.queue.add_after(key, delay_seconds, urgent=True)

    async def _explicit_cache_problem(self, cache_id: ImageCacheId) -> str | None:
        """Why the named cache cannot serve a Pod, or None (Ready verdicts cached briefly)."""
        if self.state.cache_known_ready(cache_id):
            return None
        try:
            cache = await self.cloud.image_cache(cache_id)
        except EciNotFound:
            cache = None
        except EciError as exc:
            self.logger.warning("could not check image cache", cache=cache_id, error=str(exc))
            return None  # let CreateContainerGroup give ECI's own verdict
        if cache is None:
            return f"image cache {cache_id} does not exist"
        phase = cache.get("Status") or "Unknown"
        if phase != "Ready":
            return f"image cache {cache_id} is {phase}, not Ready"
        self.state.remember_ready_cache(cache_id)
        return None

    async def _mirror(self, pod: RawObject, record: PodRecord, group: RawGroup, log: Any) -> None:
        forward_events(events=self.events, pod=pod, record=record, group=group)
        status = pod_status(group, pod, now=utc_now())
        current = pod.get("status") or {}
        clear_refusal(status, current)
        annotations = None if record.metadata_written else self._bookkeeping(group, status)
        existing = pod["metadata"].get("annotations") or {}
        unwritten = (
            annotations
            if annotations is not None and any(existing.get(k) != v for k, v in annotations.items())
            else None
        )
        if any(current.get(k) != v for k, v in status.items()):
            # One write for both: pods/status takes the bookkeeping annotations too.
            written = await self.writer.patch_status(pod, status, annotations=unwritten)
            if written is not None:
                record.echo_version = written["metadata"].get("resourceVersion")
            if written is not None and self.informer is not None and "status" in written:
                self.informer.replace_status(record.key, uid=record.uid, status=written["status"])
            log.debug("status written", phase=status["phase"])
        elif unwritten is not None:
            written = await self.writer.patch_annotations(pod, unwritten)
            if written is not None:
                record.echo_version = written["metadata"].get("resourceVersion")
        if annotations is not None:
            record.metadata_written = True

    def _bookkeeping(self, group: RawGroup, status: dict[str, Any]) -> dict[str, str] | None:
        """The annotations a started Pod gets once (group id, ECI's instance id and spec,
        region, zone, phase seconds), or None while Pending or while a Running group's start
        times are not known yet."""
        if status["phase"] == PodPhase.PENDING:
            return None
        timing = phase_seconds(group)
        annotations = {ann.CONTAINER_GROUP_ID: str(group["ContainerGroupId"])}
        annotations.update(instance_annotations(group))
        for key, name in ((ann.REGION_ID, "RegionId"), (ann.ZONE_ID, "ZoneId")):
            if group.get(name):
                annotations[key] = str(group.get(name))
        if timing is not None:
            annotations[ann.PHASE_SECONDS] = json.dumps(timing, sort_keys=True)
            cached_label = "cached" if timing.get("imageCacheId") else "uncached"
            if timing.get("imageCacheId"):
                metrics.IMAGECACHE_MATCHES.labels(
                    cache=str(timing["imageCacheId"]), mode=cache_mode(group)
                ).inc()
            metrics.POD_STARTUP_SECONDS.labels(cache=cached_label).observe(timing["total"])
            if "imagePreparation" in timing:
                metrics.IMAGE_PREPARATION_SECONDS.labels(cache=cached_label).observe(
                    timing["imagePreparation"]
                )
        elif status["phase"] == PodPhase.RUNNING:
            return None  # wait for the start times before writing the annotation
        return annotations

    async def _refuse(self, pod: RawObject, record: PodRecord, message: str, log: Any) -> None:
        """The provider cannot run this Pod: Pending (Failed if restartPolicy is Never) with
        reason ProviderFailed and one Warning, not tried again until the Pod changes."""
        record.refused_update = update_fingerprint(pod)
        phase = refusal_phase(pod)
        if already_reported(pod, reason=PROVIDER_FAILED, message=message):
            log.info("pod still refused", message=message)
            return
        log.warning("pod refused", reason=PROVIDER_FAILED, message=message, phase=str(phase))
        self.events.emit(pod, EventKind.WARNING, PROVIDER_FAILED, message)
        status = failed_status(
            reason=PROVIDER_FAILED, message=message, now=utc_now(), pod=pod, phase=phase
        )
        await self.writer.patch_status(pod, status)

    async def _fail(
        self, pod: RawObject, record: PodRecord, reason: str, message: str, log: Any
    ) -> None:
        record.failed = True
        log.warning("pod failed", reason=reason, message=message)
        self.events.emit(pod, EventKind.WARNING, reason, message)
        await self.writer.patch_status(
            pod, failed_status(reason=reason, message=message, now=utc_now(), pod=pod)
        )

    async def _instance_lost(self, pod: RawObject, record: PodRecord, log: Any) -> None:
        group = record.group_id or "unknown"
        await self._fail(
            pod,
            record,
            "ProviderInstanceLost",
            f"ECI container group {group} no longer exists; the Pod is not recreated",
            log,
        )

    async def _refuse_daemonset(self, pod: RawObject, record: PodRecord) -> None:
        status = pod.get("status") or {}
        if status.get("reason") == DAEMONSET_REASON or record.failed:
            return
        record.failed = True
        self.events.emit(pod, EventKind.WARNING, DAEMONSET_REASON, DAEMONSET_MESSAGE)
        await self.writer.patch_status(pod, daemonset_status(now=utc_now()))

    # -- running --------------------------------------------------------------

    def on_error(self, key: PodKey, exc: BaseException) -> None:
        delay = self.queue.add_rate_limited(key)
        self.logger.warning(
            "pod work failed, retrying",
            pod=key,
            error=str(exc),
            error_type=type(exc).__name__,
            attempt=self.queue.failures(key) + 1,
            delay_seconds=delay,
        )

    async def handle(self, key: PodKey) -> None:
        await self.sync(key)
        self.queue.forget(key)

    async def run_workers(self) -> None:
        await self.queue.run_workers(
            workers=self.settings.pods.workers, handler=self.handle, on_error=self.on_error
        )

    @staticmethod
    def phase_of(pod: RawObject) -> str:
        """The phase `vk_eci_pods` counts a Pod under (Pending until it has one)."""
        return str((pod.get("status") or {}).get("phase") or PodPhase.PENDING.value)

    def update_phase_gauge(self) -> None:
        """`vk_eci_pods` by phase, from the informer's running counts (no walk over Pods)."""
        counts: dict[str, int] = {p.value: 0 for p in PodPhase}
        if self.informer is not None:
            counts.update(self.informer.tallies)
        for phase, count in counts.items():
            metrics.PODS_BY_PHASE.labels(phase=phase).set(count)
