"""Pod spec -> CreateContainerGroup request: what ECI is asked for, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from vkprovider.pods.requests import (
    PodSpecError,
    ReferencedObjects,
    RegistryCredential,
    build_create_request,
    referenced_objects,
    round_to_spec,
)
from vkprovider.settings import EciSettings

SETTINGS = EciSettings(endpoint="127.0.0.1:1", region_id="cn-beijing", zone_id="cn-beijing-a")


def _pod(**spec: Any) -> dict[str, Any]:
    annotations = spec.pop("annotations", {})
    base: dict[str, Any] = {
        "containers": [
            {
                "name": "app",
                "image": "nginx:1.7.9",
                "command": ["nginx"],
                "args": ["-g", "daemon off;"],
                "env": [{"name": "MODE", "value": "prod"}],
                "ports": [{"containerPort": 80}],
                "resources": {
                    "requests": {"cpu": "250m", "memory": "256Mi"},
                    "limits": {"cpu": "1"},
                },
            }
        ],
        "restartPolicy": "OnFailure",
        "nodeName": "virtual-kubelet",
    }
    base.update(spec)
    return {
        "metadata": {
            "name": "web",
            "namespace": "shop",
            "uid": "uid-123",
            "annotations": annotations,
            "labels": {"app": "web"},
        },
        "spec": base,
    }


def test_basic_mapping() -> None:
    plan = build_create_request(_pod(), settings=SETTINGS, node_name="virtual-kubelet")
    request = plan.request
    assert request.client_token == "uid-123"
    assert request.region_id == "cn-beijing"
    assert request.zone_id == "cn-beijing-a"
    assert request.container_group_name == "shop-web"
    assert request.restart_policy == "OnFailure"
    (container,) = request.container
    assert container.image == "nginx:1.7.9"
    assert container.command == ["nginx"]
    assert container.arg == ["-g", "daemon off;"]
    assert [(e.key, e.value) for e in container.environment_var] == [("MODE", "prod")]
    assert [(p.port, p.protocol) for p in container.port] == [(80, "TCP")]
    assert container.cpu == 1.0
    assert container.memory == 0.25
    # 1 vCPU / 0.25 GiB asked: ECI sells 1 vCPU with 2, 4 or 8 GiB, so 1.0-2.0Gi.
    assert (request.cpu, request.memory) == (1.0, 2.0)
    tags = {t.key: t.value for t in request.tag}
    assert tags == {
        "vk-eci.io/namespace": "shop",
        "vk-eci.io/pod-name": "web",
        "vk-eci.io/pod-uid": "uid-123",
        "vk-eci.io/node": "virtual-kubelet",
    }
    assert request.image_snapshot_id is None
    # No cache annotation: automatic matching, ECI's documented default for eci-auto-imc.
    assert request.auto_match_image_cache is True


def test_pod_without_resources_gets_ecis_default_spec() -> None:
    pod = _pod(containers=[{"name": "a", "image": "busybox"}])
    request = build_create_request(pod, settings=SETTINGS, node_name="n").request
    assert (request.cpu, request.memory) == (2.0, 4.0)


def test_rounding_to_eci_specs() -> None:
    """Up to the smallest spec ECI sells (its table has no 0.5-0.5Gi or 4-5.5Gi)."""
    assert round_to_spec(0.3, 0.1) == (0.5, 1.0)
    assert round_to_spec(3.0, 5.2) == (4.0, 8.0)
    assert round_to_spec(8.0, 1.0) == (8.0, 4.0)


@pytest.mark.parametrize(
    ("annotations", "explicit", "auto", "extra"),
    [
        ({"k8s.aliyun.com/eci-image-snapshot-id": "imc-a"}, "imc-a", None, {}),
        ({"k8s.aliyun.com/eci-imc-id": "imc-b"}, "imc-b", None, {}),
        ({"k8s.aliyun.com/eci-image-cache": "true"}, None, True, {}),
        (
            {
                "k8s.aliyun.com/eci-auto-imc": "true",
                "k8s.aliyun.com/imc-perfect-match": "true",
                "k8s.aliyun.com/imc-match-count-request": "2",
            },
            None,
            True,
            {"ImageFullMatch": "true", "ImageMatchCountRequest": "2"},
        ),
        (
            {"k8s.aliyun.com/eci-auto-imc": "true", "k8s.aliyun.com/eci-imc-id": "imc-c"},
            "imc-c",
            None,
            {},
        ),
        ({"k8s.aliyun.com/eci-image-cache": "false"}, None, None, {}),
        ({}, None, True, {}),
        ({"k8s.aliyun.com/eci-auto-imc": "false"}, None, None, {}),
        ({"k8s.aliyun.com/eci-auto-imc": ""}, None, True, {}),
        (
            {"k8s.aliyun.com/eci-auto-imc": "true", "k8s.aliyun.com/eci-image-cache": "False"},
            None,
            None,
            {},
        ),
    ],
)
def test_cache_annotations(
    annotations: dict[str, str], explicit: str | None, auto: bool | None, extra: dict[str, str]
) -> None:
    plan = build_create_request(_pod(annotations=annotations), settings=SETTINGS, node_name="n")
    assert plan.request.image_snapshot_id == explicit
    assert plan.request.auto_match_image_cache == auto
    assert plan.extra_query == extra


def test_bad_match_count_names_the_annotation() -> None:
    pod = _pod(
        annotations={
            "k8s.aliyun.com/eci-auto-imc": "true",
            "k8s.aliyun.com/imc-match-count-request": "lots",
        }
    )
    with pytest.raises(PodSpecError, match=r"imc-match-count-request.*'lots'"):
        build_create_request(pod, settings=SETTINGS, node_name="n")


def test_env_from_config_maps_secrets_and_fields() -> None:
    container = {
        "name": "app",
        "image": "busybox",
        "envFrom": [{"configMapRef": {"name": "base"}, "prefix": "CFG_"}],
        "env": [
            {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "base", "key": "level"}}},
            {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
            {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
            {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        ],
    }
    pod = _pod(containers=[container])
    assert referenced_objects(pod) == ({"base"}, {"creds"})
    objects = ReferencedObjects(
        config_maps={"base": {"level": "debug"}}, secrets={"creds": {"token": "s3cret"}}
    )
    request = build_create_request(pod, settings=SETTINGS, node_name="n", objects=objects).request
    env = {
        e.key: (e.value, e.field_ref.field_path if e.field_ref else None)
        for e in request.container[0].environment_var
    }
    assert env == {
        "CFG_level": ("debug", None),
        "LEVEL": ("debug", None),
        "TOKEN": ("s3cret", None),
        "POD": ("web", None),
        "APP": ("web", None),
        "IP": (None, "status.podIP"),
    }


def test_unsupported_env_source_names_the_field() -> None:
    container = {
        "name": "app",
        "image": "busybox",
        "env": [{"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}],
    }
    with pytest.raises(PodSpecError) as info:
        build_create_request(_pod(containers=[container]), settings=SETTINGS, node_name="n")
    assert info.value.field_path == "spec.containers[0].env[0].valueFrom"
    assert "resourceFieldRef" in str(info.value)


def test_missing_config_map_key_fails_unless_optional() -> None:
    ref = {"name": "base", "key": "nope"}
    container = {
        "name": "a",
        "image": "b",
        "env": [{"name": "X", "valueFrom": {"configMapKeyRef": ref}}],
    }
    with pytest.raises(PodSpecError, match="'nope'"):
        build_create_request(_pod(containers=[container]), settings=SETTINGS, node_name="n")
    ref["optional"] = True  # type: ignore[assignment]
    request = build_create_request(
        _pod(containers=[container]), settings=SETTINGS, node_name="n"
    ).request
    assert request.container[0].environment_var is None


def test_volumes_init_containers_and_pull_credentials() -> None:
    pod = _pod(
        volumes=[
            {"name": "scratch", "emptyDir": {}},
            {"name": "kube-api-access-x1", "projected": {"sources": []}},
        ],
        initContainers=[{"name": "setup", "image": "busybox", "command": ["true"]}],
    )
    pod["spec"]["containers"][0]["volumeMounts"] = [
        {"name": "scratch", "mountPath": "/tmp"},
        {"name": "kube-api-access-x1", "mountPath": "/var/run/secrets"},
    ]
    credentials = [RegistryCredential(server="registry.example.com", username="u", password="p")]
    request = build_create_request(
        pod, settings=SETTINGS, node_name="n", credentials=credentials
    ).request
    assert [(v.name, v.type) for v in request.volume] == [("scratch", "EmptyDirVolume")]
    assert [m.mount_path for m in request.container[0].volume_mount] == ["/tmp"]
    assert [c.name for c in request.init_container] == ["setup"]
    (credential,) = request.image_registry_credential
    assert (credential.server, credential.user_name, credential.password) == (
        "registry.example.com",
        "u",
        "p",
    )


def test_unsupported_volume_fails_with_a_clear_message() -> None:
    pod = _pod(volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "pvc"}}])
    with pytest.raises(PodSpecError, match=r"spec.volumes\[0\].*persistentVolumeClaim"):
        build_create_request(pod, settings=SETTINGS, node_name="n")


def test_long_pod_names_fit_ecis_tag_limit() -> None:
    pod = _pod()
    pod["metadata"]["name"] = "x" * 200
    request = build_create_request(pod, settings=SETTINGS, node_name="n").request
    tags = {t.key: t.value for t in request.tag}
    assert len(tags["vk-eci.io/pod-name"]) == 128
    assert tags["vk-eci.io/pod-uid"] == "uid-123"
    assert len(request.container_group_name) <= 128


def test_probes_are_passed_to_eci() -> None:
    container = {
        "name": "app",
        "image": "nginx",
        "ports": [{"name": "http", "containerPort": 8080}],
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": "http"},
            "initialDelaySeconds": 5,
            "periodSeconds": 2,
        },
        "livenessProbe": {"tcpSocket": {"port": 8080}, "failureThreshold": 4},
    }
    (mapped,) = build_create_request(
        _pod(containers=[container]), settings=SETTINGS, node_name="n"
    ).request.container
    assert mapped.readiness_probe.http_get.path == "/ready"
    assert mapped.readiness_probe.http_get.port == 8080
    assert mapped.readiness_probe.initial_delay_seconds == 5
    assert mapped.readiness_probe.period_seconds == 2
    assert mapped.liveness_probe.tcp_socket.port == 8080
    assert mapped.liveness_probe.failure_threshold == 4


def test_unknown_named_probe_port_names_the_field() -> None:
    container = {
        "name": "app",
        "image": "nginx",
        "readinessProbe": {"httpGet": {"path": "/", "port": "metrics"}},
    }
    with pytest.raises(PodSpecError) as info:
        build_create_request(_pod(containers=[container]), settings=SETTINGS, node_name="n")
    assert info.value.field_path == "spec.containers[0].readinessProbe.httpGet.port"
