"""The open registry: any public reference pulls, from a deterministic synthesized manifest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.registry.catalog import Catalog, ManifestUnknown, RegistryUnauthorized
from simulator.registry.catalogfiles import CatalogFileError
from simulator.registry.images import DEMO_PRIVATE_CREDENTIAL, MB
from simulator.registry.references import normalize_reference
from simulator.registry.synthesis import FAMILIES, family_of

USER_IMAGES = (
    "nginx:1.25",
    "redis:7",
    "ghcr.io/org/app:v1",
    "myrepo/app@sha256:" + "b" * 64,
    "node:20-alpine",
    "ubuntu:24.04",
)


def _manifest(catalog: Catalog, reference: str) -> list[tuple[str, int, int]]:
    image = catalog.resolve(reference)
    return [
        (layer.digest, layer.compressed_bytes, layer.uncompressed_bytes) for layer in image.layers
    ]


@pytest.mark.parametrize("reference", USER_IMAGES)
def test_every_public_reference_pulls_a_synthesized_image(reference: str) -> None:
    image = Catalog.builtin().resolve(reference)
    assert image.synthesized
    assert 3 <= len(image.layers) <= 7
    assert all(layer.uncompressed_bytes == 2 * layer.compressed_bytes for layer in image.layers)
    assert image.image_id == f"{image.repository}@{image.manifest_digest}"


def test_a_digest_reference_keeps_its_digest() -> None:
    image = Catalog.builtin().resolve("myrepo/app@sha256:" + "b" * 64)
    assert image.image_id == "docker.io/myrepo/app@sha256:" + "b" * 64


def test_catalog_images_keep_their_published_sizes() -> None:
    image = Catalog.builtin().resolve("flink:seed")
    assert not image.synthesized
    assert image.compressed_bytes == 386_260_000


def test_same_reference_same_manifest_in_another_process() -> None:
    here = {ref: _manifest(Catalog.builtin(), ref) for ref in USER_IMAGES}
    script = (
        "import json, sys\n"
        "from simulator.registry.catalog import Catalog\n"
        "c = Catalog.builtin()\n"
        "print(json.dumps({r: [[l.digest, l.compressed_bytes, l.uncompressed_bytes]"
        " for l in c.resolve(r).layers] for r in sys.argv[1:]}))\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", script, *USER_IMAGES],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PYTHONHASHSEED": "12345"},
        timeout=60,
    )
    there = {
        ref: [tuple(layer) for layer in layers] for ref, layers in json.loads(done.stdout).items()
    }
    assert there == here
    # Spellings of one reference are one image.
    assert _manifest(Catalog.builtin(), "docker.io/library/redis:7") == here["redis:7"]


def test_families_share_their_base_layer() -> None:
    catalog = Catalog.builtin()
    alpine = {catalog.resolve(r).layers[0] for r in ("redis:7-alpine", "node:20-alpine", "alpine")}
    assert len(alpine) == 1
    (base,) = alpine
    assert base.compressed_bytes == round(FAMILIES["alpine"].base_mb * MB)
    # Debian slim based user images share the base layer of the catalog's nginx and redis.
    slim = {
        catalog.resolve(r).layers[0] for r in ("nginx:1.25", "python:3.12-slim", "redis:8.10.1")
    }
    assert len(slim) == 1
    ubuntu = catalog.resolve("ubuntu:24.04").layers[0]
    assert ubuntu == catalog.resolve("flink:2.3.0").layers[0]
    assert catalog.resolve("nginx:1.25").layers[1] != catalog.resolve("redis:7").layers[1]


def test_strict_registry_knows_only_the_catalog() -> None:
    strict = Catalog.builtin(open_registry=False)
    with pytest.raises(
        ManifestUnknown, match=r'"docker\.io/library/nginx:1\.25": manifest unknown'
    ):
        strict.resolve("nginx:1.25")
    assert strict.resolve("nginx:1.31.3").compressed_bytes == 63_100_000


def test_a_reference_marked_missing_is_manifest_unknown(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"missing": ["nginx:0.0.0-no-such-tag", "busybox:1.37"]}))
    catalog = Catalog.load([path])
    with pytest.raises(ManifestUnknown, match="manifest unknown"):
        catalog.resolve("docker.io/library/nginx:0.0.0-no-such-tag")
    with pytest.raises(ManifestUnknown):
        catalog.resolve("busybox:1.37")  # listed, but marked missing
    # A mark names one reference: the same manifest under busybox:latest still pulls.
    assert catalog.resolve("busybox").compressed_bytes == 2_200_000
    assert not catalog.synthesizes("nginx:0.0.0-no-such-tag")
    catalog.mark_missing("redis:7")
    with pytest.raises(ManifestUnknown):
        catalog.resolve("redis:7")
    with pytest.raises(CatalogFileError, match="missing"):
        Catalog.builtin().add_document({"missing": ["Not A Reference"]})


def test_private_registries_still_need_credentials() -> None:
    catalog = Catalog.builtin()
    unlisted = "registry.cn-hangzhou.aliyuncs.com/vk-eci-demo/other:2"
    assert not catalog.synthesizes(unlisted)
    with pytest.raises(RegistryUnauthorized):
        catalog.resolve(unlisted)
    with pytest.raises(ManifestUnknown):
        catalog.resolve(unlisted, [DEMO_PRIVATE_CREDENTIAL])


@pytest.mark.parametrize(
    ("reference", "family"),
    [
        ("redis:7-alpine", "alpine"),
        ("alpine:3.20", "alpine"),
        ("ubuntu:22.04", "ubuntu"),
        ("eclipse-temurin:21-jammy", "ubuntu"),
        ("gcr.io/distroless/static:nonroot", "distroless"),
        ("python:3.12-slim-bookworm", "debian-slim"),
        ("node:20-bookworm", "debian"),
        ("ghcr.io/org/app:v1", "debian-slim"),
    ],
)
def test_families_follow_the_name_and_tag(reference: str, family: str) -> None:
    assert family_of(normalize_reference(reference)).name == family
