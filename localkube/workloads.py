"""apps/v1 and batch/v1 on their way in: kube's defaults and the validation clients rely on.

A Deployment, ReplicaSet, Job or CronJob comes back from a create with the fields
kube-apiserver fills (replicas 1, a 25 %/25 % RollingUpdate, history limit 10, a Job's
completions/parallelism/backoffLimit and its generated selector and labels, a CronJob's
concurrency and history limits, the pod template's defaults), and is refused with kube's
422 when a controller could not act on it (no selector, a selector that does not match the
template, a restart policy the kind forbids, a bad cron schedule). Everything else of kube's
validation is left out on purpose. Pure functions: no store access here.
"""

from __future__ import annotations

from typing import Any

from localkube import objects
from localkube.cronschedule import CronSchedule, ScheduleError
from localkube.errors import Cause, invalid
from localkube.matching import selects
from localkube.resources import ResourceType
from localkube.shapes import JsonObject

DEPLOYMENTS = ("apps", "deployments")
REPLICASETS = ("apps", "replicasets")
JOBS = ("batch", "jobs")
CRONJOBS = ("batch", "cronjobs")
KEYS = frozenset({DEPLOYMENTS, REPLICASETS, JOBS, CRONJOBS})

JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
JOB_UID_LABEL = "batch.kubernetes.io/controller-uid"
LEGACY_JOB_NAME_LABEL = "job-name"
LEGACY_JOB_UID_LABEL = "controller-uid"


