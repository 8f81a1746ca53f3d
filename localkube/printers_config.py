"""kubectl's columns for Services, Secrets, ConfigMaps and ServiceAccounts (kube's printers).

Split from `printers.py`, which holds the shared column helpers and the Pod/Node/Event
tables; the cells say what `kubectl get` on a kind cluster says (`80/TCP`, `<none>`, counts).
"""

from __future__ import annotations

from typing import Any

from localkube.printers import AGE_DESCRIPTION, NAME_DESCRIPTION, Builder, age, column
from localkube.shapes import JsonObject


def _ports(service: JsonObject) -> str:
    spec = service.get("spec") or {}
    rendered = []
    for port in spec.get("ports") or []:
        text = f"{port.get('port')}"
        if port.get("nodePort"):
            text += f":{port['nodePort']}"
        rendered.append(f"{text}/{port.get('protocol', 'TCP')}")
    return ",".join(rendered) or "<none>"


def _external(service: JsonObject) -> str:
    spec = service.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return str(spec.get("externalName") or "<none>")
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    addresses = [i.get("ip") or i.get("hostname") for i in ingress] + list(
        spec.get("externalIPs") or []
    )
    if addresses:
        return ",".join(str(a) for a in addresses if a)
    return "<pending>" if spec.get("type") == "LoadBalancer" else "<none>"


def _service_cells(service: JsonObject) -> list[Any]:
    spec = service.get("spec") or {}
    selector = spec.get("selector") or {}
    return [
        service["metadata"]["name"],
        spec.get("type", ""),
        spec.get("clusterIP") or "<none>",
        _external(service),
        _ports(service),
        age(service["metadata"].get("creationTimestamp")),
        ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>",
    ]


def _count(obj: JsonObject, *fields: str) -> int:
    return sum(len(obj.get(field) or {}) for field in fields)


CONFIG_TABLES: dict[tuple[str, str], Builder] = {
    ("", "services"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Type", "string", "The type of the service."),
            column("Cluster-IP", "string", "The IP address of the service."),
            column("External-IP", "string", "The external IP addresses of the service."),
            column("Port(s)", "string", "The ports the service exposes."),
            column("Age", "string", AGE_DESCRIPTION),
            column("Selector", "string", "The pods the service routes to.", priority=1),
        ],
        _service_cells,
    ),
    ("", "secrets"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Type", "string", "The type of the secret."),
            column("Data", "string", "The number of keys in the secret."),
            column("Age", "string", AGE_DESCRIPTION),
        ],
        lambda secret: [
            secret["metadata"]["name"],
            secret.get("type", ""),
            _count(secret, "data"),
            age(secret["metadata"].get("creationTimestamp")),
        ],
    ),
    ("", "configmaps"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Data", "string", "The number of keys in the config map."),
            column("Age", "string", AGE_DESCRIPTION),
        ],
        lambda cm: [
            cm["metadata"]["name"],
            _count(cm, "data", "binaryData"),
            age(cm["metadata"].get("creationTimestamp")),
        ],
    ),
    ("", "serviceaccounts"): (
        [
            column("Name", "string", NAME_DESCRIPTION, fmt="name"),
            column("Secrets", "string", "The number of secrets of the service account."),
            column("Age", "string", AGE_DESCRIPTION),
        ],
        lambda account: [
            account["metadata"]["name"],
            len(account.get("secrets") or []),
            age(account["metadata"].get("creationTimestamp")),
        ],
    ),
}
