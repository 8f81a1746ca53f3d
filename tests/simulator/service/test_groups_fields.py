"""Every Pod field CreateContainerGroup carries is stored and echoed, or refused by name.

Through the official SDK: what a virtual node sends for a Pod (volumes, mounts, probes,
DNS, host aliases, security contexts, lifecycle hooks, ...) comes back from
DescribeContainerGroups as the SDK's Describe model names it; fields that model has no
place for are read from the service's raw answer (the SDK drops them).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from alibabacloud_eci20180808 import models as m
from alibabacloud_eci20180808.client import Client

from simulator.errors import EciError
from tests.fixtures.eci import EciTarget
from tests.simulator.service.conftest import REGION, container, create_group, describe, refused

CONF = "listen 8080;\nworkers 2;\n"
SECRET = "s3cr3t-token"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _volumes() -> list[m.CreateContainerGroupRequestVolume]:
    return [
        m.CreateContainerGroupRequestVolume(
            name="conf",
            type="ConfigFileVolume",
            config_file_volume=m.CreateContainerGroupRequestVolumeConfigFileVolume(
                default_mode=0o644,
                config_file_to_path=[
                    m.CreateContainerGroupRequestVolumeConfigFileVolumeConfigFileToPath(
                        path="app.conf", content=_b64(CONF), mode=0o600
                    ),
                    m.CreateContainerGroupRequestVolumeConfigFileVolumeConfigFileToPath(
                        path="token", content=_b64(SECRET)
                    ),
                ],
            ),
        ),
        m.CreateContainerGroupRequestVolume(
            name="cache",
            type="EmptyDirVolume",
            empty_dir_volume=m.CreateContainerGroupRequestVolumeEmptyDirVolume(
                medium="Memory", size_limit="256Mi"
            ),
        ),
        m.CreateContainerGroupRequestVolume(
            name="shared",
            type="NFSVolume",
            nfsvolume=m.CreateContainerGroupRequestVolumeNFSVolume(
                server="nas.example.com", path="/exports/data", read_only=True
            ),
        ),
    ]


def _web() -> m.CreateContainerGroupRequestContainer:
    return container(
        "web",
        "nginx:1.25",
        volume_mount=[
            m.CreateContainerGroupRequestContainerVolumeMount(
                name="conf", mount_path="/etc/app", read_only=True
            ),
            m.CreateContainerGroupRequestContainerVolumeMount(
                name="cache", mount_path="/cache", mount_propagation="HostToContainer"
            ),
            m.CreateContainerGroupRequestContainerVolumeMount(
                name="shared", mount_path="/data/report", sub_path="reports"
            ),
        ],
        liveness_probe=m.CreateContainerGroupRequestContainerLivenessProbe(
            http_get=m.CreateContainerGroupRequestContainerLivenessProbeHttpGet(
                path="/healthz", port=8080, scheme="HTTP"
            ),
            initial_delay_seconds=5,
            period_seconds=7,
            failure_threshold=4,
            timeout_seconds=2,
        ),
        readiness_probe=m.CreateContainerGroupRequestContainerReadinessProbe(
            tcp_socket=m.CreateContainerGroupRequestContainerReadinessProbeTcpSocket(port=8080),
            initial_delay_seconds=3,
            success_threshold=2,
        ),
        security_context=m.CreateContainerGroupRequestContainerSecurityContext(
            capability=m.CreateContainerGroupRequestContainerSecurityContextCapability(
                add=["NET_ADMIN"]
            ),
            read_only_root_filesystem=True,
            run_as_user=1000,
        ),
        security_context_run_as_group=3000,
        security_context_run_as_non_root=True,
        gpu=1,
        stdin=True,
        stdin_once=True,
        tty=True,
        lifecycle_post_start_handler_exec=["sh", "-c", "echo started"],
        lifecycle_pre_stop_handler_http_get_port=8080,
        lifecycle_pre_stop_handler_http_get_path="/drain",
        environment_var=[
            m.CreateContainerGroupRequestContainerEnvironmentVar(key="MODE", value="prod"),
            m.CreateContainerGroupRequestContainerEnvironmentVar(
                key="POD_IP",
                field_ref=m.CreateContainerGroupRequestContainerEnvironmentVarFieldRef(
                    field_path="status.podIP"
                ),
            ),
        ],
    )


def _init() -> m.CreateContainerGroupRequestInitContainer:
    return m.CreateContainerGroupRequestInitContainer(
        name="setup",
        image="busybox:1.37",
        command=["true"],
        environment_var=[
            m.CreateContainerGroupRequestInitContainerEnvironmentVar(
                key="POD_NAME",
                field_ref=m.CreateContainerGroupRequestInitContainerEnvironmentVarFieldRef(
                    field_path="metadata.name"
                ),
            )
        ],
        volume_mount=[
            m.CreateContainerGroupRequestInitContainerVolumeMount(
                name="conf", mount_path="/conf", read_only=True
            )
        ],
        security_context=m.CreateContainerGroupRequestInitContainerSecurityContext(run_as_user=0),
    )


async def _create_full(client: Client) -> str:
    return await create_group(
        client,
        _web(),
        name="full",
        init_container=[_init()],
        volume=_volumes(),
        dns_policy="None",
        dns_config=m.CreateContainerGroupRequestDnsConfig(
            name_server=["10.0.0.10"],
            search=["default.svc.cluster.local"],
            option=[m.CreateContainerGroupRequestDnsConfigOption(name="ndots", value="2")],
        ),
        host_aliase=[
            m.CreateContainerGroupRequestHostAliase(ip="10.1.2.3", hostname=["db", "db.local"])
        ],
        host_name="web-0",
        security_context=m.CreateContainerGroupRequestSecurityContext(
            sysctl=[
                m.CreateContainerGroupRequestSecurityContextSysctl(
                    name="net.core.somaxconn", value="1024"
                )
            ]
        ),
        termination_grace_period_seconds=45,
        active_deadline_seconds=3600,
        ephemeral_storage=50,
        spot_strategy="SpotAsPriceGo",
        cpu=2.0,
        memory=4.0,
    )


async def test_every_honoured_field_is_echoed(eci: EciTarget, eci_client: Client) -> None:
    group = await describe(eci_client, await _create_full(eci_client))
    volumes = {v.name: v for v in group.volumes}
    assert volumes["conf"].type == "ConfigFileVolume"
    assert [
        (p.path, p.content) for p in volumes["conf"].config_file_volume_config_file_to_paths
    ] == [
        ("app.conf", _b64(CONF)),
        ("token", _b64(SECRET)),
    ]
    assert (
        volumes["cache"].empty_dir_volume_medium,
        volumes["cache"].empty_dir_volume_size_limit,
    ) == (
        "Memory",
        "256Mi",
    )
    shared = volumes["shared"]
    assert (shared.nfsvolume_server, shared.nfsvolume_path, shared.nfsvolume_read_only) == (
        "nas.example.com",
        "/exports/data",
        True,
    )
    web = group.containers[0]
    mounts = [
        (v.name, v.mount_path, v.read_only, v.sub_path, v.mount_propagation)
        for v in web.volume_mounts
    ]
    assert mounts == [
        ("conf", "/etc/app", True, "", "None"),
        ("cache", "/cache", False, "", "HostToContainer"),
        ("shared", "/data/report", False, "reports", "None"),
    ]
    live = web.liveness_probe
    assert (live.http_get.path, live.http_get.port, live.http_get.scheme) == (
        "/healthz",
        8080,
        "HTTP",
    )
    assert (live.initial_delay_seconds, live.period_seconds, live.failure_threshold) == (5, 7, 4)
    assert (live.timeout_seconds, live.success_threshold) == (2, 1)
    ready = web.readiness_probe
    assert (ready.tcp_socket.port, ready.initial_delay_seconds, ready.success_threshold) == (
        8080,
        3,
        2,
    )
    assert (ready.period_seconds, ready.failure_threshold) == (10, 3)  # Kubernetes' defaults
    security = web.security_context
    assert security.capability.adds == ["NET_ADMIN"]
    assert (security.read_only_root_filesystem, security.run_as_user) == (True, 1000)
    assert (web.gpu, web.stdin, web.stdin_once, web.tty) == (1, True, True, True)
    env = {e.key: e for e in web.environment_vars}
    assert env["MODE"].value == "prod"
    assert env["POD_IP"].value_from.field_ref.field_path == "status.podIP"
    init = group.init_containers[0]
    assert init.environment_vars[0].value_from.field_ref.field_path == "metadata.name"
    assert [(v.name, v.mount_path, v.read_only) for v in init.volume_mounts] == [
        ("conf", "/conf", True)
    ]
    assert init.security_context.run_as_user == 0
    dns = group.dns_config
    assert (dns.name_servers, dns.searches) == (["10.0.0.10"], ["default.svc.cluster.local"])
    assert [(o.name, o.value) for o in dns.options] == [("ndots", "2")]
    assert [(a.ip, a.hostnames) for a in group.host_aliases] == [("10.1.2.3", ["db", "db.local"])]
    assert [(s.name, s.value) for s in group.eci_security_context.sysctls] == [
        ("net.core.somaxconn", "1024")
    ]
    assert (group.ephemeral_storage, group.spot_strategy) == (50, "SpotAsPriceGo")
    # What the Describe model has no field for, the raw answer still carries.
    raw = await _raw(eci, group.container_group_id)
    assert (raw["HostName"], raw["DnsPolicy"]) == ("web-0", "None")
    assert (raw["TerminationGracePeriodSeconds"], raw["ActiveDeadlineSeconds"]) == (45, 3600)
    raw_web = raw["Containers"][0]
    assert raw_web["Lifecycle"] == {
        "PostStart": {"Exec": {"Command": ["sh", "-c", "echo started"]}},
        "PreStop": {
            "HttpGet": {
                "Host": "",
                "Path": "/drain",
                "Port": 8080,
                "Scheme": "HTTP",
                "HttpHeaders": [],
            }
        },
    }
    assert (
        raw_web["SecurityContext"]["RunAsGroup"],
        raw_web["SecurityContext"]["RunAsNonRoot"],
    ) == (
        3000,
        True,
    )
    conf = next(v for v in raw["Volumes"] if v["Name"] == "conf")
    assert conf["ConfigFileVolumeDefaultMode"] == 0o644
    assert [p["Mode"] for p in conf["ConfigFileVolumeConfigFileToPaths"]] == [0o600, None]


async def _raw(eci: EciTarget, group_id: str) -> dict[str, Any]:
    body = await eci.simulator.service.call(
        "DescribeContainerGroups",
        {"RegionId": REGION, "ContainerGroupIds": json.dumps([group_id])},
    )
    group: dict[str, Any] = body["ContainerGroups"][0]
    return group


def _with(**fields: Any) -> m.CreateContainerGroupRequest:
    values: dict[str, Any] = {
        "region_id": REGION,
        "container_group_name": "bad",
        "container": [container("c", "busybox:1.37")],
    }
    values.update(fields)
    return m.CreateContainerGroupRequest(**values)


def _conf(**fields: Any) -> m.CreateContainerGroupRequestVolume:
    return m.CreateContainerGroupRequestVolume(
        name="conf",
        type="ConfigFileVolume",
        config_file_volume=m.CreateContainerGroupRequestVolumeConfigFileVolume(
            config_file_to_path=[
                m.CreateContainerGroupRequestVolumeConfigFileVolumeConfigFileToPath(**fields)
            ]
        ),
    )


REFUSALS: dict[str, tuple[m.CreateContainerGroupRequest, str, str]] = {
    "volume type": (
        _with(volume=[m.CreateContainerGroupRequestVolume(name="v", type="GlusterVolume")]),
        "InvalidParameter",
        "Volume.1.Type",
    ),
    "volume without type": (
        _with(volume=[m.CreateContainerGroupRequestVolume(name="v")]),
        "MissingParameter",
        "Volume.1.Type",
    ),
    "content not base64": (
        _with(volume=[_conf(path="a.conf", content="not base64!")]),
        "InvalidParameter",
        "Volume.1.ConfigFileVolume.ConfigFileToPath.1.Content",
    ),
    "absolute config path": (
        _with(volume=[_conf(path="/etc/a.conf", content=_b64("x"))]),
        "InvalidParameter",
        "Volume.1.ConfigFileVolume.ConfigFileToPath.1.Path",
    ),
    "empty dir medium": (
        _with(
            volume=[
                m.CreateContainerGroupRequestVolume(
                    name="v",
                    type="EmptyDirVolume",
                    empty_dir_volume=m.CreateContainerGroupRequestVolumeEmptyDirVolume(
                        medium="Tape"
                    ),
                )
            ]
        ),
        "InvalidParameter",
        "Volume.1.EmptyDirVolume.Medium",
    ),
    "nfs without server": (
        _with(
            volume=[
                m.CreateContainerGroupRequestVolume(
                    name="v",
                    type="NFSVolume",
                    nfsvolume=m.CreateContainerGroupRequestVolumeNFSVolume(path="/x"),
                )
            ]
        ),
        "MissingParameter",
        "Volume.1.NFSVolume.Server",
    ),
    "mount of an unknown volume": (
        _with(
            container=[
                container(
                    "c",
                    "busybox:1.37",
                    volume_mount=[
                        m.CreateContainerGroupRequestContainerVolumeMount(
                            name="nope", mount_path="/x"
                        )
                    ],
                )
            ]
        ),
        "InvalidParameter",
        "Container.1.VolumeMount.1.Name",
    ),
    "mount propagation": (
        _with(
            volume=[
                m.CreateContainerGroupRequestVolume(
                    name="v",
                    type="EmptyDirVolume",
                    empty_dir_volume=m.CreateContainerGroupRequestVolumeEmptyDirVolume(),
                )
            ],
            container=[
                container(
                    "c",
                    "busybox:1.37",
                    volume_mount=[
                        m.CreateContainerGroupRequestContainerVolumeMount(
                            name="v", mount_path="/x", mount_propagation="Sideways"
                        )
                    ],
                )
            ],
        ),
        "InvalidParameter",
        "Container.1.VolumeMount.1.MountPropagation",
    ),
    "probe without handler": (
        _with(
            container=[
                container(
                    "c",
                    "busybox:1.37",
                    liveness_probe=m.CreateContainerGroupRequestContainerLivenessProbe(
                        period_seconds=5
                    ),
                )
            ]
        ),
        "MissingParameter",
        "Container.1.LivenessProbe",
    ),
    "liveness success threshold": (
        _with(
            container=[
                container(
                    "c",
                    "busybox:1.37",
                    liveness_probe=m.CreateContainerGroupRequestContainerLivenessProbe(
                        tcp_socket=m.CreateContainerGroupRequestContainerLivenessProbeTcpSocket(
                            port=80
                        ),
                        success_threshold=2,
                    ),
                )
            ]
        ),
        "InvalidParameter",
        "Container.1.LivenessProbe.SuccessThreshold",
    ),
    "dns policy": (_with(dns_policy="Sometimes"), "InvalidParameter", "DnsPolicy"),
    "dns policy None without servers": (
        _with(dns_policy="None"),
        "MissingParameter",
        "DnsConfig.NameServer",
    ),
    "host alias ip": (
        _with(host_aliase=[m.CreateContainerGroupRequestHostAliase(ip="db", hostname=["db"])]),
        "InvalidParameter",
        "HostAliase.1.Ip",
    ),
    "field ref": (
        _with(
            container=[
                container(
                    "c",
                    "busybox:1.37",
                    environment_var=[
                        m.CreateContainerGroupRequestContainerEnvironmentVar(
                            key="X",
                            field_ref=m.CreateContainerGroupRequestContainerEnvironmentVarFieldRef(
                                field_path="spec.secret"
                            ),
                        )
                    ],
                )
            ]
        ),
        "InvalidParameter",
        "Container.1.EnvironmentVar.1.FieldRef.FieldPath",
    ),
    "grace period": (
        _with(termination_grace_period_seconds=-1),
        "InvalidParameter",
        "TerminationGracePeriodSeconds",
    ),
    "spot strategy": (_with(spot_strategy="Cheap"), "InvalidParameter", "SpotStrategy"),
    "capability": (
        _with(
            container=[
                container(
                    "c",
                    "busybox:1.37",
                    security_context=m.CreateContainerGroupRequestContainerSecurityContext(
                        capability=m.CreateContainerGroupRequestContainerSecurityContextCapability(
                            add=["net admin"]
                        )
                    ),
                )
            ]
        ),
        "InvalidParameter",
        "Container.1.SecurityContext.Capability.Add.1",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
async def test_malformed_fields_are_refused_naming_the_parameter(
    eci_client: Client, case: str
) -> None:
    request, code, parameter = REFUSALS[case]
    error = await refused(eci_client.create_container_group_async(request))
    assert error.code == code, error.message
    assert parameter in error.message
    assert error.data["statusCode"] == 400
    # Nothing was created, and the content of a config file is never quoted back.
    groups = await eci_client.describe_container_groups_async(
        m.DescribeContainerGroupsRequest(region_id=REGION)
    )
    assert groups.body.total_count == 0
    assert "not base64!" not in error.message


async def test_an_unknown_parameter_is_refused_by_name(eci: EciTarget) -> None:
    # The SDK cannot send a name its model lacks; a hand-made client can.
    params = {
        "RegionId": REGION,
        "ContainerGroupName": "gg",
        "Container": [{"Name": "c", "Image": "busybox", "LivenesProbe": {"PeriodSeconds": "3"}}],
    }
    with pytest.raises(EciError) as caught:
        await eci.simulator.service.call("CreateContainerGroup", params)
    assert caught.value.code == "InvalidParameter"
    assert "Container.1.LivenesProbe: not a parameter of CreateContainerGroup" in str(caught.value)
