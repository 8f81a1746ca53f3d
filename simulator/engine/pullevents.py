"""Image preparation as a group's events and waiting reasons.

Successful images give `Pulling` / `Pulled` events whose message carries the
simulated seconds and where the image came from (`from image cache imc-...`,
or how many MB were downloaded). A failing pull (unknown image, unauthorised)
is retried with back-off forever, as kubelet does: `Failed` and `BackOff`
events count the attempts and the containers wait with `ErrImagePull`, then
`ImagePullBackOff`.
"""

from __future__ import annotations

from datetime import datetime

from simulator.engine.containerruns import backoff
from simulator.engine.groupplan import GroupPlan, ImagePreparation, ImageSource
from simulator.engine.grouptypes import Collector, ContainerPhase, ContainerState
from simulator.engine.timestamps import after


def _pull_attempts(image: ImagePreparation, plan: GroupPlan, horizon: datetime) -> list[datetime]:
    """Failure instants of a failing pull: first at `finished_at`, then after each back-off."""
    attempt = image.seconds
    failures = [image.finished_at]
    while failures[-1] <= horizon:
        wait = backoff(plan.pull_backoff_seconds, len(failures) - 1)
        failures.append(after(failures[-1], wait + attempt))
    return failures


def _pulled_message(image: ImagePreparation) -> str:
    seconds = f"{image.seconds:.3f}s"
    if image.source is ImageSource.CACHE:
        return (
            f'Successfully pulled image "{image.reference}" in {seconds} '
            f"from image cache {image.cache_id}"
        )
    megabytes = f"{image.pulled_bytes / 1_000_000:.2f} MB"
    if image.source is ImageSource.PARTIAL_CACHE:
        return (
            f'Successfully pulled image "{image.reference}" in {seconds} from image cache '
            f"{image.cache_id} and the registry ({megabytes} downloaded)"
        )
    return f'Successfully pulled image "{image.reference}" in {seconds} ({megabytes} downloaded)'


def image_events(plan: GroupPlan, c: Collector) -> dict[str, ContainerState]:
    """Image events; returns the Waiting state of containers whose image failed to pull."""
    waiting: dict[str, ContainerState] = {}
    for image in plan.images:
        c.instant(image.started_at)
        if image.failure is None:
            c.instant(image.finished_at)
            c.event(
                kind="Normal",
                reason="Pulling",
                message=f'Pulling image "{image.reference}"',
                times=[image.started_at],
            )
            c.event(
                kind="Normal",
                reason="Pulled",
                message=_pulled_message(image),
                times=[image.finished_at],
            )
            continue
        failures = _pull_attempts(image, plan, c.horizon)
        starts = [image.started_at] + [after(f, -image.seconds) for f in failures[1:]]
        for when in failures + starts:
            c.instant(when)
        c.event(
            kind="Normal",
            reason="Pulling",
            message=f'Pulling image "{image.reference}"',
            times=starts,
        )
        c.event(
            kind="Warning",
            reason="Failed",
            message=f'Failed to pull image "{image.reference}": {image.failure.message}',
            times=failures,
        )
        c.event(
            kind="Warning",
            reason="BackOff",
            message=f'Back-off pulling image "{image.reference}"',
            times=failures[:-1] if failures[-1] > c.horizon else failures,
        )
        if failures[0] <= c.horizon:
            failed_so_far = sum(1 for f in failures if f <= c.horizon)
            waiting[image.reference] = ContainerState(
                ContainerPhase.WAITING,
                reason="ErrImagePull" if failed_so_far == 1 else "ImagePullBackOff",
                message=image.failure.message,
            )
    return waiting
