"""What kube-apiserver does to an object on its way in: metadata, defaults, basic validation.

Only the defaults and checks that clients can observe and rely on live here (a new Pod is
`Pending` with `restartPolicy: Always`, a name must be a DNS subdomain, ...). Admission
plugins and the thousands of other defaults of real kube are left out on purpose.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from localkube.errors import Cause, internal_error, invalid
from localkube.resources import ResourceType
from localkube.services import service_defaults
from localkube.shapes import JsonObject

DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
NAME_PART_MESSAGE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MESSAGE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
GENERATE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
DEFAULT_TERMINATION_GRACE_SECONDS = 30


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def generate_name(prefix: str) -> str:
    return prefix + "".join(secrets.choice(GENERATE_NAME_ALPHABET) for _ in range(5))


def new_uid() -> str:
    return str(uuid.uuid4())


def check_name(resource: ResourceType, name: str) -> None:
    """422 unless `name` is a valid object name for this resource."""
    if resource.plural == "namespaces":
        pattern, message, limit = DNS_LABEL, LABEL_MESSAGE, 63
    else:
        pattern, message, limit = DNS_SUBDOMAIN, SUBDOMAIN_MESSAGE, 253
    if pattern.match(name) and len(name) <= limit:
        return
    detail = f"must be no more than {limit} characters" if len(name) > limit else message
    raise invalid(
        kind=resource.kind,
        group=resource.group,
        name=name,
        causes=[Cause("FieldValueInvalid", f'Invalid value: "{name}": {detail}', "metadata.name")],
    )


def _key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if prefix and not (DNS_SUBDOMAIN.match(prefix) and len(prefix) <= 253):
        return "prefix part " + SUBDOMAIN_MESSAGE
    if not QUALIFIED_NAME.match(name):
        return NAME_PART_MESSAGE
    if len(name) > 63:
        return "name part must be no more than 63 characters"
    return None


def check_metadata(resource: ResourceType, metadata: JsonObject) -> None:
    """422 for label and annotation keys (and label values) kube would refuse."""
    causes: list[Cause] = []
    for field in ("labels", "annotations"):
        values = metadata.get(field) or {}
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            problem = _key_problem(str(key))
            if problem:
                message = f'Invalid value: "{key}": {problem}'
                causes.append(Cause("FieldValueInvalid", message, f"metadata.{field}"))
            if field == "labels" and isinstance(value, str):
                if len(value) > 63:
                    problem = "must be no more than 63 characters"
                elif not LABEL_VALUE.match(value):
                    problem = LABEL_VALUE_MESSAGE
                else:
                    continue
                message = f'Invalid value: "{value}": {problem}'
                causes.append(Cause("FieldValueInvalid", message, "metadata.labels"))
    if causes:
        raise invalid(
            kind=resource.kind,
            group=resource.group,
            name=str(metadata.get("name", "")),
            causes=causes,
        )


def prepare_create(resource: ResourceType, obj: JsonObject, *, namespace: str) -> JsonObject:
    """Stamp server-owned metadata on a new object and apply the kind's create defaults."""
    metadata: JsonObject = dict(obj.get("metadata") or {})
    if metadata.get("resourceVersion"):
        raise internal_error("resourceVersion should not be set on objects to be created")
    if not metadata.get("name"):
        if metadata.get("generateName"):
            metadata["name"] = generate_name(metadata["generateName"])
        else:
            raise invalid(
                kind=resource.kind,
                group=resource.group,
                name="",
                causes=[
                    Cause(
                        "FieldValueRequired",
                        "Required value: name or generateName is required",
                        "metadata.name",
                    )
                ],
            )
    check_name(resource, metadata["name"])
    check_metadata(resource, metadata)
    if resource.namespaced:
        metadata["namespace"] = namespace
    else:
        metadata.pop("namespace", None)
    metadata["uid"] = new_uid()
    metadata["creationTimestamp"] = now_rfc3339()
    for server_owned in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
        metadata.pop(server_owned, None)
    if resource.tracks_generation:
        metadata["generation"] = 1
    else:
        metadata.pop("generation", None)
    created = {**obj, "apiVersion": resource.api_version, "kind": resource.kind}
    created["metadata"] = metadata
    defaults = CREATE_DEFAULTS.get(resource.key)
    return defaults(created) if defaults else created


