"""Deciding an image cache build (creation or update): a `Revision` with its instants.

The build runs on a temporary instance: the instance starts, the pause image
and then each requested image are pulled onto the build disk (layers other
Ready caches hold are copied instead when AutoMatchImageCache asks for reuse),
and the disk is snapshotted. A reference that does not resolve, or a private
image without the right credential, fails the build after the temporary
instance is up. A disk too small for the images (needed vs given) is refused
at the API (`simulator.storage.check_cache_size`), before anything is built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from simulator.engine.cacheplan import BuildStep, CacheContent, Revision
from simulator.engine.groupplan import Failure
from simulator.engine.timestamps import after
from simulator.registry.catalog import Catalog, ImagePullError
from simulator.registry.images import Image, RegistryCredential
from simulator.storage.capacity import check_cache_size
from simulator.timemodel.model import plan_cache_build
from simulator.timemodel.plans import StepKind
from simulator.timemodel.settings import TimeModelSettings

FLASH_STEP = "flash"
"""The temporary local snapshot of a Flash cache: usable from its end."""
SNAPSHOT_STEP = "snapshot"
"""The regular snapshot: the last step of every successful build."""


def _content(requested: Sequence[str], images: Sequence[Image]) -> CacheContent:
    return CacheContent(
        images=tuple(i.reference for i in images),
        requested=tuple(requested),
        image_bytes={i.reference: i.uncompressed_bytes for i in images},
        image_layers={i.reference: tuple(layer.digest for layer in i.layers) for i in images},
    )


def plan_revision(
    *,
    cache_id: str,
    catalog: Catalog,
    model: TimeModelSettings,
    requested: Sequence[str],
    credentials: Sequence[RegistryCredential],
    size_gib: int,
    retention_days: int | None,
    reusable: Mapping[str, str],
    now: datetime,
    flash: bool = False,
) -> Revision:
    """Plan one build starting at `now`. `reusable` maps layer digest → cache holding it.

    `flash` (CreateImageCache's Flash): once the images are on the build disk a temporary
    local snapshot is taken first, and the cache is usable when it is done; the regular
    snapshot follows, and Progress reaches 100% only when that one is done."""
    resolved: list[Image] = []
    failure: Failure | None = None
    for reference in requested:
        try:
            resolved.append(catalog.resolve(reference, credentials))
        except ImagePullError as exc:
            failure = Failure(
                "FailedPullImage", f'Failed to pull image "{reference}": {exc.message}'
            )
            break
    content = _content(requested, resolved)
    instance_up = after(now, model.cache_instance_seconds)
    instance = BuildStep("instance", "temporary build instance", now, instance_up, 0)
    if failure is not None:
        failed_at = after(instance_up, model.manifest_resolve_seconds)
        return Revision(now, (instance,), content, size_gib, retention_days, failure, failed_at)
    check_cache_size(images=[catalog.pause_image, *resolved], size_gib=size_gib)
    layers = {layer.digest for image in [catalog.pause_image, *resolved] for layer in image.layers}
    reuse = frozenset(d for d in layers if d in reusable)
    build = plan_cache_build(
        model=model,
        images=[catalog.pause_image, *resolved],
        reusable_layers=reuse,
        jitter_key=cache_id,
    )
    by_reference: dict[str, str] = {
        str(image.reference): ref for ref, image in zip(requested, resolved, strict=True)
    }
    steps = [
        BuildStep(
            "instance",
            "temporary build instance",
            now,
            after(now, build.steps[0].end_seconds) if build.steps else instance_up,
            build.progress_percent(build.steps[0].end_seconds) if build.steps else 0,
        )
    ]
    for pull in build.images:
        steps.append(
            BuildStep(
                "pull",
                by_reference.get(pull.reference, pull.reference),
                after(now, pull.start_seconds),
                after(now, pull.end_seconds),
                build.progress_percent(pull.end_seconds),
                reused=pull.pulled_layers == 0 and pull.reused_layers > 0,
            )
        )
    snapshot = [s for s in build.steps if s.kind is StepKind.CREATE_SNAPSHOT]
    snapshot_start = snapshot[0].start_seconds if snapshot else build.total_seconds
    delay = 0.0
    if flash:
        delay = model.flash_snapshot_seconds
        steps.append(
            BuildStep(
                FLASH_STEP,
                "local snapshot",
                after(now, snapshot_start),
                after(now, snapshot_start + delay),
                build.progress_percent(snapshot_start),
            )
        )
    steps.append(
        BuildStep(
            SNAPSHOT_STEP,
            "snapshot",
            after(now, snapshot_start + delay),
            after(now, build.total_seconds + delay),
            100,
        )
    )
    reused_from = tuple(sorted({reusable[d] for d in reuse}))
    return Revision(now, tuple(steps), content, size_gib, retention_days, None, None, reused_from)
