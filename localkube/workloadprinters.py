"""kubectl's columns for Deployments, ReplicaSets, Jobs and CronJobs, as kube prints them.

`kubectl get deploy` shows NAME READY UP-TO-DATE AVAILABLE AGE (and with `-o wide`
CONTAINERS IMAGES SELECTOR); ReplicaSets DESIRED CURRENT READY; Jobs STATUS COMPLETIONS
DURATION; CronJobs SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE. Kept apart from
`printers.py` (core kinds) so each file stays about one API group's worth.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from localkube.matching import condition, selector_string
from localkube.objects import parse_rfc3339
from localkube.printers import (
    AGE_DESCRIPTION,
    NAME_DESCRIPTION,
    Builder,
    age,
    column,
    human_duration,
)
from localkube.shapes import JsonObject


def _wide_columns() -> list[JsonObject]:
    return [
        column("Containers", "string", "Names of each container in the template.", priority=1),
        column(
            "Images", "string", "Images referenced by each container in the template.", priority=1
        ),
        column("Selector", "string", "Label selector of the Pods.", priority=1),
    ]


def _wide_cells(template: Any, selector: Any) -> list[str]:
    containers = ((template or {}).get("spec") or {}).get("containers") or []
    return [
        ",".join(str(c.get("name", "")) for c in containers),
        ",".join(str(c.get("image", "")) for c in containers),
        selector_string(selector) or "<none>",
    ]


def _deployment_cells(obj: JsonObject) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [
        obj["metadata"]["name"],
        f"{int(status.get('readyReplicas', 0))}/{int(spec.get('replicas', 0))}",
        int(status.get("updatedReplicas", 0)),
        int(status.get("availableReplicas", 0)),
        age(obj["metadata"].get("creationTimestamp")),
        *_wide_cells(spec.get("template"), spec.get("selector")),
    ]


def _replicaset_cells(obj: JsonObject) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [
        obj["metadata"]["name"],
        int(spec.get("replicas", 0)),
        int(status.get("replicas", 0)),
        int(status.get("readyReplicas", 0)),
        age(obj["metadata"].get("creationTimestamp")),
        *_wide_cells(spec.get("template"), spec.get("selector")),
    ]


def _has(obj: JsonObject, kind: str) -> bool:
    return (condition(obj, kind) or {}).get("status") == "True"


def job_status_word(job: JsonObject) -> str:
    if _has(job, "Complete"):
        return "Complete"
    if _has(job, "Failed"):
        return "Failed"
    if job["metadata"].get("deletionTimestamp"):
        return "Terminating"
    for kind in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if _has(job, kind):
            return kind
    return "Running"


def _job_cells(obj: JsonObject) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    succeeded = int(status.get("succeeded", 0))
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism", 1)) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    duration = ""
    if isinstance(status.get("startTime"), str):
        start = parse_rfc3339(status["startTime"])
        end = (
            parse_rfc3339(status["completionTime"])
            if isinstance(status.get("completionTime"), str)
            else datetime.now(UTC)
        )
        duration = human_duration((end - start).total_seconds())
    return [
        obj["metadata"]["name"],
        job_status_word(obj),
        completions,
        duration,
        age(obj["metadata"].get("creationTimestamp")),
        *_wide_cells(spec.get("template"), spec.get("selector")),
    ]


def _cronjob_cells(obj: JsonObject) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    last = status.get("lastScheduleTime")
    return [
        obj["metadata"]["name"],
        spec.get("schedule", ""),
        spec.get("timeZone") or "<none>",
        "True" if spec.get("suspend") else "False",
        len(status.get("active") or []),
        age(last) if last else "<none>",
        age(obj["metadata"].get("creationTimestamp")),
        *_wide_cells(job_spec.get("template"), job_spec.get("selector")),
    ]


WORKLOAD_TABLES: dict[tuple[str, str], Builder] = {
    ("apps", "deployments"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Ready", "string", "Number of the pod with ready state"),
            column(
                "Up-to-date",
                "string",
                "Non-terminated pods of this deployment with the desired template.",
            ),
            column(
                "Available",
                "string",
                "Pods of this deployment ready for at least minReadySeconds.",
            ),
            column("Age", "string", AGE_DESCRIPTION),
            *_wide_columns(),
        ],
        _deployment_cells,
    ),
    ("apps", "replicasets"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Desired", "integer", "Number of desired pods."),
            column("Current", "integer", "The most recently observed number of replicas."),
            column("Ready", "integer", "The number of ready replicas for this replica set."),
            column("Age", "string", AGE_DESCRIPTION),
            *_wide_columns(),
        ],
        _replicaset_cells,
    ),
    ("batch", "jobs"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Status", "string", "Status of the job."),
            column(
                "Completions",
                "string",
                "The desired number of successfully finished pods the job should be run with.",
            ),
            column("Duration", "string", "Time required to complete the job."),
            column("Age", "string", AGE_DESCRIPTION),
            *_wide_columns(),
        ],
        _job_cells,
    ),
    ("batch", "cronjobs"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Schedule", "string", "The schedule in Cron format."),
            column("Timezone", "string", "The time zone name for the given schedule."),
            column("Suspend", "boolean", "Whether subsequent executions are suspended."),
            column("Active", "integer", "The number of currently running jobs."),
            column("Last Schedule", "string", "When the job was last successfully scheduled."),
            column("Age", "string", AGE_DESCRIPTION),
            *_wide_columns(),
        ],
        _cronjob_cells,
    ),
}