def _pod_defaults(pod: JsonObject) -> JsonObject:
    spec: JsonObject = dict(pod.get("spec") or {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", DEFAULT_TERMINATION_GRACE_SECONDS)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = account
    spec["serviceAccount"] = account
    for field in ("initContainers", "containers"):
        if isinstance(spec.get(field), list):
            spec[field] = [_container_defaults(c) for c in spec[field]]
    _validate_pod_spec(pod, spec)
    return {**pod, "spec": spec, "status": {"phase": "Pending", "qosClass": qos_class(spec)}}


def _validate_pod_spec(pod: JsonObject, spec: JsonObject) -> None:
    causes: list[Cause] = []
    containers = spec.get("containers")
    if not containers:
        causes.append(Cause("FieldValueRequired", "Required value", "spec.containers"))
    for field in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(field) or []):
            for required in ("name", "image"):
                if not isinstance(container, dict) or not container.get(required):
                    causes.append(
                        Cause(
                            "FieldValueRequired",
                            "Required value",
                            f"spec.{field}[{index}].{required}",
                        )
                    )
    if causes:
        raise invalid(kind="Pod", group="", name=pod["metadata"]["name"], causes=causes)


def _container_defaults(container: Any) -> Any:
    if not isinstance(container, dict):
        return container
    result = dict(container)
    result.setdefault("terminationMessagePath", "/dev/termination-log")
    result.setdefault("terminationMessagePolicy", "File")
    result.setdefault("resources", {})
    image = str(result.get("image", ""))
    last = image.rsplit("/", 1)[-1]
    untagged_or_latest = "@" not in image and (":" not in last or last.endswith(":latest"))
    result.setdefault("imagePullPolicy", "Always" if untagged_or_latest else "IfNotPresent")
    if isinstance(result.get("ports"), list):
        result["ports"] = [
            {**p, "protocol": p.get("protocol", "TCP")} if isinstance(p, dict) else p
            for p in result["ports"]
        ]
    return result


def qos_class(spec: JsonObject) -> str:
    """BestEffort without any request or limit, Guaranteed when limits equal requests."""
    containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    containers += [c for c in spec.get("initContainers") or [] if isinstance(c, dict)]
    any_set = False
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        requests = resources.get("requests") or {}
        limits = resources.get("limits") or {}
        if requests or limits:
            any_set = True
        for name in ("cpu", "memory"):
            limit = limits.get(name)
            if limit is None or requests.get(name, limit) != limit:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _namespace_defaults(namespace: JsonObject) -> JsonObject:
    name = namespace["metadata"]["name"]
    metadata = dict(namespace["metadata"])
    metadata["labels"] = {**(metadata.get("labels") or {}), "kubernetes.io/metadata.name": name}
    return {
        **namespace,
        "metadata": metadata,
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def _secret_defaults(secret: JsonObject) -> JsonObject:
    result = dict(secret)
    result.setdefault("type", "Opaque")
    string_data = result.pop("stringData", None)
    if isinstance(string_data, dict):
        data = dict(result.get("data") or {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        result["data"] = data
    return result


CREATE_DEFAULTS = {
    ("", "pods"): _pod_defaults,
    ("", "namespaces"): _namespace_defaults,
    ("", "secrets"): _secret_defaults,
    ("", "services"): service_defaults,
}
UPDATE_DEFAULTS = {("", "secrets"): _secret_defaults}


POD_MUTABLE_SPEC = ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds")


def check_pod_update(existing: JsonObject, new: JsonObject) -> None:
    """Pod specs are immutable except images, deadlines and added tolerations."""

    def frozen(spec: Any) -> Any:
        spec = {k: v for k, v in (spec or {}).items() if k not in POD_MUTABLE_SPEC}
        for field in ("containers", "initContainers"):
            if isinstance(spec.get(field), list):
                spec[field] = [
                    {k: v for k, v in c.items() if k != "image"} if isinstance(c, dict) else c
                    for c in spec[field]
                ]
        if not spec.get("nodeName"):
            spec.pop("nodeName", None)
        return spec

    if frozen(existing.get("spec")) == frozen(new.get("spec")):
        return
    raise invalid(
        kind="Pod",
        group="",
        name=existing["metadata"]["name"],
        causes=[
            Cause(
                "FieldValueForbidden",
                "Forbidden: pod updates may not change fields other than "
                "`spec.containers[*].image`,"
                "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                "(allow it to be set to 1 if it was previously negative)",
                "spec",
            )
        ],
    )


def pod_status_write(existing: JsonObject, new: JsonObject) -> JsonObject:
    """pods/status keeps ownerReferences, and qosClass when the writer dropped it."""
    metadata = dict(new["metadata"])
    if "ownerReferences" in existing["metadata"]:
        metadata["ownerReferences"] = existing["metadata"]["ownerReferences"]
    else:
        metadata.pop("ownerReferences", None)
    status = dict(new.get("status") or {})
    qos = (existing.get("status") or {}).get("qosClass")
    if qos and not status.get("qosClass"):
        status["qosClass"] = qos
    return {**new, "metadata": metadata, "status": status}
