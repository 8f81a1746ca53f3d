"""Service create defaults, as kube-apiserver's Service registry fills them in.

`kubectl create service clusterip` sends only ports and a selector; kube answers with a
ClusterIP allocated from the service range, `type: ClusterIP`, single-stack IPv4, session
affinity `None` and each port's protocol and target port filled in. Nothing routes traffic
to these addresses: the embedded cluster has no proxy.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from localkube.shapes import JsonObject

SERVICE_RANGE = ipaddress.ip_network("10.96.0.0/12")
"""kubeadm's default `--service-cluster-ip-range`."""


def service_defaults(service: JsonObject) -> JsonObject:
    spec: dict[str, Any] = dict(service.get("spec") or {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["type"] != "ExternalName":
        if not spec.get("clusterIP"):
            offset = 1 + secrets.randbelow(SERVICE_RANGE.num_addresses - 2)
            spec["clusterIP"] = str(SERVICE_RANGE.network_address + offset)
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        if spec["clusterIP"] != "None":
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    ports = spec.get("ports")
    if isinstance(ports, list):
        spec["ports"] = [_port_defaults(port) for port in ports]
    return {**service, "spec": spec, "status": {"loadBalancer": {}}}


def _port_defaults(port: Any) -> Any:
    if not isinstance(port, dict):
        return port
    result = dict(port)
    result.setdefault("protocol", "TCP")
    if not result.get("targetPort"):
        result["targetPort"] = result.get("port")
    return result
