"""Pod-level fields of CreateContainerGroup: DNS, host aliases, hostname,
sysctls, process namespace, OS, and the Pod fields ECI cannot express.

A kubelet without a cluster DNS address runs `ClusterFirst` Pods with the
node's resolver (and says so); this node has no cluster DNS either, so
`ClusterFirst` is ECI's `Default`. `None` plus `dnsConfig` is passed as is.
The hostname is `spec.hostname` or, as a kubelet sets it, the Pod's name.
Sysctls go where ECI takes them: its two namespaced safe ones in
`SecurityContext`, the rest in `HostSecurityContext` (ECI checks which).
Host namespaces, subdomains, runtime classes, `fsGroup` and the other Pod
fields ECI has no parameter for raise `PodSpecError` naming the field.
Scheduling fields (affinity, tolerations, priority, ...) were the
scheduler's business and are done with by the time the Pod is bound here.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from alibabacloud_eci20180808 import models as eci

from vkprovider.pods.containerfields import INHERITED_FROM_POD
from vkprovider.pods.errors import PodSpecError

ECI_SAFE_SYSCTLS: Final = ("net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start")
NO_ECI_SYSCTLS: Final = ("kernel.shm_rmid_forced", "net.ipv4.tcp_syncookies")
"""Sysctls neither of ECI's security contexts accepts."""
POD_SECURITY_FIELDS: Final = (*INHERITED_FROM_POD, "sysctls")
DNS_POLICIES: Final = {
    "ClusterFirst": "Default",
    "ClusterFirstWithHostNet": "Default",
    "Default": "Default",
    "None": "None",
}
"""Kubernetes dnsPolicy -> ECI DnsPolicy (no cluster DNS on this node: see the docstring)."""
REFUSED_WHEN_SET: Final = {
    "hostNetwork": "an ECI instance has its own network, not a host's",
    "hostPID": "an ECI instance has no host processes to share",
    "hostIPC": "an ECI instance has no host IPC namespace to share",
    "subdomain": "ECI has no subdomain parameter (no cluster DNS records here)",
    "setHostnameAsFQDN": "ECI has no such parameter",
    "runtimeClassName": "ECI chooses the runtime itself",
    "resourceClaims": "ECI has no dynamic resource allocation",
}


def _refuse_unexpressible(spec: Mapping[str, Any]) -> None:
    for name, why in REFUSED_WHEN_SET.items():
        if spec.get(name):
            raise PodSpecError(f"spec.{name}", f"is not supported: {why}")
    if spec.get("hostUsers") is False:
        raise PodSpecError("spec.hostUsers", "is not supported: ECI has no user namespaces")


def _dns(spec: Mapping[str, Any]) -> dict[str, Any]:
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    if policy not in DNS_POLICIES:
        raise PodSpecError("spec.dnsPolicy", f"{policy!r} is not one of {', '.join(DNS_POLICIES)}")
    result: dict[str, Any] = {"dns_policy": DNS_POLICIES[policy]}
    config = spec.get("dnsConfig")
    if config:
        options = [
            eci.CreateContainerGroupRequestDnsConfigOption(name=o.get("name"), value=o.get("value"))
            for o in config.get("options") or []
        ]
        result["dns_config"] = eci.CreateContainerGroupRequestDnsConfig(
            name_server=list(config.get("nameservers") or []) or None,
            search=list(config.get("searches") or []) or None,
            option=options or None,
        )
    elif policy == "None":
        raise PodSpecError("spec.dnsConfig", "is required when dnsPolicy is None")
    return result


def _sysctls(context: Mapping[str, Any]) -> dict[str, Any]:
    safe = []
    host = []
    for index, sysctl in enumerate(context.get("sysctls") or []):
        name, value = str(sysctl.get("name")), str(sysctl.get("value"))
        if name in NO_ECI_SYSCTLS:
            raise PodSpecError(
                f"spec.securityContext.sysctls[{index}]", f"sysctl {name!r} is not supported on ECI"
            )
        if name in ECI_SAFE_SYSCTLS:
            safe.append(
                eci.CreateContainerGroupRequestSecurityContextSysctl(name=name, value=value)
            )
        else:
            host.append(
                eci.CreateContainerGroupRequestHostSecurityContextSysctl(name=name, value=value)
            )
    result: dict[str, Any] = {}
    if safe:
        result["security_context"] = eci.CreateContainerGroupRequestSecurityContext(sysctl=safe)
    if host:
        result["host_security_context"] = eci.CreateContainerGroupRequestHostSecurityContext(
            sysctl=host
        )
    return result


def pod_security_context(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """The Pod's securityContext, checked: only what ECI can express (see `pod_fields`)."""
    context: Mapping[str, Any] = spec.get("securityContext") or {}
    for name, value in context.items():
        if name not in POD_SECURITY_FIELDS and value not in (None, [], {}):
            raise PodSpecError(f"spec.securityContext.{name}", "is not supported on ECI")
    return context


HOSTNAME_LIMIT: Final = 63


def hostname(pod: Mapping[str, Any]) -> str:
    """`spec.hostname`, else the Pod's name cut to 63 characters, as a kubelet names it."""
    spec = pod.get("spec") or {}
    if spec.get("hostname"):
        return str(spec["hostname"])
    name = str((pod.get("metadata") or {}).get("name") or "")
    return name[:HOSTNAME_LIMIT].rstrip("-.")


def pod_fields(pod: Mapping[str, Any]) -> dict[str, Any]:
    """CreateContainerGroupRequest keyword arguments for the Pod-level fields."""
    spec: Mapping[str, Any] = pod.get("spec") or {}
    _refuse_unexpressible(spec)
    fields: dict[str, Any] = {
        "termination_grace_period_seconds": spec.get("terminationGracePeriodSeconds"),
        "active_deadline_seconds": spec.get("activeDeadlineSeconds"),
        "host_name": hostname(pod) or None,
        "share_process_namespace": spec.get("shareProcessNamespace"),
    }
    fields.update(_dns(spec))
    aliases = [
        eci.CreateContainerGroupRequestHostAliase(
            ip=alias.get("ip"), hostname=list(alias.get("hostnames") or [])
        )
        for alias in spec.get("hostAliases") or []
    ]
    if aliases:
        fields["host_aliase"] = aliases
    fields.update(_sysctls(pod_security_context(spec)))
    os_name = (spec.get("os") or {}).get("name")
    if os_name == "windows":
        fields["os_type"] = "Windows"
    elif os_name not in (None, "linux"):
        raise PodSpecError("spec.os.name", f"{os_name!r} is not linux or windows")
    return fields
