"""The Job controller's stand-in: runs Pods until `completions` succeed or too many fail.

Up to `parallelism` Pods run at once (never more than the completions still missing);
Pods carry the template's labels (the server put `batch.kubernetes.io/job-name` and
`controller-uid` there) and the Job as controlling owner. Failed Pods count against
`backoffLimit` (with `restartPolicy: OnFailure`, container restarts count too); their
replacements wait a back-off that starts at `job_backoff_seconds` and doubles. Past the
limit the Job gets `FailureTarget` and `Failed` (reason `BackoffLimitExceeded`) and its
running Pods are deleted; with enough successes `SuccessCriteriaMet` and `Complete`
(reason `CompletionsReached`) and a completionTime. Left out: indexed completion, pod
failure and success policies, suspend, activeDeadlineSeconds, TTL after finished, and the
job-tracking finalizer on Pods.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable

from localkube import objects
from localkube.cluster import Cluster
from localkube.controllers.events import EventRecorder
from localkube.controllers.podcontrol import create_owned_pod
from localkube.controllers.runtime import Controller, ControllerSettings
from localkube.deleting import DeleteOptions
from localkube.matching import (
    condition,
    controlled_by,
    controller_ref,
    is_active_pod,
    is_ready_pod,
)
from localkube.shapes import JsonObject
from localkube.store import Change

JOBS = ("batch", "jobs")
PODS = ("", "pods")
BACKOFF_MESSAGE = "Job has reached the specified backoff limit"
COMPLETED_MESSAGE = "Reached expected number of succeeded pods"


def finished(job: JsonObject) -> bool:
    return any(
        (condition(job, kind) or {}).get("status") == "True" for kind in ("Complete", "Failed")
    )


def _phase(pod: JsonObject) -> str:
    return str((pod.get("status") or {}).get("phase", ""))


def _restarts(pod: JsonObject) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return sum(int(s.get("restartCount", 0)) for s in statuses)


class JobController(Controller):
    name = "job-controller"
    watches = frozenset({JOBS, PODS})

    def __init__(self, *, cluster: Cluster, settings: ControllerSettings) -> None:
        super().__init__(cluster=cluster, settings=settings)
        self.events = EventRecorder(cluster=cluster, component=self.name)
        self._failures_seen: dict[str, tuple[int, float]] = {}
        """Job uid -> (failures counted, loop time the count last grew)."""

    def keys_for(self, change: Change) -> Iterable[Hashable]:
        metadata = change.object["metadata"]
        if change.storage_key == JOBS:
            return [(metadata["namespace"], metadata["name"])]
        reference = controller_ref(change.object)
        if reference is not None and reference.get("kind") == "Job":
            return [(metadata["namespace"], str(reference.get("name")))]
        return ()

    def all_keys(self) -> Iterable[Hashable]:
        return [
            (j["metadata"]["namespace"], j["metadata"]["name"])
            for j in self.store.items(JOBS, None)
            if not finished(j)
        ]

    def sync(self, key: Hashable) -> float | None:
        assert isinstance(key, tuple)
        namespace, name = key
        job = self.store.get(JOBS, (namespace, name))
        if job is None or job["metadata"].get("deletionTimestamp") or finished(job):
            if job is None:
                self._failures_seen = {
                    k: v for k, v in self._failures_seen.items() if self._exists(k)
                }
            return None
        spec = job["spec"]
        pods = [p for p in self.store.items(PODS, namespace) if controlled_by(p, job)]
        active = [p for p in pods if is_active_pod(p)]
        succeeded = sum(1 for p in pods if _phase(p) == "Succeeded")
        failed = sum(1 for p in pods if _phase(p) == "Failed")
        if spec["template"]["spec"].get("restartPolicy") == "OnFailure":
            failed += sum(_restarts(p) for p in pods)
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism", 1))
        status = dict(job.get("status") or {})
        status.setdefault("startTime", objects.now_rfc3339())
        again: float | None = None
        if failed > int(spec.get("backoffLimit", 6)):
            self._delete_all(active)
            active = []
            self._finish(
                job, status, kind="Failed", reason="BackoffLimitExceeded", message=BACKOFF_MESSAGE
            )
        elif (completions is not None and succeeded >= int(completions)) or (
            completions is None and succeeded > 0 and not active
        ):
            self._delete_all(active)
            active = []
            status["completionTime"] = objects.now_rfc3339()
            self._finish(
                job, status, kind="Complete", reason="CompletionsReached", message=COMPLETED_MESSAGE
            )
        else:
            missing = parallelism if completions is None else int(completions) - succeeded
            wanted = min(parallelism, missing)
            if len(active) < wanted:
                delay = self._backoff_left(job, failed)
                if delay > 0:
                    again = delay
                else:
                    active += [self._create_pod(job) for _ in range(wanted - len(active))]
        status.update(
            {
                "active": len(active),
                "succeeded": succeeded,
                "failed": failed,
                "ready": sum(1 for p in active if is_ready_pod(p)),
                "terminating": sum(1 for p in pods if p["metadata"].get("deletionTimestamp")),
                "uncountedTerminatedPods": {},
            }
        )
        for field in ("active", "succeeded", "failed"):
            if not status[field]:
                del status[field]
        self._write_status(job, status)
        return again

    def _exists(self, uid: str) -> bool:
        return any(j["metadata"].get("uid") == uid for j in self.store.items(JOBS, None))

    def _backoff_left(self, job: JsonObject, failed: int) -> float:
        now = asyncio.get_running_loop().time()
        uid = str(job["metadata"]["uid"])
        seen, since = self._failures_seen.get(uid, (0, now))
        if failed > seen:
            self._failures_seen[uid] = (failed, now)
            since = now
        if failed == 0:
            return 0.0
        delay: float = min(
            self.settings.job_backoff_seconds * float(2 ** (failed - 1)),
            self.settings.job_backoff_max_seconds,
        )
        return max(0.0, since + delay - now)

    def _create_pod(self, job: JsonObject) -> JsonObject:
        return create_owned_pod(
            cluster=self.cluster,
            pods=self.served(PODS),
            events=self.events,
            owner=job,
            api_version="batch/v1",
            kind="Job",
            template=job["spec"]["template"],
        )

    def _delete_all(self, pods: list[JsonObject]) -> None:
        for pod in pods:
            self.cluster.delete(
                self.served(PODS),
                namespace=pod["metadata"]["namespace"],
                name=pod["metadata"]["name"],
                options=DeleteOptions(),
            )

    def _finish(
        self, job: JsonObject, status: JsonObject, *, kind: str, reason: str, message: str
    ) -> None:
        now = objects.now_rfc3339()
        target = "FailureTarget" if kind == "Failed" else "SuccessCriteriaMet"
        conditions = [
            c for c in status.get("conditions") or [] if c.get("type") not in (target, kind)
        ]
        for condition_type in (target, kind):
            conditions.append(
                {
                    "type": condition_type,
                    "status": "True",
                    "lastProbeTime": now,
                    "lastTransitionTime": now,
                    "reason": reason,
                    "message": message,
                }
            )
        status["conditions"] = conditions
        self.events.record(
            {**job, "kind": "Job", "apiVersion": "batch/v1"},
            reason="Completed" if kind == "Complete" else reason,
            message="Job completed" if kind == "Complete" else message,
            warning=kind == "Failed",
        )

    def _write_status(self, job: JsonObject, status: JsonObject) -> None:
        if status == (job.get("status") or {}):
            return
        current = self.store.get(JOBS, (job["metadata"]["namespace"], job["metadata"]["name"]))
        if current is None:
            return
        self.cluster.update(
            self.served(JOBS),
            namespace=job["metadata"]["namespace"],
            name=job["metadata"]["name"],
            body={**current, "status": status},
            subresource="status",
        )
