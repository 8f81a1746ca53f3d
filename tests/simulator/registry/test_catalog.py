"""The emulated registry: Docker reference rules, shared layers, private repositories."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from simulator.registry.catalog import Catalog, ManifestUnknown, RegistryUnauthorized
from simulator.registry.catalogfiles import CatalogFileError
from simulator.registry.images import (
    DEMO_PRIVATE_CREDENTIAL,
    DEMO_PRIVATE_IMAGE,
    PAUSE_IMAGE_REFERENCE,
    RegistryCredential,
)
from simulator.registry.references import (
    InvalidImageReference,
    normalize_reference,
    normalize_server,
    registry_host,
    repository_of,
)

DIGEST = "sha256:" + "a" * 64


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.builtin()


@pytest.fixture(scope="module")
def strict_catalog() -> Catalog:
    """`--registry strict`: only listed images exist (the open default synthesizes others)."""
    return Catalog.builtin(open_registry=False)


@pytest.mark.parametrize(
    ("reference", "normalised"),
    [
        ("nginx", "docker.io/library/nginx:latest"),
        ("nginx:1.7.9", "docker.io/library/nginx:1.7.9"),
        ("library/nginx", "docker.io/library/nginx:latest"),
        ("docker.io/nginx", "docker.io/library/nginx:latest"),
        ("index.docker.io/library/nginx:1.7.9", "docker.io/library/nginx:1.7.9"),
        ("pytorch/pytorch", "docker.io/pytorch/pytorch:latest"),
        ("localhost/app", "localhost/app:latest"),
        ("localhost:5000/team/app:v2", "localhost:5000/team/app:v2"),
        ("registry.example.com:8443/a/b/c", "registry.example.com:8443/a/b/c:latest"),
        (
            "registry-vpc.cn-beijing.aliyuncs.com/acs/pause-amd64:3.0",
            "registry-vpc.cn-beijing.aliyuncs.com/acs/pause-amd64:3.0",
        ),
        (f"nginx@{DIGEST}", f"docker.io/library/nginx@{DIGEST}"),
        (f"nginx:1.7.9@{DIGEST}", f"docker.io/library/nginx:1.7.9@{DIGEST}"),
        ("my_org/my-app__x:1.0-rc.1_b", "docker.io/my_org/my-app__x:1.0-rc.1_b"),
    ],
)
def test_references_normalise_the_docker_way(reference: str, normalised: str) -> None:
    assert normalize_reference(reference) == normalised


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("", "empty"),
        ("Nginx", "must be lowercase"),
        ("nginx:", "tag"),
        ("nginx:bad/tag", "not valid"),
        ("nginx@sha256:abc", "not a digest"),
        ("nginx@md5:" + "a" * 32, "not a digest"),
        ("ngi nx", "whitespace"),
        ("-nginx", "not valid"),
        ("registry..example.com/app", "not valid"),
        ("docker.io/", "not valid"),
        ("nginx:" + "x" * 129, "tag"),
        ("a/" + "b" * 260, "longer than 255"),
    ],
)
def test_invalid_references_are_rejected_naming_them(reference: str, why: str) -> None:
    with pytest.raises(InvalidImageReference) as caught:
        normalize_reference(reference)
    assert f'"{reference}"' in caught.value.message
    assert why in caught.value.message
    assert caught.value.code == "InvalidParameter"
    assert caught.value.http_status == 400


def test_host_repository_and_server_helpers() -> None:
    assert registry_host("nginx") == "docker.io"
    assert registry_host("localhost:5000/a") == "localhost:5000"
    assert repository_of("nginx:1.7.9") == "docker.io/library/nginx"
    assert repository_of(f"localhost:5000/a@{DIGEST}") == "localhost:5000/a"
    assert normalize_server("https://index.docker.io/v1/") == "docker.io"
    assert normalize_server("Registry.CN-Hangzhou.aliyuncs.com/") == (
        "registry.cn-hangzhou.aliyuncs.com"
    )


def test_seed_flink_has_the_documented_size(catalog: Catalog) -> None:
    flink = catalog.resolve("flink:seed")
    assert flink.reference == "docker.io/library/flink:seed"
    assert flink.compressed_bytes == 386_260_000
    assert flink.uncompressed_bytes == 2 * 386_260_000
    assert len(flink.layers) == 6


def test_shared_base_layer_has_one_deterministic_digest(catalog: Catalog) -> None:
    nginx = catalog.resolve("nginx:1.31.3")
    redis = catalog.resolve("redis:8.10.1")
    private = catalog.resolve(DEMO_PRIVATE_IMAGE, [DEMO_PRIVATE_CREDENTIAL])
    expected = "sha256:" + hashlib.sha256(b"vk-eci base layer debian-trixie-slim").hexdigest()
    assert nginx.layers[0].digest == redis.layers[0].digest == private.layers[0].digest == expected
    assert nginx.layers[1].digest != redis.layers[1].digest
    # Another process builds the same digests.
    assert Catalog.builtin().resolve("nginx:1.31.3") == nginx


def test_aliases_and_digests_resolve_to_the_same_image(strict_catalog: Catalog) -> None:
    catalog = strict_catalog
    latest = catalog.resolve("nginx")
    pinned = catalog.resolve("docker.io/library/nginx:1.31.3")
    assert latest is pinned
    by_digest = catalog.resolve(f"nginx@{pinned.manifest_digest}")
    assert by_digest is pinned
    assert f"nginx@{pinned.manifest_digest}" in catalog
    assert f"nginx@{DIGEST}" not in catalog
    with pytest.raises(ManifestUnknown, match="manifest unknown"):
        catalog.resolve(f"redis@{pinned.manifest_digest}")  # right digest, wrong repository


def test_unknown_image_is_manifest_unknown(strict_catalog: Catalog) -> None:
    catalog = strict_catalog
    with pytest.raises(ManifestUnknown) as caught:
        catalog.resolve("nginx:0.0.0-nope")
    assert caught.value.message == (
        'failed to resolve reference "docker.io/library/nginx:0.0.0-nope": manifest unknown'
    )
    assert caught.value.http_status == 404


def test_private_repository_needs_the_right_credential(catalog: Catalog) -> None:
    with pytest.raises(RegistryUnauthorized, match="authentication required"):
        catalog.resolve(DEMO_PRIVATE_IMAGE)
    wrong = RegistryCredential(
        server=DEMO_PRIVATE_CREDENTIAL.server, username="vk-eci-demo", password="guess"
    )
    with pytest.raises(RegistryUnauthorized, match="incorrect username or password"):
        catalog.resolve(DEMO_PRIVATE_IMAGE, [wrong])
    other_server = RegistryCredential(
        server="registry.cn-beijing.aliyuncs.com",
        username=DEMO_PRIVATE_CREDENTIAL.username,
        password=DEMO_PRIVATE_CREDENTIAL.password,
    )
    with pytest.raises(RegistryUnauthorized, match="authentication required"):
        catalog.resolve(DEMO_PRIVATE_IMAGE, [other_server])
    with_scheme = RegistryCredential(
        server="https://registry.cn-hangzhou.aliyuncs.com/",
        username=DEMO_PRIVATE_CREDENTIAL.username,
        password=DEMO_PRIVATE_CREDENTIAL.password,
    )
    image = catalog.resolve(DEMO_PRIVATE_IMAGE, [wrong, with_scheme])
    assert image.reference == DEMO_PRIVATE_IMAGE
    assert image.private_server == "registry.cn-hangzhou.aliyuncs.com"
    assert "vk-eci-demo-password" not in repr(DEMO_PRIVATE_CREDENTIAL)


def test_private_registry_hides_unknown_images_behind_authentication(catalog: Catalog) -> None:
    unknown = "registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/nope:1"
    with pytest.raises(RegistryUnauthorized):
        catalog.resolve(unknown)
    with pytest.raises(ManifestUnknown):
        catalog.resolve(unknown, [DEMO_PRIVATE_CREDENTIAL])


def test_public_images_ignore_credentials(catalog: Catalog) -> None:
    assert catalog.resolve("busybox", [DEMO_PRIVATE_CREDENTIAL]).compressed_bytes == 2_200_000


def test_pause_image_is_built_in(catalog: Catalog) -> None:
    assert catalog.pause_image.reference == PAUSE_IMAGE_REFERENCE
    assert catalog.pause_image.compressed_bytes == 300_000
    assert PAUSE_IMAGE_REFERENCE in catalog
    assert "nginx:1.7.9" in catalog
    assert "Nginx" not in catalog


def test_pytorch_uses_the_given_uncompressed_sizes(catalog: Catalog) -> None:
    pytorch = catalog.resolve("pytorch/pytorch")
    assert [layer.uncompressed_bytes for layer in pytorch.layers] == [
        77_900_000,
        7_516_000_000,
        410_000_000,
    ]


def test_user_catalog_file_adds_images_and_registries(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        json.dumps(
            {
                "registries": [{"server": "reg.local:5000", "username": "u", "password": "p"}],
                "images": [
                    {
                        "ref": "reg.local:5000/team/app:1",
                        "private": True,
                        "layers_mb": [{"base": "debian-trixie-slim", "mb": 29.8}, 5],
                    },
                    {"ref": "example/tool", "layers_mb": [{"mb": 1, "uncompressed_mb": 3}]},
                ],
            }
        )
    )
    catalog = Catalog.load([path])
    app = catalog.resolve(
        "reg.local:5000/team/app:1", [RegistryCredential("reg.local:5000", "u", "p")]
    )
    assert app.layers[0] == catalog.resolve("nginx:1.31.3").layers[0]
    assert catalog.resolve("example/tool").uncompressed_bytes == 3_000_000
    assert "flink:seed" in catalog  # the built-in images stay
    assert "flink:seed" not in Catalog.load([path], include_builtin=False)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"nope": []}, '"images" list'),
        ({"images": [{"layers_mb": [1]}]}, 'needs "ref"'),
        ({"images": [{"ref": "Bad", "layers_mb": [1]}]}, "must be lowercase"),
        ({"images": [{"ref": "a", "layers_mb": []}]}, "non-empty list"),
        ({"images": [{"ref": "a", "layers_mb": ["big"]}]}, "expected a size in MB"),
        ({"images": [{"ref": "a", "layers_mb": [1], "private": True}]}, "has no account"),
        ({"images": [], "registries": {"server": "reg.local"}}, '"registries" must be a list'),
        (
            {"images": [], "registries": [{"server": "reg.local", "username": "u"}]},
            r"registries\[0\] needs server, username and password strings",
        ),
        (
            {"images": [{"ref": "a", "layers_mb": [{"base": "debian-trixie-slim", "mb": 1}]}]},
            "already known with other sizes",
        ),
    ],
)
def test_bad_catalog_files_name_the_file_and_entry(
    tmp_path: Path, document: object, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CatalogFileError, match=message) as caught:
        Catalog.load([path])
    assert str(path) in str(caught.value)


def test_unreadable_catalog_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogFileError, match="cannot read"):
        Catalog.load([tmp_path / "missing.json"])


def test_a_bad_document_adds_nothing() -> None:
    catalog = Catalog.builtin()
    before = catalog.images()
    document = {
        "registries": [{"server": "reg.local", "username": "u", "password": "p"}],
        "images": [
            {"ref": "example/good:1", "layers_mb": [1]},
            {"ref": "example/bad:1", "layers_mb": [{"base": "debian-trixie-slim", "mb": 2}]},
        ],
    }
    with pytest.raises(CatalogFileError, match=r"POST: images\[1\]: layer .* already known"):
        catalog.add_document(document, source="POST")
    assert catalog.images() == before
    assert "example/good:1" not in catalog
    assert not catalog.is_private_registry("reg.local")
