"""The CronJob controller's stand-in: a Job per scheduled time, on the server's clock (UTC).

At each time the schedule names (the latest one, when several were missed) the CronJob
gets a Job `<cronjob>-<minutes since the epoch>` from its `jobTemplate`, owned by it and
annotated with `batch.kubernetes.io/cronjob-scheduled-timestamp`, unless
`startingDeadlineSeconds` has passed or `concurrencyPolicy: Forbid` finds one still
running (`Replace` deletes the running ones first). Finished Jobs beyond
`successfulJobsHistoryLimit`/`failedJobsHistoryLimit` are deleted, oldest first. Status:
`active`, `lastScheduleTime`, `lastSuccessfulTime`. Left out: time zones.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import UTC, datetime, timedelta

from localkube import objects
from localkube.cluster import Cluster
from localkube.controllers.events import EventRecorder
from localkube.controllers.jobs import finished
from localkube.controllers.runtime import Controller, ControllerSettings
from localkube.cronschedule import CronSchedule, ScheduleError
from localkube.deleting import DeleteOptions
from localkube.errors import ApiError, Reason
from localkube.matching import condition, controlled_by, controller_ref, owner_reference
from localkube.shapes import JsonObject
from localkube.store import Change

CRONJOBS = ("batch", "cronjobs")
JOBS = ("batch", "jobs")
SCHEDULED_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
MAX_MISSED = 100
"""kube stops counting missed start times at 100 (and starts the latest one)."""


def _timestamp(value: object) -> datetime | None:
    return objects.parse_rfc3339(value) if isinstance(value, str) else None


def _rfc3339(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class CronJobController(Controller):
    name = "cronjob-controller"
    watches = frozenset({CRONJOBS, JOBS})

    def __init__(self, *, cluster: Cluster, settings: ControllerSettings) -> None:
        super().__init__(cluster=cluster, settings=settings)
        self.events = EventRecorder(cluster=cluster, component=self.name)

    def keys_for(self, change: Change) -> Iterable[Hashable]:
        metadata = change.object["metadata"]
        if change.storage_key == CRONJOBS:
            return [(metadata["namespace"], metadata["name"])]
        reference = controller_ref(change.object)
        if reference is not None and reference.get("kind") == "CronJob":
            return [(metadata["namespace"], str(reference.get("name")))]
        return ()

    def all_keys(self) -> Iterable[Hashable]:
        return [
            (c["metadata"]["namespace"], c["metadata"]["name"])
            for c in self.store.items(CRONJOBS, None)
        ]

    def sync(self, key: Hashable) -> float | None:
        assert isinstance(key, tuple)
        namespace, name = key
        cronjob = self.store.get(CRONJOBS, (namespace, name))
        if cronjob is None or cronjob["metadata"].get("deletionTimestamp"):
            return None
        spec = cronjob["spec"]
        try:
            schedule = CronSchedule.parse(str(spec.get("schedule", "")))
        except ScheduleError:
            return None
        now = datetime.now(UTC)
        jobs = [j for j in self.store.items(JOBS, namespace) if controlled_by(j, cronjob)]
        status = dict(cronjob.get("status") or {})
        earliest = _timestamp(status.get("lastScheduleTime")) or _timestamp(
            cronjob["metadata"].get("creationTimestamp")
        )
        assert earliest is not None
        due = self._latest_due(schedule, earliest, now)
        if due is not None and not spec.get("suspend"):
            deadline = spec.get("startingDeadlineSeconds")
            late = deadline is not None and due + timedelta(seconds=int(deadline)) < now
            running = [j for j in jobs if not finished(j)]
            policy = spec.get("concurrencyPolicy", "Allow")
            if late:
                status["lastScheduleTime"] = _rfc3339(due)
            elif running and policy == "Forbid":
                pass  # looked at again when the running Job finishes
            else:
                if running and policy == "Replace":
                    for job in running:
                        self._delete_job(cronjob, job)
                    jobs = [j for j in jobs if j not in running]
                created = self._create_job(cronjob, due)
                if created is not None:
                    jobs.append(created)
                status["lastScheduleTime"] = _rfc3339(due)
        jobs = self._clean_up_history(cronjob, jobs)
        status["active"] = [
            {
                "kind": "Job",
                "namespace": namespace,
                "name": j["metadata"]["name"],
                "uid": j["metadata"]["uid"],
                "apiVersion": "batch/v1",
                "resourceVersion": j["metadata"]["resourceVersion"],
            }
            for j in sorted(jobs, key=lambda j: str(j["metadata"]["name"]))
            if not finished(j)
        ]
        if not status["active"]:
            del status["active"]
        succeeded = [
            str((j.get("status") or {}).get("completionTime"))
            for j in jobs
            if (condition(j, "Complete") or {}).get("status") == "True"
            and (j.get("status") or {}).get("completionTime")
        ]
        if succeeded:
            status["lastSuccessfulTime"] = max(succeeded)
        self._write_status(cronjob, status)
        upcoming = schedule.next_after(now)
        if upcoming is None:
            return None
        return max(0.0, (upcoming - datetime.now(UTC)).total_seconds()) + 0.01

    @staticmethod
    def _latest_due(schedule: CronSchedule, earliest: datetime, now: datetime) -> datetime | None:
        due = None
        when = schedule.next_after(earliest)
        for _ in range(MAX_MISSED):
            if when is None or when > now:
                break
            due = when
            when = schedule.next_after(when)
        else:
            # More than MAX_MISSED missed: start the most recent one, as kube does.
            latest = schedule.next_after(now - timedelta(days=366))
            while latest is not None and (following := schedule.next_after(latest)) is not None:
                if following > now:
                    break
                latest = following
            due = latest
        return due

    def _create_job(self, cronjob: JsonObject, scheduled: datetime) -> JsonObject | None:
        template = cronjob["spec"].get("jobTemplate") or {}
        metadata = dict(template.get("metadata") or {})
        name = f"{cronjob['metadata']['name']}-{int(scheduled.timestamp()) // 60}"
        metadata["name"] = name
        metadata["annotations"] = {
            **(metadata.get("annotations") or {}),
            SCHEDULED_ANNOTATION: _rfc3339(scheduled),
        }
        metadata["ownerReferences"] = [
            owner_reference(cronjob, api_version="batch/v1", kind="CronJob")
        ]
        try:
            job = self.cluster.create(
                self.served(JOBS),
                namespace=cronjob["metadata"]["namespace"],
                body={
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "metadata": metadata,
                    "spec": template.get("spec") or {},
                },
            )
        except ApiError as error:
            if error.reason is Reason.ALREADY_EXISTS:
                return None
            raise
        self.events.record(
            {**cronjob, "kind": "CronJob", "apiVersion": "batch/v1"},
            reason="SuccessfulCreate",
            message=f"Created job {name}",
        )
        return job

    def _delete_job(self, cronjob: JsonObject, job: JsonObject) -> None:
        self.cluster.delete(
            self.served(JOBS),
            namespace=job["metadata"]["namespace"],
            name=job["metadata"]["name"],
            options=DeleteOptions(propagation_policy="Background"),
        )
        self.events.record(
            {**cronjob, "kind": "CronJob", "apiVersion": "batch/v1"},
            reason="SuccessfulDelete",
            message=f"Deleted job {job['metadata']['name']}",
        )

    def _clean_up_history(self, cronjob: JsonObject, jobs: list[JsonObject]) -> list[JsonObject]:
        spec = cronjob["spec"]
        doomed: list[JsonObject] = []
        for kind, field, default in (
            ("Complete", "successfulJobsHistoryLimit", 3),
            ("Failed", "failedJobsHistoryLimit", 1),
        ):
            done = sorted(
                (j for j in jobs if (condition(j, kind) or {}).get("status") == "True"),
                key=lambda j: str((j.get("status") or {}).get("startTime", "")),
            )
            limit = int(spec.get(field, default))
            doomed += done[: max(0, len(done) - limit)]
        for job in doomed:
            self._delete_job(cronjob, job)
        gone = {j["metadata"]["name"] for j in doomed}
        return [j for j in jobs if j["metadata"]["name"] not in gone]

    def _write_status(self, cronjob: JsonObject, status: JsonObject) -> None:
        if status == (cronjob.get("status") or {}):
            return
        current = self.store.get(
            CRONJOBS, (cronjob["metadata"]["namespace"], cronjob["metadata"]["name"])
        )
        if current is None:
            return
        self.cluster.update(
            self.served(CRONJOBS),
            namespace=current["metadata"]["namespace"],
            name=current["metadata"]["name"],
            body={**current, "status": status},
            subresource="status",
        )
