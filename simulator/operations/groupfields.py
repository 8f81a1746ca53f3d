"""CreateContainerGroup's Pod fields, checked: parameter names, probes, DNS and the rest.

Every parameter the SDK model (`CreateContainerGroupRequest` and its nested
models) carries is either honoured (stored, echoed by DescribeContainerGroups,
and acted on where ECI acts: probes, volumes) or refused with ECI's code and
the parameter's full name: a name the model does not have, a value of the
wrong type or outside its range, a reference to a volume that does not exist.
Nothing is dropped in silence.

Values go into `simulator.specs.podfields` (what the engine acts on) and into
`echo` dicts shaped as DescribeContainerGroups answers. Volumes and mounts
are `groupvolumes`.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from simulator.errors import InvalidParameter, MissingParameter
from simulator.operations.params import Params
from simulator.specs.podfields import Probe

__all__ = [
    "CONTAINER_PARAMETERS",
    "GROUP_PARAMETERS",
    "INIT_CONTAINER_PARAMETERS",
    "container_echo",
    "env_field_refs",
    "group_echo",
    "parse_probe",
]

ACTION = "CreateContainerGroup"

_RPC_COMMON = frozenset(
    {
        "Action",
        "Version",
        "Format",
        "AccessKeyId",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureNonce",
        "SignatureType",
        "Timestamp",
        "SecurityToken",
    }
)
"""Common parameters of the RPC signature (v1) style; they are not the action's."""


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


GROUP_PARAMETERS = _RPC_COMMON | _names(
    "DnsConfig HostSecurityContext SecurityContext AcrRegistryInfo ActiveDeadlineSeconds "
    "AutoCreateEip AutoMatchImageCache ClientToken ComputeCategory Container ContainerGroupName "
    "ContainerResourceView CorePattern Cpu CpuArchitecture CpuOptionsCore CpuOptionsNuma "
    "CpuOptionsThreadsPerCore DataCacheBucket DataCacheBurstingEnabled DataCachePL "
    "DataCacheProvisionedIops DnsPolicy DryRun EgressBandwidth EipBandwidth "
    "EipCommonBandwidthPackage EipISP EipInstanceId EphemeralStorage FixedIp FixedIpRetainHour "
    "GpuDriverVersion HostAliase HostName ImageAccelerateMode ImageRegistryCredential "
    "ImageSnapshotId IngressBandwidth InitContainer InsecureRegistry InstanceType "
    "Ipv6AddressCount Ipv6GatewayBandwidth Ipv6GatewayBandwidthEnable Memory NtpServer OsType "
    "OverheadReservationOption OwnerAccount OwnerId PlainHttpRegistry PrivateIpAddress "
    "RamRoleName RegionId ResourceGroupId ResourceOwnerAccount ResourceOwnerId RestartPolicy "
    "ScheduleStrategy SecurityGroupId ShareProcessNamespace SpotDuration SpotPriceLimit "
    "SpotStrategy StrictSpot Tag TerminationGracePeriodSeconds VSwitchId Volume ZoneId "
    # ImageMatchCountRequest and ImageFullMatch are ECI's (documented; the SDK lags).
    "ImageMatchCountRequest ImageFullMatch"
)
"""Every top-level parameter of CreateContainerGroup the SDK model sends."""

INIT_CONTAINER_PARAMETERS = _names(
    "SecurityContext Arg Command Cpu EnvironmentVar Gpu Image ImagePullPolicy Memory Name Port "
    "TerminationMessagePath TerminationMessagePolicy VolumeMount WorkingDir"
)
CONTAINER_PARAMETERS = (
    INIT_CONTAINER_PARAMETERS
    | _names(
        "LivenessProbe ReadinessProbe EnvironmentVarHide Stdin StdinOnce Tty "
        "SecurityContextPrivileged SecurityContextRunAsGroup SecurityContextRunAsNonRoot"
    )
    | frozenset(
        f"Lifecycle{hook}Handler{field}"
        for hook in ("PostStart", "PreStop")
        for field in (
            "Exec",
            "HttpGetHost",
            "HttpGetHttpHeader",
            "HttpGetPath",
            "HttpGetPort",
            "HttpGetScheme",
            "TcpSocketHost",
            "TcpSocketPort",
        )
    )
)

_DNS_POLICIES = ("Default", "None", "ClusterFirst", "ClusterFirstWithHostNet")
_FIELD_PATHS = re.compile(
    r"metadata\.(name|namespace|uid|labels|annotations)(\['[^']+'\])?|"
    r"spec\.(nodeName|serviceAccountName)|status\.(hostIP|podIP|podIPs)"
)


