"""Automatic image cache creation: what ECI does when an automatic match misses.

With AutoMatchImageCache on and no cache matching, ECI pulls the images
normally *and* builds an image cache of them in the background, so the next
group of the same images starts from it. That cache is its own kind
(`Source: Automatic`, EliminationStrategy LRU: it is the kind the quota
evicts), free to create, and a cloud resource only: nothing here reaches
Kubernetes.

One cache per image set, however many groups miss at once and however many
simulator processes share the store: the cache id is derived from the region
and the normalised, sorted image references, so the primary key is the
unique constraint and a concurrent second insert fails with IntegrityError,
which means "someone already started it". A group whose images do not all
resolve (missing, or private without the right credential) creates nothing.
Must never fail or delay the group's own creation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from simulator.engine.cachebuild import plan_revision
from simulator.engine.cacheplan import CachePlan
from simulator.engine.cachestate import project
from simulator.errors import EciError
from simulator.operations.cachequota import make_room
from simulator.operations.cacheuse import AUTOMATIC
from simulator.operations.context import Context, new_id
from simulator.registry.images import PAUSE_IMAGE_REFERENCE, RegistryCredential
from simulator.registry.references import normalize_reference
from simulator.storage.capacity import DEFAULT_CACHE_SIZE_GIB, gib_needed, storage_report
from simulator.store.tables import ImageCacheRow

AUTOMATIC_ELIMINATION: str = "LRU"
"""Automatic caches are the ones the region's quota may evict, least recently used first."""


def automatic_cache_id(region_id: str, images: Sequence[str]) -> str:
    """The one id every miss of this image set in this region agrees on."""
    names = sorted({normalize_reference(i) for i in images} - {PAUSE_IMAGE_REFERENCE})
    digest = hashlib.sha256("\n".join([region_id, *names]).encode()).hexdigest()
    return "imc-" + digest[:20]


async def create_automatic_cache(
    ctx: Context,
    *,
    region_id: str,
    images: Sequence[str],
    credentials: Sequence[RegistryCredential],
    now: datetime,
) -> str | None:
    """Start building the automatic cache of `images`; its id, or None if none is built."""
    if not ctx.settings.image_caches.auto_create or not images:
        return None
    try:
        cache_id = automatic_cache_id(region_id, images)
        resolved = [ctx.catalog.resolve(i, credentials) for i in images]
    except EciError:
        return None  # the group's own pull reports it; a cache of it would only fail
    async with ctx.db.sessions() as session:
        if await session.get(ImageCacheRow, cache_id) is not None:
            return cache_id
    if not await make_room(ctx, region_id=region_id):
        ctx.logger.info("no automatic image cache: the region is at its quota", cache=cache_id)
        return None
    stored = storage_report([ctx.catalog.pause_image, *resolved]).stored_bytes
    size = max(DEFAULT_CACHE_SIZE_GIB, gib_needed(stored))
    revision = plan_revision(
        cache_id=cache_id,
        catalog=ctx.catalog,
        model=ctx.model,
        requested=list(images),
        credentials=credentials,
        size_gib=size,
        retention_days=None,
        reusable={},
        now=now,
    )
    plan = CachePlan(
        revisions=(revision,),
        failed_retention_hours=ctx.model.failed_cache_retention_seconds / 3600,
    )
    state = project(plan, at=now)
    row = ImageCacheRow(
        id=cache_id,
        name="auto-" + cache_id.removeprefix("imc-"),
        region_id=region_id,
        client_token=None,
        snapshot_id=new_id("s-"),
        created_at=now,
        spec={
            "images": list(images),
            "size_gib": size,
            "retention_days": None,
            "auto_match": False,
            "build_group_id": new_id("eci-"),
            "source": AUTOMATIC,
            "options": {"EliminationStrategy": AUTOMATIC_ELIMINATION},
        },
        plan=plan.to_json(),
        tags={},
        last_matched_at=None,
        status=state.status.value,
        changed_at=state.changed_at,
        next_due_at=state.next_change_at,
        seq=0,
        revision=0,
    )
    try:
        async with ctx.db.writing() as session:
            session.add(row)
            await session.commit()
    except IntegrityError:
        return cache_id  # a concurrent miss (maybe another process) created it first
    ctx.wake()
    ctx.logger.info("image cache created automatically on a miss", cache=cache_id, images=images)
    return cache_id
