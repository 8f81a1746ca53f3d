"""Status polling: which container groups changed, described in batches.

Every `status_poll_interval_seconds` (a tick), the groups still on their way (being
created, pulling, crash-looping) are described by id, 20 per call, whatever else happens:
that is how a new Pod turns Running quickly. Steady groups (Running and ready, or
finished) are not described; a change to one of them (a container that restarts or
exits, a group deleted behind the agent's back) is found by DescribeContainerGroupStatus
with `SinceSecond`, filtered by this node's tag:
* a poll every `status_change_poll_seconds` reaches back over what elapsed since the
  previous poll that covered its time, plus one ECI second (see `pollwindows`);
* every `status_poll_sweep_seconds` the poll is a sweep: it reaches back over everything
  since the previous sweep plus `status_poll_overlap_seconds`, which catches a change ECI
  showed up to that much later than its timestamp.
Windows are in ECI seconds, at a rate of ECI's clock measured from its own timestamps
(`PodCloudState.window_rate`: an upper bound proven from CreationTimes, or the lower
estimate with a 1.5x margin while that is tighter), never from the agent's clock (a
simulator running 100x faster would otherwise be missed). Until ECI's clock is measured
every tick polls and every window is at least `status_poll_min_window_seconds`.

Why no change can be missed: each poll's window is checked when it answers (ECI
evaluated it, every page, before the answer arrived): only a poll that provably reached
back to the previous covered poll moves the covered point; a slow poll, a failed one, or
one whose groups could not be described leaves it where it was, so the next poll reaches
back over the whole gap. The first poll (after a start or restart, right after the full
reconcile listed every group) reaches back `status_poll_min_window_seconds`.

A group a poll shows is described only if its status differs from the last one shown (a
fingerprint) and from the group as last described in what the agent writes of a steady
group (`shown_summary`: status, IP, each container's image, state, readiness, restarts):
with polls seconds apart, most groups were described by id, steady, before ECI showed
them. A group not steady is described by id every tick anyway, so a change the summary
leaves out (a waiting reason) is not missed; a steady group cannot change what the agent
writes without changing its summary (a restart counts, an exit changes the state).

With 0.5 s ticks polling every tick and the sweep every 10 s, a 10,000-Pod bench showed
each group 4.8 times (`vk_eci_status_poll_groups_total`); with polls every 5 s sized as
above, 1.7 times by the polls (its run ends before the first 60 s sweep, which shows each
group changed since the previous one once more).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import orjson

from vkprovider.eci.errors import EciError
from vkprovider.metrics import STATUS_POLL_GROUPS
from vkprovider.pods.pollwindows import Coverage, Latency, Window
from vkprovider.types import ContainerGroupId, RawGroup

if TYPE_CHECKING:
    from vkprovider.pods.cloudstate import PodCloudState
    from vkprovider.pods.controller import PodController


NARROW_SLACK_SECONDS = 1
"""ECI seconds added to the window of a poll between sweeps (SinceSecond's granularity)."""

StatusSummary = tuple[object, ...]


def shown_summary(item: dict[str, Any]) -> StatusSummary:
    """What the agent writes of a DescribeContainerGroupStatus item: the group's status, IP,
    and each container's name, image, state, readiness and restarts."""
    pod_status = item.get("PodStatus") or {}
    containers = sorted(
        (
            str(c.get("Name")),
            c.get("Image"),
            tuple(sorted((c.get("State") or {}).keys())),
            bool(c.get("Ready")),
            c.get("RestartCount") or 0,
        )
        for c in pod_status.get("ContainerStatuses") or []
    )
    return (item.get("Status"), pod_status.get("PodIp") or "", tuple(containers))


def described_summary(group: RawGroup) -> StatusSummary:
    """`shown_summary`'s fields as DescribeContainerGroups gives them."""
    containers = sorted(
        (
            str(c.get("Name")),
            c.get("Image"),
            ((c.get("CurrentState") or {}).get("State"),),
            bool(c.get("Ready")),
            c.get("RestartCount") or 0,
        )
        for c in group.get("Containers") or []
    )
    return (group.get("Status"), group.get("IntranetIp") or "", tuple(containers))


def fingerprint(item: dict[str, Any]) -> int:
    """Equal for equal status items as ECI sends them (a reordering only costs a describe)."""
    return hash(orjson.dumps([item.get("Status"), item.get("PodStatus")]))


class StatusPoller:
    def __init__(self, *, controller: PodController, state: PodCloudState, logger: Any) -> None:
        self._controller = controller
        self._state = state
        self._logger = logger
        self._fingerprints: dict[str, int] = {}
        pods = controller.settings.pods
        self._poll = Coverage(slack=NARROW_SLACK_SECONDS)
        self._sweep = Coverage(slack=pods.status_poll_overlap_seconds)
        self._latency = Latency()
        self._last_sent: float | None = None
        """Agent time the latest status poll was sent (a slow one is not retried at once:
        the next, on time, reaches back over what it may have missed)."""
        self._last_sweep_sent: float | None = None
        """The same for sweeps."""
        self.polls = 0
        """Ticks that ended with their groups described."""
        self.status_polls = 0
        """DescribeContainerGroupStatus polls answered (sweeps included)."""
        self.sweeps = 0
        self.groups_reported = 0
        """Groups DescribeContainerGroupStatus has shown, over all polls."""

    def _window(self, now: float) -> tuple[Window, bool] | None:
        """This tick's status poll (its window, whether it is a sweep), or None if none is due."""
        pods = self._controller.settings.pods
        rate = self._state.window_rate()
        last = self._last_sweep_sent
        sweep = last is None or now - last >= pods.status_poll_sweep_seconds
        last = self._last_sent
        due = last is None or now - last >= pods.status_change_poll_seconds
        measured = rate is not None
        if measured and not sweep and not due:
            return None
        latency = self._latency
        if rate is None:
            # Not measured: the fastest clock the smallest window is there for (one tick of
            # it), so that the time of a failed poll is covered at that rate too.
            tick = max(pods.status_poll_interval_seconds, 0.001)
            rate = pods.status_poll_min_window_seconds / tick
        seconds = self._poll.reach(rate=rate, sent=now, latency=latency)
        if sweep:
            seconds = max(seconds, self._sweep.reach(rate=rate, sent=now, latency=latency))
        if not measured:
            seconds = max(seconds, pods.status_poll_min_window_seconds)
        return Window(seconds=seconds, sent=now, rate=rate), sweep

    async def _status_poll(
        self, window: Window, sweep: bool
    ) -> tuple[dict[str, dict[str, Any]], float] | None:
        """The groups `window` shows and the agent time of the answer (None: the call failed)."""
        self._last_sent = window.sent
        if sweep:
            self._last_sweep_sent = window.sent
        try:
            reported = await self._controller.cloud.changed_since(window.seconds)
        except EciError as exc:
            self._logger.warning("status poll failed", error=str(exc))
            return None
        answered = self._state.now()
        coverage = self._sweep if sweep else self._poll
        self._latency.add(answered - window.sent, span=coverage.span(window.sent))
        self.status_polls += 1
        if sweep:
            self.sweeps += 1
        self.groups_reported += len(reported)
        STATUS_POLL_GROUPS.labels("sweep" if sweep else "poll").inc(len(reported))
        return reported, answered

    def _changed(self, reported: dict[str, dict[str, Any]]) -> list[str]:
        changed: list[str] = []
        fingerprints = self._fingerprints
        for group_id, item in reported.items():
            print_ = fingerprint(item)
            known = fingerprints.get(group_id)
            if known == print_:
                continue
            fingerprints[group_id] = print_
            group = self._state.group(ContainerGroupId(group_id))
            if group is not None and described_summary(group) == shown_summary(item):
                continue
            changed.append(group_id)
        if len(fingerprints) > 4 * max(self._state.group_count(), 1000):
            self._fingerprints = {k: v for k, v in fingerprints.items() if k in reported}
        return changed

    async def poll_once(self) -> int:
        """One tick: the status poll if one is due, then the describes; Pods updated."""
        controller = self._controller
        now = self._state.now()
        planned = self._window(now)
        answer = None if planned is None else await self._status_poll(*planned)
        changed = self._changed(answer[0]) if answer is not None else []
        wanted = list(dict.fromkeys([*changed, *self._state.in_flight()]))
        found: dict[str, RawGroup] = {}
        if wanted:
            try:
                found = await controller.cloud.describe(wanted)
            except BaseException:
                # Not described: the window stays uncovered, and they must be seen as new.
                for group_id in changed:
                    self._fingerprints.pop(group_id, None)
                raise
        if planned is not None and answer is not None:
            window, sweep = planned
            answered = answer[1]
            if self._poll.covers(window, answered=answered):
                self._poll.covered = window.sent
            if sweep and self._sweep.covers(window, answered=answered):
                self._sweep.covered = window.sent
        updated = 0
        for group_id in wanted:
            group = found.get(group_id)
            if group is None:
                if not self._state.recently_created(group_id):
                    self._gone(ContainerGroupId(group_id))
                continue
            if self._state.remember_group(group):
                record = controller.adopt(group)
                if record is not None:
                    controller.queue.add(record.key, urgent=True)
                    updated += 1
        self.polls += 1
        return updated

    def _gone(self, group_id: ContainerGroupId) -> None:
        for key in self._state.group_lost(group_id):
            self._controller.queue.add(key, urgent=True)

    async def run(self) -> None:
        interval = self._controller.settings.pods.status_poll_interval_seconds
        while True:
            await asyncio.sleep(interval)
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._logger.warning("status poll failed", error=str(exc))
