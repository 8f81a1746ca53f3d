"""What kube-apiserver's default admission plugins do to a new Pod, and what the
controller-manager puts in a new namespace for it.

A real cluster's ServiceAccount admission refuses a Pod whose service account does not
exist yet and mounts a projected token volume (`kube-api-access-xxxxx`) into every container;
DefaultTolerationSeconds adds 300 s tolerations of the `not-ready` and `unreachable`
NoExecute taints. The agent must cope with both, so the embedded server does them too rather
than hand the agent Pods no real cluster would. Pure functions: no store access here.
"""

from __future__ import annotations

from typing import Any

from localkube.errors import ApiError, QualifiedResource, forbidden
from localkube.objects import generate_name
from localkube.shapes import JsonObject

TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_VOLUME_PREFIX = "kube-api-access-"
TOKEN_EXPIRATION_SECONDS = 3607
"""kube-apiserver's default for the projected token (an hour, plus a little jitter room)."""
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
"""Published into every namespace by the root-ca-cert-publisher controller."""
DEFAULT_TOLERATION_SECONDS = 300
NODE_PROBLEM_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")

PODS = QualifiedResource(resource="pods")


def missing_account(*, pod_name: str, namespace: str, account: str) -> ApiError:
    """The 403 ServiceAccount admission answers while the account does not exist."""
    return forbidden(
        resource=PODS,
        name=pod_name,
        message=f"error looking up service account {namespace}/{account}: "
        f'serviceaccount "{account}" not found',
    )


def root_ca_configmap() -> JsonObject:
    """The ConfigMap the token volume reads `ca.crt` from (empty: the server speaks HTTP)."""
    return {"metadata": {"name": ROOT_CA_CONFIGMAP}, "data": {"ca.crt": ""}}


def admit_pod(pod: JsonObject, *, account: JsonObject) -> JsonObject:
    """`pod` (already defaulted) with the token volume and default tolerations added."""
    spec: JsonObject = dict(pod.get("spec") or {})
    if _automounts(spec, account):
        spec = _with_token_volume(spec)
    spec["tolerations"] = _with_default_tolerations(list(spec.get("tolerations") or []))
    return {**pod, "spec": spec}


def _automounts(spec: JsonObject, account: JsonObject) -> bool:
    if "automountServiceAccountToken" in spec:
        return bool(spec["automountServiceAccountToken"])
    return bool(account.get("automountServiceAccountToken", True))


def _with_token_volume(spec: JsonObject) -> JsonObject:
    volumes: list[Any] = list(spec.get("volumes") or [])
    name = generate_name(TOKEN_VOLUME_PREFIX)
    volumes.append(
        {
            "name": name,
            "projected": {
                "defaultMode": 0o644,
                "sources": [
                    {
                        "serviceAccountToken": {
                            "expirationSeconds": TOKEN_EXPIRATION_SECONDS,
                            "path": "token",
                        }
                    },
                    {
                        "configMap": {
                            "name": ROOT_CA_CONFIGMAP,
                            "items": [{"key": "ca.crt", "path": "ca.crt"}],
                        }
                    },
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "path": "namespace",
                                    "fieldRef": {
                                        "apiVersion": "v1",
                                        "fieldPath": "metadata.namespace",
                                    },
                                }
                            ]
                        }
                    },
                ],
            },
        }
    )
    mount = {"name": name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}
    result = {**spec, "volumes": volumes}
    for field in ("initContainers", "containers"):
        if isinstance(spec.get(field), list):
            result[field] = [_with_mount(c, mount) for c in spec[field]]
    return result


def _with_mount(container: Any, mount: JsonObject) -> Any:
    if not isinstance(container, dict):
        return container
    mounts = list(container.get("volumeMounts") or [])
    if any(m.get("mountPath") == TOKEN_MOUNT_PATH for m in mounts if isinstance(m, dict)):
        return container
    return {**container, "volumeMounts": [*mounts, mount]}


def _with_default_tolerations(tolerations: list[Any]) -> list[Any]:
    result = list(tolerations)
    for key in NODE_PROBLEM_TAINTS:
        if not any(_tolerates_no_execute(t, key) for t in tolerations if isinstance(t, dict)):
            result.append(
                {
                    "key": key,
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
                }
            )
    return result


def _tolerates_no_execute(toleration: JsonObject, key: str) -> bool:
    if toleration.get("effect") not in (None, "", "NoExecute"):
        return False
    if toleration.get("key") == key:
        return True
    return not toleration.get("key") and toleration.get("operator") == "Exists"
