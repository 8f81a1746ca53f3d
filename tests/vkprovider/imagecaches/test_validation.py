"""What the CRD schema cannot check: image references, secret names, Secret contents."""

from __future__ import annotations

import base64
import json

import pytest

from vkprovider.imagecaches.errors import InvalidImageCache
from vkprovider.imagecaches.references import validate_reference
from vkprovider.imagecaches.secrets import (
    SecretRef,
    credentials_from_secret,
    parse_secret_ref,
)
from vkprovider.imagecaches.specs import parse_spec
from vkprovider.registrysecrets import RegistryCredential

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    "reference",
    [
        "busybox",
        "busybox:latest",
        "nginx:1.7.9",
        "library/centos:7",
        "registry-vpc.cn-beijing.aliyuncs.com/acs/pause-amd64:3.0",
        "localhost:5000/team/app_name__x",
        f"registry.example.com:443/a/b@{DIGEST}",
        f"alpine:3.20@{DIGEST}",
        "[::1]:5000/app:v1",
    ],
)
def test_valid_references_pass(reference: str) -> None:
    validate_reference(reference, field="spec.images[0]")


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        ("Busybox:latest", "must be lowercase"),
        ("nginx:", "tag ''"),
        ("a//b", "path component '(empty)'"),
        ("nginx@sha256:abc", "digest 'sha256:abc'"),
        (" nginx", "whitespace"),
        ("nginx:bad tag", "tag 'bad tag'"),
        ("-nginx", "path component '-nginx'"),
        ("reg_istry.io/app", "registry 'reg_istry.io'"),
    ],
)
def test_invalid_references_name_field_and_problem(reference: str, says: str) -> None:
    with pytest.raises(InvalidImageCache) as caught:
        validate_reference(reference, field="spec.images[1]")
    assert caught.value.message.startswith(f"spec.images[1]: invalid image reference {reference!r}")
    assert says in caught.value.message
    assert caught.value.field == "spec.images[1]"


def test_secret_reference_parses_namespace_and_name() -> None:
    ref = parse_secret_ref("kube-system:secret3", field="spec.imagePullSecrets[2]")
    assert (ref.namespace, ref.name, str(ref)) == ("kube-system", "secret3", "kube-system/secret3")


@pytest.mark.parametrize("text", ["secret1", "default/secret1", "a:b:c", ":x", "Default:x"])
def test_bad_secret_reference_is_refused(text: str) -> None:
    with pytest.raises(InvalidImageCache) as caught:
        parse_secret_ref(text, field="spec.imagePullSecrets[0]")
    assert caught.value.message.startswith("spec.imagePullSecrets[0]: ")
    assert repr(text) in caught.value.message


def _encoded(document: object) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


REF = SecretRef(namespace="default", name="acr", field="spec.imagePullSecrets[0]")


def test_dockerconfigjson_with_username_password() -> None:
    data = {
        ".dockerconfigjson": _encoded(
            {"auths": {"https://reg.example.com/v1/": {"username": "alice", "password": "s3cret"}}}
        )
    }
    found = credentials_from_secret(REF, secret_type="kubernetes.io/dockerconfigjson", data=data)
    assert found == [
        RegistryCredential(server="reg.example.com", username="alice", password="s3cret")
    ]
    assert "s3cret" not in repr(found)


def test_dockercfg_with_auth_only() -> None:
    auth = base64.b64encode(b"bob:pa:ss").decode()
    data = {".dockercfg": _encoded({"reg.example.com": {"auth": auth, "email": "b@x"}})}
    found = credentials_from_secret(REF, secret_type="kubernetes.io/dockercfg", data=data)
    assert found == [RegistryCredential(server="reg.example.com", username="bob", password="pa:ss")]


@pytest.mark.parametrize(
    ("secret_type", "data", "says"),
    [
        ("Opaque", {"x": "eA=="}, "has type 'Opaque', expected kubernetes.io/dockerconfigjson"),
        ("kubernetes.io/dockerconfigjson", {}, "has no .dockerconfigjson key"),
        ("kubernetes.io/dockerconfigjson", {".dockerconfigjson": "!!"}, "not base64-encoded JSON"),
        (
            "kubernetes.io/dockerconfigjson",
            {".dockerconfigjson": _encoded({"auths": {}})},
            "holds no registries",
        ),
        (
            "kubernetes.io/dockercfg",
            {".dockercfg": _encoded({"r.io": {"email": "x"}})},
            "neither username/password nor auth",
        ),
    ],
)
def test_malformed_secret_is_refused(secret_type: str, data: dict[str, str], says: str) -> None:
    with pytest.raises(InvalidImageCache) as caught:
        credentials_from_secret(REF, secret_type=secret_type, data=data)
    assert caught.value.message.startswith("spec.imagePullSecrets[0]: Secret default/acr ")
    assert says in caught.value.message


def test_seed_full_parameter_spec() -> None:
    spec = parse_spec(
        {
            "images": ["centos:latest", "busybox:latest"],
            "imagePullSecrets": ["default:secret1", "default:secret2", "kube-system:secret3"],
            "imageCacheSize": 25,
            "retentionDays": 7,
        },
        annotations={"k8s.aliyun.com/auto-match-imagecache": "true"},
    )
    assert spec.images == ("centos:latest", "busybox:latest")
    assert [str(ref) for ref in spec.pull_secrets] == [
        "default/secret1",
        "default/secret2",
        "kube-system/secret3",
    ]
    assert (spec.size_gib, spec.retention_days, spec.auto_match) == (25, 7, True)


def test_defaults_and_newer_reuse_annotation() -> None:
    spec = parse_spec(
        {"images": ["nginx"]}, annotations={"k8s.aliyun.com/imc-enable-reuse": "true"}
    )
    assert (spec.size_gib, spec.retention_days, spec.auto_match) == (20, None, True)
    assert parse_spec({"images": ["nginx"]}, annotations={}).auto_match is False


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"images": []}, "spec.images: at least one image is required"),
        ({"images": ["nginx", "nginx"]}, "spec.images[1]: 'nginx' is listed twice"),
        ({"images": ["nginx"], "imageCacheSize": 19}, "spec.imageCacheSize: 19 is not an integer"),
        ({"images": ["nginx"], "retentionDays": 0}, "spec.retentionDays: 0 is not an integer"),
    ],
)
def test_spec_problems_are_named(spec: dict[str, object], says: str) -> None:
    with pytest.raises(InvalidImageCache) as caught:
        parse_spec(spec, annotations={})
    assert caught.value.message.startswith(says)
