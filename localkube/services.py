"""Service create defaults, as kube-apiserver's Service registry fills them in.

`kubectl create service clusterip` sends only ports and a selector; kube answers with a
ClusterIP allocated from the service range, `type: ClusterIP`, single-stack IPv4, session
affinity `None`, each port's protocol and target port filled in, and a node port from
30000-32767 for NodePort and LoadBalancer services. Nothing routes traffic
to these addresses: the embedded cluster has no proxy.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from localkube.shapes import JsonObject

SERVICE_RANGE = ipaddress.ip_network("10.96.0.0/12")
"""kubeadm's default `--service-cluster-ip-range`."""
NODE_PORTS = range(30000, 32768)
"""kube-apiserver's default `--service-node-port-range`."""


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
    exposed = spec["type"] in ("NodePort", "LoadBalancer")
    if exposed:
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    ports = spec.get("ports")
    if isinstance(ports, list):
        spec["ports"] = [_port_defaults(port, node_port=exposed) for port in ports]
    return {**service, "spec": spec, "status": {"loadBalancer": {}}}


def _port_defaults(port: Any, *, node_port: bool) -> Any:
    if not isinstance(port, dict):
        return port
    result = dict(port)
    result.setdefault("protocol", "TCP")
    if node_port and not result.get("nodePort"):
        result["nodePort"] = NODE_PORTS.start + secrets.randbelow(len(NODE_PORTS))
    if not result.get("targetPort"):
        result["targetPort"] = result.get("port")
    return result
