"""What the scale benchmark sees of the API server: Pods turning Running, Lease renewals, Events.

One watch on the benchmark's namespace follows every Pod (list, then watch from the list's
resourceVersion, bookmarks on, relist on 410 Gone), so the count of Running Pods costs the
server one watch stream rather than a list of N Pods per sample; the ceiling run keeps the
same watch open, so both runs carry the same observation load. The Lease is one small GET a
few times a second. At the end `check_statuses` lists every Pod once (pages of 500) and
checks what a user would read in `kubectl get pod -o yaml`: phase, conditions, podIP and
containerStatuses, not just the phase.

Answers are parsed with orjson: this client shares the machine's two cores with the
processes it measures, in both runs, so its parsing is CPU taken from them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Final

import aiohttp
import orjson

from vkeci.bench.kubetarget import KubeTarget
from vkeci.bench.results import LeaseReport, StatusCheck
from vkeci.stack.errors import StackError

RUN_LABEL: Final = "vk-eci.io/scale-run"
"""Label telling the ceiling's Pods from the agent's."""
LIST_PAGE: Final = 500
WATCH_TIMEOUT_SECONDS: Final = 600
LATE_FACTOR: Final = 1.5
READY_CONDITIONS: Final = ("PodScheduled", "Initialized", "ContainersReady", "Ready")


async def list_all(
    session: aiohttp.ClientSession, path: str, params: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Every item of a list in pages, and the first page's resourceVersion."""
    items: list[dict[str, Any]] = []
    token = ""
    version = ""
    while True:
        query = {**(params or {}), "limit": str(LIST_PAGE)}
        if token:
            query["continue"] = token
        async with session.get(path, params=query) as response:
            if response.status != 200:
                raise StackError(f"listing {path}: {response.status} {await response.text()}")
            page = await response.json(loads=orjson.loads)
        items.extend(page.get("items") or [])
        version = version or page["metadata"].get("resourceVersion", "")
        token = page["metadata"].get("continue") or ""
        if not token:
            return items, version


def _running(pod: dict[str, Any]) -> bool:
    return bool((pod.get("status") or {}).get("phase") == "Running")


class PodWatch:
    """Seconds (since `origin`) at which each Pod of each run was first seen Running."""

    def __init__(self, *, session: aiohttp.ClientSession, namespace: str) -> None:
        self._session = session
        self._path = f"/api/v1/namespaces/{namespace}/pods"
        self.origin = time.monotonic()
        self.running_at: dict[str, dict[str, float]] = {}
        """run label -> Pod name -> seconds since `origin` it was first seen Running."""
        self.synced = asyncio.Event()

    def running(self, run: str) -> int:
        return len(self.running_at.get(run, {}))

    def _see(self, pod: dict[str, Any]) -> None:
        meta = pod.get("metadata") or {}
        run = (meta.get("labels") or {}).get(RUN_LABEL)
        if run and _running(pod):
            self.running_at.setdefault(run, {}).setdefault(
                meta.get("name", ""), time.monotonic() - self.origin
            )

    async def run(self) -> None:
        while True:
            items, version = await list_all(self._session, self._path)
            for pod in items:
                self._see(pod)
            self.synced.set()
            version = await self._watch(version)
            if not version:
                continue  # 410 Gone: relist

    async def _watch(self, version: str) -> str:
        """Follow the watch from `version`; return where to resume, "" to relist."""
        while True:
            params = {
                "watch": "true",
                "resourceVersion": version,
                "allowWatchBookmarks": "true",
                "timeoutSeconds": str(WATCH_TIMEOUT_SECONDS),
            }
            async with self._session.get(self._path, params=params) as response:
                if response.status == 410:
                    return ""
                if response.status != 200:
                    raise StackError(f"watching Pods: {response.status} {await response.text()}")
                async for line in response.content:
                    if not line.strip():
                        continue
                    event = orjson.loads(line)
                    kind = event.get("type")
                    obj = event.get("object") or {}
                    if kind == "ERROR":
                        if obj.get("code") == 410:
                            return ""
                        raise StackError(f"watching Pods: {obj}")
                    version = (obj.get("metadata") or {}).get("resourceVersion") or version
                    if kind in ("ADDED", "MODIFIED"):
                        self._see(obj)


