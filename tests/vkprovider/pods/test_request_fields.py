"""The rest of CreateContainerGroup: Pod and container fields, ECI annotations, and refusals.

Every field a Pod sets either reaches the request under ECI's name (checked on the wire,
`to_map()`, as the SDK sends it) or fails the Pod naming the field: nothing is dropped.
"""

from __future__ import annotations

from typing import Any

import pytest

from vkprovider.pods.requests import PodSpecError, build_create_request
from vkprovider.settings import EciSettings

SETTINGS = EciSettings(endpoint="127.0.0.1:1", region_id="cn-beijing")


def _pod(
    container: dict[str, Any] | None = None,
    *,
    annotations: dict[str, str] | None = None,
    **spec: Any,
) -> Any:
    app = {"name": "app", "image": "nginx:1.25", "ports": [{"name": "http", "containerPort": 80}]}
    app.update(container or {})
    return {
        "metadata": {"name": "p", "namespace": "d", "uid": "u", "annotations": annotations or {}},
        "spec": {"containers": [app], **spec},
    }


def _wire(pod: Any) -> dict[str, Any]:
    result: dict[str, Any] = build_create_request(
        pod, settings=SETTINGS, node_name="n"
    ).request.to_map()
    return result


def _refused(pod: Any, field: str) -> str:
    with pytest.raises(PodSpecError) as caught:
        build_create_request(pod, settings=SETTINGS, node_name="n")
    assert caught.value.field_path == field
    return str(caught.value)


def test_dns_host_aliases_hostname_and_grace_reach_the_request() -> None:
    wire = _wire(
        _pod(
            dnsPolicy="None",
            dnsConfig={
                "nameservers": ["10.0.0.10"],
                "searches": ["svc.example.com"],
                "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}],
            },
            hostAliases=[{"ip": "10.1.2.3", "hostnames": ["db", "db.local"]}],
            hostname="web-a",
            terminationGracePeriodSeconds=45,
            activeDeadlineSeconds=600,
            shareProcessNamespace=True,
        )
    )
    assert wire["DnsPolicy"] == "None"
    assert wire["DnsConfig"] == {
        "NameServer": ["10.0.0.10"],
        "Search": ["svc.example.com"],
        "Option": [{"Name": "ndots", "Value": "2"}, {"Name": "edns0"}],
    }
    assert wire["HostAliase"] == [{"Ip": "10.1.2.3", "Hostname": ["db", "db.local"]}]
    assert wire["HostName"] == "web-a"
    assert wire["TerminationGracePeriodSeconds"] == 45
    assert wire["ActiveDeadlineSeconds"] == 600
    assert wire["ShareProcessNamespace"] is True


def test_hostname_is_the_pods_name_as_a_kubelet_sets_it() -> None:
    assert _wire(_pod())["HostName"] == "p"
    long = _pod()
    long["metadata"]["name"] = "a" * 62 + "-b-c"
    assert _wire(long)["HostName"] == "a" * 62  # cut to 63, trailing '-' dropped


def test_cluster_first_dns_is_the_resolver_a_kubelet_without_cluster_dns_uses() -> None:
    assert _wire(_pod())["DnsPolicy"] == "Default"
    assert _wire(_pod(dnsPolicy="ClusterFirst"))["DnsPolicy"] == "Default"
    assert _wire(_pod(dnsPolicy="Default"))["DnsPolicy"] == "Default"