def _template_defaults(template: Any) -> Any:
    """PodTemplateSpec defaults (kube's SetDefaults_PodSpec; no admission, no status)."""
    if not isinstance(template, dict):
        return template
    spec: JsonObject = dict(template.get("spec") or {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", objects.DEFAULT_TERMINATION_GRACE_SECONDS)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for field in ("initContainers", "containers"):
        if isinstance(spec.get(field), list):
            spec[field] = [objects._container_defaults(c) for c in spec[field]]
    # kube stores a template's metadata through Go's ObjectMeta: `creationTimestamp: null`.
    metadata = {"creationTimestamp": None, **(template.get("metadata") or {})}
    return {**template, "metadata": metadata, "spec": spec}


def _deployment_defaults(obj: JsonObject) -> JsonObject:
    spec: JsonObject = dict(obj.get("spec") or {})
    spec.setdefault("replicas", 1)
    strategy: JsonObject = dict(spec.get("strategy") or {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling: JsonObject = dict(strategy.get("rollingUpdate") or {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
        strategy["rollingUpdate"] = rolling
    spec["strategy"] = strategy
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    spec["template"] = _template_defaults(spec.get("template"))
    return {**obj, "spec": spec}


def _replicaset_defaults(obj: JsonObject) -> JsonObject:
    spec: JsonObject = dict(obj.get("spec") or {})
    spec.setdefault("replicas", 1)
    spec["template"] = _template_defaults(spec.get("template"))
    return {**obj, "spec": spec}


def _job_spec_defaults(spec: JsonObject) -> JsonObject:
    spec = dict(spec)
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    if not spec.get("podFailurePolicy"):
        spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    spec["template"] = _template_defaults(spec.get("template"))
    return spec


def _job_defaults(obj: JsonObject) -> JsonObject:
    spec = _job_spec_defaults(dict(obj.get("spec") or {}))
    metadata = obj["metadata"]
    if not spec.get("manualSelector"):
        # The server generates the selector and labels from the Job's uid (kube's
        # generateSelector); an update keeps the ones the create made.
        uid, name = str(metadata.get("uid", "")), str(metadata["name"])
        spec["selector"] = spec.get("selector") or {"matchLabels": {JOB_UID_LABEL: uid}}
        template = dict(spec["template"])
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels.setdefault(JOB_UID_LABEL, uid)
        labels.setdefault(JOB_NAME_LABEL, name)
        labels.setdefault(LEGACY_JOB_UID_LABEL, uid)
        labels.setdefault(LEGACY_JOB_NAME_LABEL, name)
        template["metadata"] = {**(template.get("metadata") or {}), "labels": labels}
        spec["template"] = template
    return {**obj, "spec": spec}


def _cronjob_defaults(obj: JsonObject) -> JsonObject:
    spec: JsonObject = dict(obj.get("spec") or {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_template: JsonObject = dict(spec.get("jobTemplate") or {})
    job_spec: JsonObject = dict(job_template.get("spec") or {})
    job_spec["template"] = _template_defaults(job_spec.get("template"))
    job_template["spec"] = job_spec
    spec["jobTemplate"] = job_template
    return {**obj, "spec": spec}


DEFAULTS = {
    DEPLOYMENTS: _deployment_defaults,
    REPLICASETS: _replicaset_defaults,
    JOBS: _job_defaults,
    CRONJOBS: _cronjob_defaults,
}


def go_map(values: JsonObject) -> str:
    """A label map the way kube's validation messages print it."""
    inner = ",".join(f'"{k}":"{v}"' for k, v in sorted(values.items()))
    return f"map[string]string{{{inner}}}"


def _template_causes(template: Any, *, path: str, restart_policies: tuple[str, ...]) -> list[Cause]:
    causes: list[Cause] = []
    if not isinstance(template, dict):
        return [Cause("FieldValueRequired", "Required value", path)]
    spec = template.get("spec") or {}
    if not spec.get("containers"):
        causes.append(Cause("FieldValueRequired", "Required value", f"{path}.spec.containers"))
    for field in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(field) or []):
            for required in ("name", "image"):
                if not isinstance(container, dict) or not container.get(required):
                    where = f"{path}.spec.{field}[{index}].{required}"
                    causes.append(Cause("FieldValueRequired", "Required value", where))
    policy = spec.get("restartPolicy")
    if policy not in restart_policies:
        supported = ", ".join(f'"{p}"' for p in restart_policies)
        causes.append(
            Cause(
                "FieldValueNotSupported",
                f'Unsupported value: "{policy}": supported values: {supported}',
                f"{path}.spec.restartPolicy",
            )
        )
    return causes


def _selector_causes(spec: JsonObject, template: Any, *, path: str) -> list[Cause]:
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not (
        selector.get("matchLabels") or selector.get("matchExpressions")
    ):
        return [Cause("FieldValueRequired", "Required value", f"{path}.selector")]
    labels = ((template or {}).get("metadata") or {}).get("labels") or {}
    if not selects(selector, labels):
        return [
            Cause(
                "FieldValueInvalid",
                f"Invalid value: {go_map(labels)}: `selector` does not match template `labels`",
                f"{path}.template.metadata.labels",
            )
        ]
    return []


def _replicas_causes(spec: JsonObject, field: str = "replicas") -> list[Cause]:
    value = spec.get(field)
    if isinstance(value, int) and value < 0:
        return [
            Cause(
                "FieldValueInvalid",
                f"Invalid value: {value}: must be greater than or equal to 0",
                f"spec.{field}",
            )
        ]
    return []


def _causes(resource: ResourceType, obj: JsonObject) -> list[Cause]:
    spec = obj.get("spec") or {}
    if resource.key in (DEPLOYMENTS, REPLICASETS):
        template = spec.get("template")
        return [
            *_selector_causes(spec, template, path="spec"),
            *_replicas_causes(spec),
            *_template_causes(template, path="spec.template", restart_policies=("Always",)),
        ]
    if resource.key == JOBS:
        template = spec.get("template")
        return [
            *_selector_causes(spec, template, path="spec"),
            *_replicas_causes(spec, "parallelism"),
            *_replicas_causes(spec, "completions"),
            *_replicas_causes(spec, "backoffLimit"),
            *_template_causes(
                template, path="spec.template", restart_policies=("OnFailure", "Never")
            ),
        ]
    if resource.key == CRONJOBS:
        causes = []
        schedule = spec.get("schedule")
        if not schedule:
            causes.append(Cause("FieldValueRequired", "Required value", "spec.schedule"))
        else:
            try:
                CronSchedule.parse(str(schedule))
            except ScheduleError as exc:
                message = f'Invalid value: "{schedule}": {exc}'
                causes.append(Cause("FieldValueInvalid", message, "spec.schedule"))
        template = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
        causes += _template_causes(
            template, path="spec.jobTemplate.spec.template", restart_policies=("OnFailure", "Never")
        )
        return causes
    return []


def admit(resource: ResourceType, obj: JsonObject) -> JsonObject:
    """`obj` with its kind's defaults; 422 when a controller could not act on it."""
    defaults = DEFAULTS.get(resource.key)
    if defaults is None:
        return obj
    obj = defaults(obj)
    causes = _causes(resource, obj)
    if causes:
        raise invalid(
            kind=resource.kind, group=resource.group, name=obj["metadata"]["name"], causes=causes
        )
    return obj
