"""Deciding a container group's future at creation: the `GroupPlan`.

Inputs are values (the validated spec, resolved images, the chosen cache's
content, the time model, the number of pulls in flight); the output is a plan
with absolute simulated instants. All durations come from
`simulator.timemodel.model`; workload behaviour from `simulator.engine.workloads`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from simulator.engine.cacheplan import CacheContent
from simulator.engine.groupplan import (
    CacheUse,
    ContainerPlan,
    Failure,
    GroupPlan,
    ImagePreparation,
    ImageSource,
)
from simulator.engine.timestamps import after
from simulator.engine.workloadplans import workload_plan
from simulator.registry.catalog import Catalog, ImagePullError
from simulator.registry.images import Image, RegistryCredential
from simulator.specs.groups import ContainerSpec, GroupSpec
from simulator.specs.podfields import Volume
from simulator.timemodel.model import (
    plan_container_start,
    plan_image_preparation,
    restart_backoff_seconds,
)
from simulator.timemodel.plans import ImagePull, PreparationPlan
from simulator.timemodel.settings import TimeModelSettings

MAX_INSTANCE_CPU = 64.0
"""Largest instance (vCPU) the simulated zones have in stock; larger ones fail to schedule."""
MAX_INSTANCE_MEMORY = 512.0
"""Largest instance memory (GiB) in stock; larger ones fail to schedule."""


@dataclass(frozen=True)
class ChosenCache:
    """The cache a new group starts from, and how it was chosen."""

    cache_id: str
    mode: str
    content: CacheContent
    snapshot_layers: frozenset[str]
    """Every layer on the snapshot (the pause image's included)."""
    disk_seconds: float | None = None
    """Creating the instance's disk from the snapshot, if a batch slows it (else the model's)."""
    disk_gib: int = 0
    """The storage the instance is billed for because of the cache (`CacheUse.disk_gib`)."""


def backoff_sequence(model: TimeModelSettings) -> tuple[float, ...]:
    """Restart (and pull retry) waits until the cap is reached; the last repeats."""
    waits: list[float] = []
    for count in range(64):
        wait = restart_backoff_seconds(model=model, restart_count=count)
        waits.append(wait)
        if wait >= model.restart_backoff_max_seconds:
            break
    return tuple(waits)


def resolve_images(
    *, catalog: Catalog, spec: GroupSpec, credentials: Sequence[RegistryCredential]
) -> tuple[dict[str, Image], dict[str, Failure]]:
    """Resolve every image the group needs: images found, and pull failures by reference."""
    found: dict[str, Image] = {}
    failed: dict[str, Failure] = {}
    for reference in spec.images:
        try:
            found[reference] = catalog.resolve(reference, credentials)
        except ImagePullError as exc:
            failed[reference] = Failure(reason="ErrImagePull", message=exc.message)
    return found, failed


def _source(pull: ImagePull, cache: ChosenCache | None) -> ImageSource:
    """Where an image came from: the registry, the cache, or partly both."""
    if cache is None:
        return ImageSource.REGISTRY
    if pull.pulled_layers == 0:
        return ImageSource.CACHE
    if pull.present_layers > 0:
        return ImageSource.PARTIAL_CACHE
    return ImageSource.REGISTRY


def _pulled_images(
    *,
    spec: GroupSpec,
    images: dict[str, Image],
    preparation: PreparationPlan,
    cache: ChosenCache | None,
    scheduled_at: datetime,
) -> list[ImagePreparation]:
    """The images that resolved, in the spec's order, timed by the preparation plan."""
    prepared: list[ImagePreparation] = []
    for reference in spec.images:
        image = images.get(reference)
        if image is None:
            continue
        pull = preparation.image(image.reference)
        source = _source(pull, cache)
        prepared.append(
            ImagePreparation(
                reference=reference,
                resolved=image.reference,
                source=source,
                cache_id=None
                if source is ImageSource.REGISTRY or cache is None
                else cache.cache_id,
                started_at=scheduled_at
                if not prepared
                else after(scheduled_at, pull.start_seconds),
                finished_at=after(scheduled_at, pull.end_seconds),
                size_bytes=image.uncompressed_bytes,
                pulled_bytes=pull.downloaded_bytes,
                image_id=image.image_id,
            )
        )
    return prepared


def _failed_pulls(
    *,
    spec: GroupSpec,
    failures: dict[str, Failure],
    model: TimeModelSettings,
    end_of_pulls: datetime,
) -> list[ImagePreparation]:
    """The images that did not resolve: each fails after a manifest resolve, once pulls end."""
    return [
        ImagePreparation(
            reference=reference,
            resolved=reference,
            source=ImageSource.REGISTRY,
            cache_id=None,
            started_at=end_of_pulls,
            finished_at=after(end_of_pulls, model.manifest_resolve_seconds),
            size_bytes=0,
            pulled_bytes=0,
            failure=failure,
        )
        for reference in spec.images
        if (failure := failures.get(reference)) is not None
    ]


def _container_plan(
    c: ContainerSpec,
    *,
    init: bool,
    volumes: tuple[Volume, ...],
    group_id: str,
    images: dict[str, Image],
    cached_images: set[str],
    model: TimeModelSettings,
) -> ContainerPlan:
    """A container's start delay (lazy hydration when its image is cached) and workload."""
    start = 0.0
    image = images.get(c.image)
    if image is not None:
        start = plan_container_start(
            model=model,
            image=image,
            lazily_hydrated=c.image in cached_images,
            jitter_key=f"{group_id}/{c.name}",
        ).started_seconds
    return ContainerPlan(
        name=c.name,
        image=c.image,
        start_seconds=start,
        workload=workload_plan(c, init=init, volumes=volumes),
    )


def _cache_use(
    spec: GroupSpec, cache: ChosenCache | None, cached_images: set[str]
) -> CacheUse | None:
    """Which of the group's images the chosen cache served (None: no cache)."""
    if cache is None:
        return None
    return CacheUse(
        cache_id=cache.cache_id,
        mode=cache.mode,
        matched_images=tuple(r for r in spec.images if r in cached_images),
        missing_images=tuple(r for r in spec.images if r not in cached_images),
        disk_gib=cache.disk_gib,
    )


def plan_group(
    *,
    group_id: str,
    spec: GroupSpec,
    catalog: Catalog,
    images: dict[str, Image],
    failures: dict[str, Failure],
    model: TimeModelSettings,
    now: datetime,
    cache: ChosenCache | None,
    concurrent_pulls: int,
) -> GroupPlan:
    scheduled_at = after(now, model.scheduling_seconds)
    if spec.cpu > MAX_INSTANCE_CPU or spec.memory > MAX_INSTANCE_MEMORY:
        return _out_of_stock(spec=spec, model=model, now=now, scheduled_at=scheduled_at)
    ordered = [images[ref] for ref in spec.images if ref in images]
    preparation = plan_image_preparation(
        model=model,
        images=[catalog.pause_image, *ordered],
        snapshot_layers=None if cache is None else cache.snapshot_layers,
        concurrent_pulls=max(1, concurrent_pulls),
        jitter_key=group_id,
        snapshot_disk_seconds=None if cache is None else cache.disk_seconds,
    )
    prepared = _pulled_images(
        spec=spec, images=images, preparation=preparation, cache=cache, scheduled_at=scheduled_at
    )
    end_of_pulls = after(scheduled_at, preparation.total_seconds)
    prepared += _failed_pulls(spec=spec, failures=failures, model=model, end_of_pulls=end_of_pulls)
    cached_images = {p.reference for p in prepared if p.source is not ImageSource.REGISTRY}

    def container(c: ContainerSpec, *, init: bool) -> ContainerPlan:
        return _container_plan(
            c,
            init=init,
            volumes=spec.volumes,
            group_id=group_id,
            images=images,
            cached_images=cached_images,
            model=model,
        )

    waits = backoff_sequence(model)
    return GroupPlan(
        created_at=now,
        scheduled_at=scheduled_at,
        schedule_failure=None,
        images=tuple(prepared),
        prepared_at=None if failures else end_of_pulls,
        init_containers=tuple(container(c, init=True) for c in spec.init_containers),
        containers=tuple(container(c, init=False) for c in spec.containers),
        restart_policy=spec.restart_policy,
        restart_backoff_seconds=waits,
        pull_backoff_seconds=waits,
        termination_seconds=model.termination_seconds,
        cache=_cache_use(spec, cache, cached_images),
        active_deadline_seconds=spec.active_deadline_seconds,
        restart_backoff_reset_seconds=model.restart_backoff_reset_seconds,
    )


def _out_of_stock(
    *, spec: GroupSpec, model: TimeModelSettings, now: datetime, scheduled_at: datetime
) -> GroupPlan:
    """A group no simulated host can take: ScheduleFailed once scheduling gives up."""
    failure = Failure(
        "NoStock",
        f"Create ECI failed because the specified instance is out of stock: {spec.cpu:g} vCPU "
        f"/ {spec.memory:g} GiB is more than the largest instance in stock "
        f"({MAX_INSTANCE_CPU:g} vCPU / {MAX_INSTANCE_MEMORY:g} GiB)",
    )

    def waiting(c: ContainerSpec, *, init: bool) -> ContainerPlan:
        return ContainerPlan(
            c.name, c.image, 0.0, workload_plan(c, init=init, volumes=spec.volumes)
        )

    return GroupPlan(
        created_at=now,
        scheduled_at=scheduled_at,
        schedule_failure=failure,
        images=(),
        prepared_at=None,
        init_containers=tuple(waiting(c, init=True) for c in spec.init_containers),
        containers=tuple(waiting(c, init=False) for c in spec.containers),
        restart_policy=spec.restart_policy,
        restart_backoff_seconds=backoff_sequence(model),
        pull_backoff_seconds=backoff_sequence(model),
        termination_seconds=model.termination_seconds,
        cache=None,
        active_deadline_seconds=None,
    )