# --- probes ----------------------------------------------------------------------------------


def parse_probe(item: Params, name: str, *, liveness: bool) -> Probe | None:
    """`Container.N.LivenessProbe` / `ReadinessProbe`: exactly one handler, sane timing."""
    probe = item.child(name)
    if not probe.names():
        return None
    probe.refuse_unknown(
        _names(
            "Exec FailureThreshold HttpGet InitialDelaySeconds PeriodSeconds SuccessThreshold "
            "TcpSocket TimeoutSeconds"
        ),
        action=ACTION,
    )
    handlers = [h for h in ("Exec", "HttpGet", "TcpSocket") if probe.has(h)]
    if not handlers:
        raise MissingParameter(f"{probe.path('Exec')}, HttpGet or TcpSocket is required")
    if len(handlers) > 1:
        raise InvalidParameter(
            f"{probe.path(handlers[1])}: a probe has one handler, {handlers[0]} is given too"
        )
    command: tuple[str, ...] = ()
    path = scheme = None
    port = None
    if handlers[0] == "Exec":
        exec_ = probe.child("Exec")
        exec_.refuse_unknown(frozenset({"Command"}), action=ACTION)
        command = tuple(exec_.strings("Command", max_items=256))
        if not command:
            raise MissingParameter(f"{exec_.path('Command')}.1 is required")
    elif handlers[0] == "HttpGet":
        http = probe.child("HttpGet")
        http.refuse_unknown(frozenset({"Path", "Port", "Scheme"}), action=ACTION)
        path = http.text("Path", max_length=2048) or "/"
        port = _port(http, "Port")
        scheme = http.choice("Scheme", allowed=("HTTP", "HTTPS"), default="HTTP")
    else:
        tcp = probe.child("TcpSocket")
        tcp.refuse_unknown(frozenset({"Port"}), action=ACTION)
        port = _port(tcp, "Port")
    success = probe.integer("SuccessThreshold", minimum=1, maximum=10000)
    if liveness and success not in (None, 1):
        raise InvalidParameter(f"{probe.path('SuccessThreshold')}: must be 1 for a liveness probe")
    return Probe(
        handler={"Exec": "exec", "HttpGet": "httpGet", "TcpSocket": "tcpSocket"}[handlers[0]],
        command=command,
        path=path,
        port=port,
        scheme=scheme,
        initial_delay_seconds=float(
            probe.integer("InitialDelaySeconds", minimum=0, maximum=86400) or 0
        ),
        period_seconds=float(probe.integer("PeriodSeconds", minimum=1, maximum=86400) or 10),
        timeout_seconds=float(probe.integer("TimeoutSeconds", minimum=1, maximum=86400) or 1),
        success_threshold=success or 1,
        failure_threshold=probe.integer("FailureThreshold", minimum=1, maximum=10000) or 3,
    )


def _port(params: Params, name: str) -> int:
    port = params.integer(name, minimum=1, maximum=65535)
    if port is None:
        raise MissingParameter(f"{params.path(name)} is required")
    return port


# --- containers: the stored-and-echoed rest ---------------------------------------------------


def env_field_refs(item: Params) -> tuple[tuple[str, str], ...]:
    """`EnvironmentVar.N.FieldRef.FieldPath`: the variables set from a field of the instance."""
    refs = []
    for var in item.items("EnvironmentVar", max_items=500):
        var.refuse_unknown(frozenset({"FieldRef", "Key", "Value"}), action=ACTION)
        ref = var.child("FieldRef")
        ref.refuse_unknown(frozenset({"FieldPath"}), action=ACTION)
        field_path = ref.text("FieldPath", max_length=256)
        if field_path is None:
            continue
        if not _FIELD_PATHS.fullmatch(field_path):
            raise InvalidParameter(
                f'{ref.path("FieldPath")}: "{field_path}" is not a supported field '
                "(metadata.name, metadata.namespace, metadata.uid, metadata.labels['k'], "
                "metadata.annotations['k'], spec.nodeName, spec.serviceAccountName, "
                "status.hostIP, status.podIP)"
            )
        if var.has("Value"):
            raise InvalidParameter(
                f"{var.path('Value')}: give Value or FieldRef.FieldPath, not both"
            )
        refs.append((var.required_text("Key", max_length=256), field_path))
    return tuple(refs)