@contextlib.asynccontextmanager
async def watching(target: KubeTarget, namespace: str) -> AsyncIterator[PodWatch]:
    async with target.session(limit=2) as session:
        watch = PodWatch(session=session, namespace=namespace)
        task = asyncio.create_task(watch.run(), name="vk-eci:bench-watch")
        try:
            synced = asyncio.create_task(watch.synced.wait())
            await asyncio.wait({task, synced}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                synced.cancel()
                task.result()
            yield watch
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class LeaseSampler:
    """Distinct renewTime values of the node's Lease, read a few times a second."""

    def __init__(self, *, session: aiohttp.ClientSession, node_name: str) -> None:
        self._session = session
        self._path = f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{node_name}"
        self.renewals: list[datetime] = []

    async def sample(self) -> None:
        async with self._session.get(self._path) as response:
            if response.status != 200:
                return
            lease = await response.json(loads=orjson.loads)
        text = (lease.get("spec") or {}).get("renewTime")
        if not text:
            return
        renewed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        if not self.renewals or renewed != self.renewals[-1]:
            self.renewals.append(renewed)

    async def run(self, *, period: float) -> None:
        while True:
            await self.sample()
            await asyncio.sleep(period)

    def report(self, interval: float) -> LeaseReport:
        gaps = [
            (b - a).total_seconds() for a, b in zip(self.renewals, self.renewals[1:], strict=False)
        ]
        late = sum(1 for gap in gaps if gap > LATE_FACTOR * interval)
        return {
            "renew_interval_seconds": interval,
            "renewals_seen": len(gaps),
            "max_gap_seconds": round(max(gaps, default=0.0), 2),
            "late_renewals": late,
            "ever_late": late > 0,
        }


def status_problems(pod: dict[str, Any]) -> list[str]:
    """What is wrong with `pod` as a Running Pod whose containers all started and are ready."""
    status = pod.get("status") or {}
    problems = []
    if status.get("phase") != "Running":
        problems.append(f"phase {status.get('phase')!r}")
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    for wanted in READY_CONDITIONS:
        if conditions.get(wanted) != "True":
            problems.append(f"condition {wanted}={conditions.get(wanted)!r}")
    ip = status.get("podIP")
    if not ip or [entry.get("ip") for entry in status.get("podIPs") or []][:1] != [ip]:
        problems.append(f"podIP {ip!r} / podIPs {status.get('podIPs')!r}")
    spec_names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
    statuses = {c.get("name"): c for c in status.get("containerStatuses") or []}
    if sorted(statuses) != sorted(spec_names):
        problems.append(f"containerStatuses for {sorted(statuses)}, spec has {sorted(spec_names)}")
    for name, container in statuses.items():
        running = (container.get("state") or {}).get("running") or {}
        if not (container.get("ready") and container.get("started") and running.get("startedAt")):
            problems.append(f"container {name} not running and ready: {container.get('state')}")
        if not (container.get("containerID") and container.get("imageID")):
            problems.append(f"container {name} without containerID/imageID")
    return problems


async def check_statuses(
    session: aiohttp.ClientSession, *, namespace: str, run: str
) -> StatusCheck:
    pods, _ = await list_all(
        session, f"/api/v1/namespaces/{namespace}/pods", {"labelSelector": f"{RUN_LABEL}={run}"}
    )
    wrong = 0
    examples: list[str] = []
    for pod in pods:
        problems = status_problems(pod)
        if problems:
            wrong += 1
            if len(examples) < 5:
                examples.append(f"{pod['metadata']['name']}: {'; '.join(problems)}")
    return {"pods_checked": len(pods), "pods_wrong": wrong, "examples": examples}


async def count_events(session: aiohttp.ClientSession, *, namespace: str) -> tuple[int, int]:
    """Event objects in `namespace` and the occurrences they stand for (sum of `count`)."""
    events, _ = await list_all(session, f"/api/v1/namespaces/{namespace}/events")
    return len(events), sum(int(event.get("count") or 1) for event in events)