def test_security_contexts_and_sysctls() -> None:
    container = {
        "securityContext": {
            "capabilities": {"add": ["NET_ADMIN"]},
            "readOnlyRootFilesystem": True,
            "runAsUser": 1000,
            "privileged": False,
        }
    }
    pod = _pod(
        container,
        securityContext={
            "runAsUser": 10,
            "runAsGroup": 3000,
            "runAsNonRoot": True,
            "sysctls": [
                {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"},
                {"name": "net.core.somaxconn", "value": "1024"},
            ],
        },
    )
    wire = _wire(pod)
    app = wire["Container"][0]
    assert app["SecurityContext"] == {
        "Capability": {"Add": ["NET_ADMIN"]},
        "ReadOnlyRootFilesystem": True,
        "RunAsUser": 1000,  # the container's own wins over the Pod's
    }
    assert app["SecurityContextPrivileged"] is False
    assert app["SecurityContextRunAsGroup"] == 3000  # inherited from the Pod
    assert app["SecurityContextRunAsNonRoot"] is True
    assert wire["SecurityContext"] == {
        "Sysctl": [{"Name": "net.ipv4.ip_unprivileged_port_start", "Value": "0"}]
    }
    assert wire["HostSecurityContext"] == {
        "Sysctl": [{"Name": "net.core.somaxconn", "Value": "1024"}]
    }


def test_init_containers_inherit_the_pods_user_but_cannot_take_its_group() -> None:
    pod = _pod(securityContext={"runAsUser": 10})
    pod["spec"]["initContainers"] = [{"name": "init", "image": "busybox"}]
    assert _wire(pod)["InitContainer"][0]["SecurityContext"] == {"RunAsUser": 10}
    pod["spec"]["securityContext"]["runAsGroup"] = 3000
    _refused(pod, "spec.initContainers[0].securityContext.runAsGroup")


def test_lifecycle_hooks_probes_and_terminal_fields() -> None:
    container = {
        "lifecycle": {
            "postStart": {"exec": {"command": ["sh", "-c", "echo up"]}},
            "preStop": {
                "httpGet": {
                    "path": "/drain",
                    "port": "http",
                    "scheme": "HTTP",
                    "httpHeaders": [{"name": "X-Drain", "value": "1"}],
                }
            },
        },
        "livenessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 7},
        "readinessProbe": {"exec": {"command": ["cat", "/ready"]}, "failureThreshold": 2},
        "stdin": True,
        "stdinOnce": True,
        "tty": True,
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    app = _wire(_pod(container))["Container"][0]
    assert app["LifecyclePostStartHandlerExec"] == ["sh", "-c", "echo up"]
    assert app["LifecyclePreStopHandlerHttpGetPath"] == "/drain"
    assert app["LifecyclePreStopHandlerHttpGetPort"] == 80  # the named port, resolved
    assert app["LifecyclePreStopHandlerHttpGetScheme"] == "HTTP"
    assert app["LifecyclePreStopHandlerHttpGetHttpHeader"] == [{"Name": "X-Drain", "Value": "1"}]
    assert app["LivenessProbe"] == {"TcpSocket": {"Port": 80}, "PeriodSeconds": 7}
    assert app["ReadinessProbe"] == {"Exec": {"Command": ["cat", "/ready"]}, "FailureThreshold": 2}
    assert (app["Stdin"], app["StdinOnce"], app["Tty"]) == (True, True, True)
    assert app["TerminationMessagePath"] == "/dev/termination-log"
    assert app["TerminationMessagePolicy"] == "File"


def test_gpus_and_ephemeral_storage() -> None:
    container = {
        "resources": {
            "limits": {
                "nvidia.com/gpu": "1",
                "ephemeral-storage": "50Gi",
                "cpu": "4",
                "memory": "16Gi",
            }
        }
    }
    wire = _wire(_pod(container))
    assert wire["Container"][0]["Gpu"] == 1
    assert wire["EphemeralStorage"] == 20  # 50 GiB asked, 30 GiB come with every instance
    assert (wire["Cpu"], wire["Memory"]) == (4.0, 16.0)
    small = _wire(_pod({"resources": {"requests": {"ephemeral-storage": "10Gi"}}}))
    assert "EphemeralStorage" not in small


def test_eci_annotations_select_request_fields() -> None:
    annotations = {
        "k8s.aliyun.com/eci-spot-strategy": "SpotWithPriceLimit",
        "k8s.aliyun.com/eci-spot-price-limit": "0.25",
        "k8s.aliyun.com/eci-spot-duration": "0",
        "k8s.aliyun.com/eci-extra-ephemeral-storage": "50Gi",
        "k8s.aliyun.com/eci-vswitch": "vsw-a,vsw-b",
        "k8s.aliyun.com/eci-schedule-strategy": "VSwitchOrdered",
        "k8s.aliyun.com/eci-security-group": "sg-1",
        "k8s.aliyun.com/eci-with-eip": "true",
        "k8s.aliyun.com/eip-bandwidth": "10",
        "k8s.aliyun.com/eci-enable-ipv6": "true",
        "kubernetes.io/ingress-bandwidth": "40M",
        "kubernetes.io/egress-bandwidth": "20M",
        "k8s.aliyun.com/eci-compute-category": "economy,general",
    }
    wire = _wire(_pod(annotations=annotations))
    assert wire["SpotStrategy"] == "SpotWithPriceLimit"
    assert wire["SpotPriceLimit"] == 0.25
    assert wire["SpotDuration"] == 0
    assert wire["EphemeralStorage"] == 50
    assert wire["VSwitchId"] == "vsw-a,vsw-b"
    assert wire["ScheduleStrategy"] == "VSwitchOrdered"
    assert wire["SecurityGroupId"] == "sg-1"
    assert wire["AutoCreateEip"] is True
    assert wire["EipBandwidth"] == 10
    assert wire["Ipv6AddressCount"] == 1
    assert wire["IngressBandwidth"] == 40_000_000
    assert wire["EgressBandwidth"] == 20_000_000
    assert wire["ComputeCategory"] == ["economy", "general"]


@pytest.mark.parametrize(
    ("annotations", "annotation", "complaint"),
    [
        (
            {"k8s.aliyun.com/eci-spot-strategy": "Cheap"},
            "eci-spot-strategy",
            "'Cheap' is not one of",
        ),
        (
            {"k8s.aliyun.com/eci-spot-strategy": "SpotWithPriceLimit"},
            "eci-spot-price-limit",
            "is required when",
        ),
        (
            {
                "k8s.aliyun.com/eci-spot-strategy": "SpotAsPriceGo",
                "k8s.aliyun.com/eci-spot-price-limit": "0.5",
            },
            "eci-spot-price-limit",
            "is only valid with",
        ),
        (
            {
                "k8s.aliyun.com/eci-spot-strategy": "SpotWithPriceLimit",
                "k8s.aliyun.com/eci-spot-price-limit": "0.12345",
            },
            "eci-spot-price-limit",
            "at most three decimals",
        ),
        (
            {"k8s.aliyun.com/eci-extra-ephemeral-storage": "lots"},
            "eci-extra-ephemeral-storage",
            "'lots'",
        ),
        ({"k8s.aliyun.com/eci-with-eip": "yes please"}, "eci-with-eip", 'is not "true" or "false"'),
    ],
)
def test_malformed_annotations_are_refused_by_name(
    annotations: dict[str, str], annotation: str, complaint: str
) -> None:
    message = _refused(
        _pod(annotations=annotations), f"metadata.annotations[k8s.aliyun.com/{annotation}]"
    )
    assert complaint in message


@pytest.mark.parametrize(
    ("container", "spec", "field"),
    [
        ({"startupProbe": {"exec": {"command": ["true"]}}}, {}, "spec.containers[0].startupProbe"),
        (
            {"securityContext": {"capabilities": {"drop": ["ALL"]}}},
            {},
            "spec.containers[0].securityContext.capabilities.drop",
        ),
        (
            {"securityContext": {"allowPrivilegeEscalation": False}},
            {},
            "spec.containers[0].securityContext.allowPrivilegeEscalation",
        ),
        (
            {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
            {},
            "spec.containers[0].securityContext.seccompProfile",
        ),
        (
            {"lifecycle": {"preStop": {"sleep": {"seconds": 5}}}},
            {},
            "spec.containers[0].lifecycle.preStop",
        ),
        (
            {
                "readinessProbe": {
                    "httpGet": {"port": 80, "httpHeaders": [{"name": "a", "value": "b"}]}
                }
            },
            {},
            "spec.containers[0].readinessProbe.httpGet.httpHeaders",
        ),
        (
            {"resources": {"limits": {"example.com/fpga": "1"}}},
            {},
            "spec.containers[0].resources.limits[example.com/fpga]",
        ),
        (
            {"resources": {"limits": {"hugepages-2Mi": "1Gi"}}},
            {},
            "spec.containers[0].resources.limits[hugepages-2Mi]",
        ),
        (
            {"ports": [{"containerPort": 80, "hostPort": 8080}]},
            {},
            "spec.containers[0].ports[0].hostPort",
        ),
        ({}, {"hostNetwork": True}, "spec.hostNetwork"),
        ({}, {"hostPID": True}, "spec.hostPID"),
        ({}, {"subdomain": "web"}, "spec.subdomain"),
        ({}, {"runtimeClassName": "gvisor"}, "spec.runtimeClassName"),
        ({}, {"securityContext": {"fsGroup": 2000}}, "spec.securityContext.fsGroup"),
        (
            {},
            {"securityContext": {"sysctls": [{"name": "kernel.shm_rmid_forced", "value": "1"}]}},
            "spec.securityContext.sysctls[0]",
        ),
        ({}, {"dnsPolicy": "None"}, "spec.dnsConfig"),
    ],
)
def test_fields_eci_cannot_express_are_refused_by_name(
    container: dict[str, Any], spec: dict[str, Any], field: str
) -> None:
    message = _refused(_pod(container, **spec), field)
    assert "not supported" in message or "required" in message


def test_init_containers_refuse_what_eci_init_containers_lack() -> None:
    for extra, field in (
        ({"restartPolicy": "Always"}, "spec.initContainers[0].restartPolicy"),
        ({"tty": True}, "spec.initContainers[0].tty"),
        (
            {"securityContext": {"privileged": True}},
            "spec.initContainers[0].securityContext.privileged",
        ),
    ):
        pod = _pod()
        pod["spec"]["initContainers"] = [{"name": "init", "image": "busybox", **extra}]
        _refused(pod, field)