def _security_context(item: Params, *, flat: bool) -> dict[str, Any]:
    context = item.child("SecurityContext")
    context.refuse_unknown(
        frozenset({"Capability", "ReadOnlyRootFilesystem", "RunAsUser"}), action=ACTION
    )
    capability = context.child("Capability")
    capability.refuse_unknown(frozenset({"Add"}), action=ACTION)
    adds = capability.strings("Add", max_items=64)
    for index, name in enumerate(adds, start=1):
        if not re.fullmatch(r"[A-Z_]+", name):
            raise InvalidParameter(
                f'{capability.path("Add")}.{index}: "{name}" is not a capability like NET_ADMIN'
            )
    body: dict[str, Any] = {}
    if adds:
        body["Capability"] = {"Adds": adds}
    if context.has("ReadOnlyRootFilesystem"):
        body["ReadOnlyRootFilesystem"] = context.flag("ReadOnlyRootFilesystem")
    run_as_user = context.integer("RunAsUser", minimum=0, maximum=2**31 - 1)
    if run_as_user is not None:
        body["RunAsUser"] = run_as_user
    if flat:
        if item.has("SecurityContextPrivileged"):
            body["Privileged"] = item.flag("SecurityContextPrivileged")
        if item.has("SecurityContextRunAsNonRoot"):
            body["RunAsNonRoot"] = item.flag("SecurityContextRunAsNonRoot")
        group = item.integer("SecurityContextRunAsGroup", minimum=0, maximum=2**31 - 1)
        if group is not None:
            body["RunAsGroup"] = group
    return body


def _handler(item: Params, hook: str) -> dict[str, Any] | None:
    prefix = f"Lifecycle{hook}Handler"
    command = item.strings(f"{prefix}Exec", max_items=256)
    http_port = item.integer(f"{prefix}HttpGetPort", minimum=1, maximum=65535)
    tcp_port = item.integer(f"{prefix}TcpSocketPort", minimum=1, maximum=65535)
    given = [
        kind
        for kind, on in (("Exec", command), ("HttpGet", http_port), ("TcpSocket", tcp_port))
        if on
    ]
    http_fields = ("HttpGetHost", "HttpGetPath", "HttpGetScheme", "HttpGetHttpHeader")
    if not given and any(item.has(f"{prefix}{f}") for f in http_fields):
        raise MissingParameter(f"{item.path(prefix + 'HttpGetPort')} is required")
    if not given and item.has(f"{prefix}TcpSocketHost"):
        raise MissingParameter(f"{item.path(prefix + 'TcpSocketPort')} is required")
    if not given:
        return None
    if len(given) > 1:
        raise InvalidParameter(
            f"{item.path(prefix + given[1])}: a {hook} hook has one handler, {given[0]} is too"
        )
    if given[0] == "Exec":
        return {"Exec": {"Command": command}}
    if given[0] == "TcpSocket":
        return {"TcpSocket": {"Host": item.text(f"{prefix}TcpSocketHost") or "", "Port": tcp_port}}
    headers = []
    for header in item.items(f"{prefix}HttpGetHttpHeader", max_items=64):
        header.refuse_unknown(frozenset({"Name", "Value"}), action=ACTION)
        headers.append({"Name": header.required_text("Name"), "Value": header.text("Value") or ""})
    return {
        "HttpGet": {
            "Host": item.text(f"{prefix}HttpGetHost") or "",
            "Path": item.text(f"{prefix}HttpGetPath", max_length=2048) or "/",
            "Port": http_port,
            "Scheme": item.choice(
                f"{prefix}HttpGetScheme", allowed=("HTTP", "HTTPS"), default="HTTP"
            ),
            "HttpHeaders": headers,
        }
    }


def container_echo(item: Params, *, init: bool) -> dict[str, Any]:
    """A container's stored-and-echoed fields, checked, in Describe's shape."""
    echo: dict[str, Any] = {}
    security = _security_context(item, flat=not init)
    if security:
        echo["SecurityContext"] = security
    gpu = item.integer("Gpu", minimum=0, maximum=64)
    if gpu is not None:
        echo["Gpu"] = gpu
    policy = item.text("TerminationMessagePolicy", max_length=32)
    if policy is not None and policy not in ("File", "FallbackToLogsOnError"):
        raise InvalidParameter(
            f'{item.path("TerminationMessagePolicy")}: "{policy}" is not File or '
            "FallbackToLogsOnError"
        )
    echo["TerminationMessagePolicy"] = policy or "File"
    echo["TerminationMessagePath"] = (
        item.text("TerminationMessagePath", max_length=4096) or "/dev/termination-log"
    )
    if init:
        return echo
    for name in ("Stdin", "StdinOnce", "Tty", "EnvironmentVarHide"):
        echo[name] = item.flag(name)
    if echo["StdinOnce"] and not echo["Stdin"]:
        raise InvalidParameter(f"{item.path('StdinOnce')}: needs Stdin=true")
    lifecycle = {}
    for hook in ("PostStart", "PreStop"):
        handler = _handler(item, hook)
        if handler is not None:
            lifecycle[hook] = handler
    if lifecycle:
        echo["Lifecycle"] = lifecycle
    return echo


