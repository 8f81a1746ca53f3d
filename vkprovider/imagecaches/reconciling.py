"""One pass over one ImageCache: make ECI match it and write what ECI says into its status.

Order of business: deletion (delete the ECI cache, then drop our finalizer), our finalizer,
the spec's own validity, expiry, then find or create the ECI cache (ClientToken = UID, and a
lookup by recorded id or by name + UID tag first, so a restarted agent never makes a second
one), UpdateImageCache on a spec edit, and finally the status, written only through
`/status` and only when it changed. A problem with the resource itself becomes a Failed status
(`InvalidImageCache`); anything transient is raised for the queue to retry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kubernetes_asyncio import client as k8s
from kubernetes_asyncio.client.exceptions import ApiException

from vkprovider import metrics
from vkprovider.imagecaches import cloud, status
from vkprovider.imagecaches.errors import InvalidImageCache, RetryableProblem
from vkprovider.imagecaches.kinds import (
    GROUP,
    PLURAL,
    VERSION,
    CloudImageCache,
    ImageCacheId,
    ImageCacheStatusBody,
    Phase,
    ResourceName,
    ResourceUid,
)
from vkprovider.imagecaches.secrets import resolve_credentials
from vkprovider.imagecaches.specs import ImageCacheSpec, parse_spec
from vkprovider.settings import ImageCacheSettings

MERGE_PATCH = "application/merge-patch+json"
_SETTLED = (Phase.READY, Phase.FAILED, Phase.UPDATE_FAILED)


@dataclass(frozen=True)
class Outcome:
    """What the queue should do next with this resource."""

    requeue_after: float | None
    """Seconds until the next pass, or None when only a change should wake it."""


class Reconciler:
    """Reconciles single ImageCache objects; holds no per-resource state between passes."""

    def __init__(
        self,
        *,
        api: k8s.ApiClient,
        eci: cloud.EciCaller,
        settings: ImageCacheSettings,
        now: Callable[[], datetime],
    ) -> None:
        self._custom = k8s.CustomObjectsApi(api)
        self._api = api
        self._eci = eci
        self._settings = settings
        self._now = now

    async def reconcile(self, obj: Mapping[str, Any], *, logger: Any) -> Outcome:
        meta = obj["metadata"]
        name = ResourceName(meta["name"])
        finalizers: list[str] = list(meta.get("finalizers") or [])
        if meta.get("deletionTimestamp"):
            if self._settings.finalizer in finalizers:
                await self._clean_up(obj, logger=logger)
            return Outcome(requeue_after=None)
        if self._settings.finalizer not in finalizers:
            obj = await self._set_finalizers(obj, [*finalizers, self._settings.finalizer])
        previous: Mapping[str, Any] = obj.get("status") or {}
        generation = int(obj["metadata"].get("generation") or 1)
        now = self._now()
        phase = previous.get("phase")
        if phase == Phase.EXPIRED or (phase in _SETTLED and status.is_expired(previous, now=now)):
            expired = status.expired_status(previous=previous, now=now)
            await self._write_status(name, previous, expired)
            return Outcome(requeue_after=None)
        try:
            spec = parse_spec(obj.get("spec"), annotations=meta.get("annotations") or {})
            return await self._build(obj, spec=spec, previous=previous, now=now, logger=logger)
        except InvalidImageCache as problem:
            logger.warning("imagecache refused", field=problem.field, problem=problem.message)
            new = status.refused_status(
                message=problem.message,
                previous=previous,
                cache_exists=bool(previous.get("imageCacheId"))
                and problem.field != "status.imageCacheId",
                failed_retention=self._settings.failed_retention,
                generation=generation,
                now=now,
            )
            await self._write_status(name, previous, new)
            return Outcome(requeue_after=self._settings.resync_seconds)

    async def _build(
        self,
        obj: Mapping[str, Any],
        *,
        spec: ImageCacheSpec,
        previous: Mapping[str, Any],
        now: datetime,
        logger: Any,
    ) -> Outcome:
        meta = obj["metadata"]
        name = ResourceName(meta["name"])
        uid = ResourceUid(meta["uid"])
        generation = int(meta.get("generation") or 1)
        phase = previous.get("phase")
        recorded = previous.get("imageCacheId")
        cache: CloudImageCache | None
        if recorded:
            cache = await cloud.describe(self._eci, cache_id=ImageCacheId(recorded))
            if cache is None:
                raise InvalidImageCache(
                    f"ECI image cache {recorded} no longer exists (expired, or deleted outside "
                    "Kubernetes); delete and re-create this ImageCache to build it again",
                    field="status.imageCacheId",
                )
        else:
            cache = await cloud.find(self._eci, name=name, uid=uid, uid_tag=self._settings.uid_tag)
        observed = previous.get("observedGeneration")
        reflected = generation
        if cache is None:
            cache = await self._create(name=name, uid=uid, spec=spec, token=uid, logger=logger)
        elif observed is not None and int(observed) < generation:
            if _is_building(_phase_of(cache)):
                # ECI refuses to update a cache mid-build: let it settle, then update.
                reflected = int(observed)
            else:
                cache = await self._change(
                    cache, name=name, uid=uid, spec=spec, generation=generation, logger=logger
                )
        new = status.status_from_cloud(
            cache=cache,
            previous=previous,
            retention_days=spec.retention_days,
            failed_retention=self._settings.failed_retention,
            generation=reflected,
            now=now,
            unknown_annotations=spec.options.unknown,
        )
        if new["phase"] != phase:
            logger.info("imagecache phase", phase=new["phase"], cache_id=new.get("imageCacheId"))
            _observe_build(cache, before=phase, after=new["phase"])
        await self._write_status(name, previous, new)
        if _is_building(new["phase"]):
            return Outcome(requeue_after=self._settings.build_poll_seconds)
        return Outcome(requeue_after=self._until_expiry(new, now=now))

    async def _create(
        self,
        *,
        name: ResourceName,
        uid: ResourceUid,
        spec: ImageCacheSpec,
        token: str,
        logger: Any,
    ) -> CloudImageCache:
        credentials = await resolve_credentials(
            self._api, spec.pull_secrets, request_timeout=self._settings.request_timeout_seconds
        )
        tags = {self._settings.uid_tag: uid, self._settings.name_tag: name}
        cache_id = await cloud.create(
            self._eci,
            name=name,
            client_token=token,
            spec=spec,
            credentials=credentials,
            tags=tags,
        )
        logger.info("imagecache created in ECI", cache_id=cache_id, auto_match=spec.auto_match)
        described = await cloud.describe(self._eci, cache_id=cache_id)
        return described or {"ImageCacheId": cache_id, "Status": Phase.PREPARING, "Progress": "0%"}

    async def _change(
        self,
        cache: CloudImageCache,
        *,
        name: ResourceName,
        uid: ResourceUid,
        spec: ImageCacheSpec,
        generation: int,
        logger: Any,
    ) -> CloudImageCache:
        """A spec edit: UpdateImageCache, or a fresh build when the old one had failed."""
        cache_id = ImageCacheId(str(cache.get("ImageCacheId")))
        token = f"{uid}-{generation}"
        if cache.get("Status") == Phase.FAILED:
            await cloud.delete(self._eci, cache_id=cache_id)
            logger.info("failed imagecache rebuilt after a spec change", old_cache_id=cache_id)
            return await self._create(name=name, uid=uid, spec=spec, token=token, logger=logger)
        credentials = await resolve_credentials(
            self._api, spec.pull_secrets, request_timeout=self._settings.request_timeout_seconds
        )
        await cloud.update(
            self._eci, cache_id=cache_id, token=token, spec=spec, credentials=credentials
        )
        logger.info("imagecache update sent to ECI", cache_id=cache_id, generation=generation)
        described = await cloud.describe(self._eci, cache_id=cache_id)
        return described or {**cache, "Status": Phase.UPDATING}

    def _until_expiry(self, new: ImageCacheStatusBody, *, now: datetime) -> float:
        expires = status.parse_time(new.get("expireDateTime"))
        if expires is None:
            return self._settings.resync_seconds
        return min(max((expires - now).total_seconds(), 0.0), self._settings.resync_seconds)

    async def _clean_up(self, obj: Mapping[str, Any], *, logger: Any) -> None:
        meta = obj["metadata"]
        previous: Mapping[str, Any] = obj.get("status") or {}
        recorded = previous.get("imageCacheId")
        cache_ids: set[str] = {recorded} if recorded else set()
        found = await cloud.find(
            self._eci,
            name=ResourceName(meta["name"]),
            uid=ResourceUid(meta["uid"]),
            uid_tag=self._settings.uid_tag,
        )
        if found and found.get("ImageCacheId"):
            cache_ids.add(str(found["ImageCacheId"]))
        for cache_id in sorted(cache_ids):
            await cloud.delete(self._eci, cache_id=ImageCacheId(cache_id))
            logger.info("imagecache deleted in ECI", cache_id=cache_id)
        remaining = [f for f in meta.get("finalizers") or [] if f != self._settings.finalizer]
        await self._set_finalizers(obj, remaining)

    async def _set_finalizers(
        self, obj: Mapping[str, Any], finalizers: list[str]
    ) -> Mapping[str, Any]:
        """Merge-patch `metadata.finalizers`, guarded by resourceVersion (409 → retry)."""
        meta = obj["metadata"]
        body = {"metadata": {"finalizers": finalizers, "resourceVersion": meta["resourceVersion"]}}
        try:
            updated: Mapping[str, Any] = await self._custom.patch_cluster_custom_object(
                GROUP,
                VERSION,
                PLURAL,
                meta["name"],
                body,
                _content_type=MERGE_PATCH,  # type: ignore[call-arg]  # missing from the stubs
                _request_timeout=self._settings.request_timeout_seconds,
            )
        except ApiException as exc:
            if exc.status == 404:
                return obj
            raise RetryableProblem(f"updating finalizers: HTTP {exc.status} {exc.reason}") from exc
        return updated

    async def _write_status(
        self, name: ResourceName, previous: Mapping[str, Any], new: ImageCacheStatusBody
    ) -> None:
        if not status.differs(previous, new):
            return
        try:
            await self._custom.patch_cluster_custom_object_status(
                GROUP,
                VERSION,
                PLURAL,
                name,
                status.merge_patch(new),
                _content_type=MERGE_PATCH,  # type: ignore[call-arg]  # missing from the stubs
                _request_timeout=self._settings.request_timeout_seconds,
            )
        except ApiException as exc:
            if exc.status == 404:
                return
            raise RetryableProblem(f"writing status: HTTP {exc.status} {exc.reason}") from exc


def _is_building(phase: str) -> bool:
    """Poll while ECI works; an unknown phase is polled too, to see where it goes."""
    try:
        return Phase(phase).building
    except ValueError:
        return True


def _phase_of(cache: CloudImageCache) -> str:
    return str(cache.get("Status") or Phase.PENDING)


def _observe_build(cache: CloudImageCache, *, before: object, after: str) -> None:
    """Record the ECI-side build duration once, when a build reaches Ready or Failed."""
    if after not in (Phase.READY, Phase.FAILED) or before in (Phase.READY, Phase.FAILED):
        return
    started = status.parse_time(cache.get("CreationTime"))
    ends = [
        status.parse_time(event.get("LastTimestamp") or event.get("FirstTimestamp"))
        for event in cache.get("Events") or []
    ]
    finished = max((end for end in ends if end is not None), default=None)
    if started is None or finished is None or finished < started:
        return
    metrics.IMAGECACHE_BUILD_SECONDS.labels(result=after.lower()).observe(
        (finished - started).total_seconds()
    )
