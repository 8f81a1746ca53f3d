"""A Pod's volumes as ECI volumes: the files ECI is asked to write, and what it is refused."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from vkprovider.pods.errors import MissingReference
from vkprovider.pods.requests import (
    PodSpecError,
    ReferencedObjects,
    build_create_request,
    referenced_objects,
)
from vkprovider.settings import EciSettings

SETTINGS = EciSettings(endpoint="127.0.0.1:1", region_id="cn-beijing")

OBJECTS = ReferencedObjects(
    config_maps={"app": {"app.conf": "port=80\n", "level": "info"}},
    config_map_files={
        "app": {"app.conf": b"port=80\n", "level": b"info", "logo.png": b"\x89PNG\x00\xff"}
    },
    secrets={"creds": {"password": "s3cr3t"}},
    secret_files={"creds": {"password": b"s3cr3t", "key.der": b"\x30\x82\x00"}},
)


def _pod(volumes: list[dict[str, Any]], mounts: list[dict[str, Any]] | None = None) -> Any:
    return {
        "metadata": {
            "name": "web",
            "namespace": "shop",
            "uid": "uid-1",
            "labels": {"app": "web", "tier": "front"},
            "annotations": {"team": 'a"b'},
        },
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "nginx:1.25",
                    "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
                    "volumeMounts": mounts or [],
                }
            ],
            "volumes": volumes,
        },
    }


def _request(pod: Any, objects: ReferencedObjects = OBJECTS) -> Any:
    return build_create_request(pod, settings=SETTINGS, node_name="n", objects=objects).request


def _files(request: Any, name: str) -> dict[str, tuple[bytes, int | None]]:
    (volume,) = [v for v in request.volume if v.name == name]
    assert volume.type == "ConfigFileVolume"
    return {
        f.path: (base64.b64decode(f.content), f.mode)
        for f in volume.config_file_volume.config_file_to_path
    }


def test_config_map_volume_holds_every_key_as_a_file_base64_on_the_wire() -> None:
    request = _request(_pod([{"name": "conf", "configMap": {"name": "app", "defaultMode": 420}}]))
    assert _files(request, "conf") == {
        "app.conf": (b"port=80\n", None),
        "level": (b"info", None),
        "logo.png": (b"\x89PNG\x00\xff", None),  # binaryData, byte for byte
    }
    (wire,) = request.to_map()["Volume"]
    assert wire["ConfigFileVolume"]["DefaultMode"] == 420
    assert {"Path": "app.conf", "Content": "cG9ydD04MAo="} in wire["ConfigFileVolume"][
        "ConfigFileToPath"
    ]


def test_secret_items_pick_keys_with_their_own_paths_and_modes() -> None:
    volume = {
        "name": "tls",
        "secret": {
            "secretName": "creds",
            "defaultMode": 0o400,
            "items": [{"key": "key.der", "path": "keys/server.der", "mode": 0o600}],
        },
    }
    request = _request(_pod([volume]))
    assert _files(request, "tls") == {"keys/server.der": (b"\x30\x82\x00", 0o600)}
    assert request.volume[0].config_file_volume.default_mode == 0o400


def test_missing_objects_and_keys_fail_unless_optional() -> None:
    missing = _pod([{"name": "conf", "configMap": {"name": "nope"}}])
    with pytest.raises(
        MissingReference, match=r"spec.volumes\[0\].configMap: ConfigMap 'nope' not"
    ) as caught:
        _request(missing)
    assert (caught.value.kind, caught.value.name) == ("ConfigMap", "nope")
    with pytest.raises(PodSpecError, match=r"Secret 'gone' not found"):
        _request(_pod([{"name": "s", "secret": {"secretName": "gone"}}]))
    key = _pod([{"name": "c", "configMap": {"name": "app", "items": [{"key": "x", "path": "x"}]}}])
    with pytest.raises(PodSpecError, match=r"items\[0\].key: ConfigMap 'app' has no key 'x'"):
        _request(key)
    optional = _pod(
        [
            {"name": "a", "configMap": {"name": "nope", "optional": True}},
            {
                "name": "b",
                "secret": {
                    "secretName": "creds",
                    "optional": True,
                    "items": [{"key": "x", "path": "x"}, {"key": "password", "path": "p"}],
                },
            },
        ]
    )
    request = _request(optional)
    assert _files(request, "a") == {}
    assert _files(request, "b") == {"p": (b"s3cr3t", None)}


def test_secret_values_stay_out_of_reprs() -> None:
    assert "s3cr3t" not in repr(OBJECTS)
    assert "port=80" in repr(OBJECTS)  # ConfigMaps are not secret


def test_errors_never_carry_secret_values() -> None:
    pod = _pod(
        [{"name": "s", "secret": {"secretName": "creds", "items": [{"key": "x", "path": "x"}]}}]
    )
    with pytest.raises(PodSpecError) as caught:
        _request(pod)
    assert "s3cr3t" not in str(caught.value)
    assert "'x'" in str(caught.value)


def test_downward_api_files_render_as_a_kubelet_writes_them() -> None:
    volume = {
        "name": "info",
        "downwardAPI": {
            "items": [
                {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
                {"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}},
                {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                {"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}},
                {"path": "tier", "fieldRef": {"fieldPath": "metadata.labels['tier']"}, "mode": 256},
                {
                    "path": "cpu_limit_milli",
                    "resourceFieldRef": {
                        "containerName": "app",
                        "resource": "limits.cpu",
                        "divisor": "1m",
                    },
                },
                {
                    "path": "mem_request",
                    "resourceFieldRef": {
                        "containerName": "app",
                        "resource": "requests.memory",
                        "divisor": "0",  # as the API server stores an unset divisor
                    },
                },
            ]
        },
    }
    request = _request(_pod([volume]))
    assert _files(request, "info") == {
        "name": (b"web", None),
        "ns": (b"shop", None),
        "labels": (b'app="web"\ntier="front"', None),
        "annotations": (b'team="a\\"b"', None),
        "tier": (b"front", 256),
        "cpu_limit_milli": (b"500", None),
        "mem_request": (str(256 * 2**20).encode(), None),  # requests default to limits
    }


def test_downward_api_refuses_fields_a_volume_cannot_hold() -> None:
    volume = {
        "name": "info",
        "downwardAPI": {"items": [{"path": "ip", "fieldRef": {"fieldPath": "status.podIP"}}]},
    }
    with pytest.raises(PodSpecError, match=r"items\[0\].fieldRef.fieldPath: 'status.podIP'"):
        _request(_pod([volume]))


def test_projected_volume_merges_its_sources() -> None:
    volume = {
        "name": "all",
        "projected": {
            "defaultMode": 0o440,
            "sources": [
                {"configMap": {"name": "app", "items": [{"key": "level", "path": "level"}]}},
                {"secret": {"name": "creds", "items": [{"key": "password", "path": "pw"}]}},
                {
                    "downwardAPI": {
                        "items": [{"path": "uid", "fieldRef": {"fieldPath": "metadata.uid"}}]
                    }
                },
            ],
        },
    }
    request = _request(_pod([volume]))
    assert _files(request, "all") == {
        "level": (b"info", None),
        "pw": (b"s3cr3t", None),
        "uid": (b"uid-1", None),
    }
    assert request.volume[0].config_file_volume.default_mode == 0o440


def test_projected_service_account_tokens_are_refused_outside_the_injected_volume() -> None:
    volume = {
        "name": "vault-token",
        "projected": {"sources": [{"serviceAccountToken": {"path": "token", "audience": "vault"}}]},
    }
    with pytest.raises(PodSpecError, match=r"sources\[0\]: serviceAccountToken projections"):
        _request(_pod([volume]))


def test_empty_dir_and_nfs_map_directly() -> None:
    volumes = [
        {"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}},
        {
            "name": "share",
            "nfs": {"server": "nas.example.com", "path": "/exports", "readOnly": True},
        },
    ]
    wire = _request(_pod(volumes)).to_map()["Volume"]
    assert wire == [
        {
            "Name": "cache",
            "Type": "EmptyDirVolume",
            "EmptyDirVolume": {"Medium": "Memory", "SizeLimit": "256Mi"},
        },
        {
            "Name": "share",
            "Type": "NFSVolume",
            "NFSVolume": {"Server": "nas.example.com", "Path": "/exports", "ReadOnly": True},
        },
    ]


@pytest.mark.parametrize(
    ("volume", "complaint"),
    [
        (
            {"name": "logs", "hostPath": {"path": "/var/log"}},
            "'logs' of type hostPath is not supported: an ECI instance has no host",
        ),
        (
            {"name": "data", "persistentVolumeClaim": {"claimName": "pg"}},
            "'data' of type persistentVolumeClaim is not supported: claim 'pg' has no ECI-backed",
        ),
        ({"name": "x", "iscsi": {}}, "'x' of type iscsi is not supported"),
    ],
)
def test_volumes_eci_cannot_hold_are_refused_by_name(
    volume: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(PodSpecError, match=r"spec.volumes\[0\]: volume " + complaint):
        _request(_pod([volume]))


def test_mounts_carry_read_only_sub_path_and_propagation_on_both_kinds_of_container() -> None:
    pod = _pod(
        [{"name": "cache", "emptyDir": {}}],
        [
            {
                "name": "cache",
                "mountPath": "/cache",
                "subPath": "app",
                "readOnly": True,
                "mountPropagation": "HostToContainer",
            }
        ],
    )
    pod["spec"]["initContainers"] = [
        {
            "name": "warm",
            "image": "busybox",
            "volumeMounts": [{"name": "cache", "mountPath": "/w", "subPath": "app"}],
        }
    ]
    wire = _request(pod).to_map()
    assert wire["Container"][0]["VolumeMount"] == [
        {
            "MountPath": "/cache",
            "MountPropagation": "HostToContainer",
            "Name": "cache",
            "ReadOnly": True,
            "SubPath": "app",
        }
    ]
    assert wire["InitContainer"][0]["VolumeMount"] == [
        {"MountPath": "/w", "Name": "cache", "ReadOnly": False, "SubPath": "app"}
    ]


def test_mounts_eci_cannot_express_are_refused() -> None:
    expr = _pod(
        [{"name": "c", "emptyDir": {}}], [{"name": "c", "mountPath": "/c", "subPathExpr": "$(POD)"}]
    )
    with pytest.raises(PodSpecError, match=r"volumeMounts\[0\].subPathExpr"):
        _request(expr)
    unknown = _pod([], [{"name": "ghost", "mountPath": "/g"}])
    with pytest.raises(PodSpecError, match=r"volumeMounts\[0\].name: no volume named 'ghost'"):
        _request(unknown)


def test_the_controller_fetches_what_env_and_volumes_read() -> None:
    pod = _pod(
        [
            {"name": "a", "configMap": {"name": "cm-vol"}},
            {"name": "b", "secret": {"secretName": "s-vol"}},
            {
                "name": "c",
                "projected": {
                    "sources": [{"configMap": {"name": "cm-proj"}}, {"secret": {"name": "s-proj"}}]
                },
            },
            {
                "name": "kube-api-access-abcde",
                "projected": {"sources": [{"configMap": {"name": "kube-root-ca.crt"}}]},
            },
        ]
    )
    pod["spec"]["containers"][0]["envFrom"] = [{"secretRef": {"name": "s-env"}}]
    assert referenced_objects(pod) == ({"cm-vol", "cm-proj"}, {"s-vol", "s-proj", "s-env"})