# --- the group: the stored-and-echoed rest -----------------------------------------------------


def group_echo(params: Params) -> dict[str, Any]:
    """The group's stored-and-echoed fields, checked, in Describe's shape."""
    echo: dict[str, Any] = {}
    policy = params.text("DnsPolicy", max_length=32)
    if policy is not None:
        if policy not in _DNS_POLICIES:
            raise InvalidParameter(
                f'DnsPolicy: "{policy}" is not one of {", ".join(_DNS_POLICIES)}'
            )
        echo["DnsPolicy"] = policy
    dns = params.child("DnsConfig")
    dns.refuse_unknown(frozenset({"NameServer", "Option", "Search"}), action=ACTION)
    servers = dns.strings("NameServer", max_items=3)
    searches = dns.strings("Search", max_items=6)
    options = []
    for option in dns.items("Option", max_items=32):
        option.refuse_unknown(frozenset({"Name", "Value"}), action=ACTION)
        options.append({"Name": option.required_text("Name"), "Value": option.text("Value") or ""})
    if policy == "None" and not servers:
        raise MissingParameter("DnsConfig.NameServer.1 is required with DnsPolicy None")
    if servers or searches or options:
        echo["DnsConfig"] = {"NameServers": servers, "Searches": searches, "Options": options}
    aliases = []
    for alias in params.items("HostAliase", max_items=64):
        alias.refuse_unknown(frozenset({"Hostname", "Ip"}), action=ACTION)
        ip = alias.required_text("Ip", max_length=64)
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise InvalidParameter(f'{alias.path("Ip")}: "{ip}" is not an IP address') from None
        hostnames = alias.strings("Hostname", max_items=64)
        if not hostnames:
            raise MissingParameter(f"{alias.path('Hostname')}.1 is required")
        aliases.append({"Ip": ip, "Hostnames": hostnames})
    if aliases:
        echo["HostAliases"] = aliases
    hostname = params.text("HostName", max_length=253)
    if hostname is not None:
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?", hostname):
            raise InvalidParameter(f'HostName: "{hostname}" is not a valid hostname')
        echo["HostName"] = hostname
    sysctls = []
    for name in ("SecurityContext", "HostSecurityContext"):
        context = params.child(name)
        context.refuse_unknown(frozenset({"Sysctl"}), action=ACTION)
        for sysctl in context.items("Sysctl", max_items=64):
            sysctl.refuse_unknown(frozenset({"Name", "Value"}), action=ACTION)
            sysctls.append(
                {"Name": sysctl.required_text("Name"), "Value": sysctl.required_text("Value")}
            )
    if sysctls:
        echo["EciSecurityContext"] = {"Sysctls": sysctls}
    storage = params.integer("EphemeralStorage", minimum=1, maximum=2048)
    if storage is not None:
        echo["EphemeralStorage"] = storage
    spot = params.text("SpotStrategy", max_length=32)
    if spot is not None:
        if spot not in ("NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"):
            raise InvalidParameter(
                f'SpotStrategy: "{spot}" is not one of NoSpot, SpotWithPriceLimit, SpotAsPriceGo'
            )
        echo["SpotStrategy"] = spot
    limit = params.number("SpotPriceLimit", minimum=0)
    if limit is not None:
        if spot != "SpotWithPriceLimit":
            raise InvalidParameter("SpotPriceLimit: needs SpotStrategy SpotWithPriceLimit")
        echo["SpotPriceLimit"] = limit
    if params.has("ShareProcessNamespace"):
        echo["ShareProcessNamespace"] = params.flag("ShareProcessNamespace")
    for name in ("RamRoleName", "ResourceGroupId", "ComputeCategory", "OsType", "CpuArchitecture"):
        value = params.text(name, max_length=256)
        if value is not None:
            echo[name] = value
    return echo
