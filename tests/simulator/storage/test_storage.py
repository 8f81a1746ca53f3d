"""Block storage accounting: unpacked size with shared layers once, too-small caches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulator.errors import InvalidParameter
from simulator.registry.catalog import Catalog
from simulator.registry.images import MB, Image, Layer, LayerDigest
from simulator.registry.references import ImageReference
from simulator.storage.capacity import GIB, ImageCacheTooSmall, check_cache_size, storage_report
from simulator.storage.disks import (
    DiskFull,
    disk_from_snapshot,
    new_disk,
    take_snapshot,
    write_layers,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.builtin()


def big_image(name: str, gigabytes: float) -> Image:
    layer = Layer(
        LayerDigest("sha256:" + name.encode().hex().ljust(64, "0")),
        compressed_bytes=round(gigabytes * 1e9 / 2),
        uncompressed_bytes=round(gigabytes * 1e9),
    )
    return Image(reference=ImageReference(f"docker.io/big/{name}:1"), layers=(layer,))


def test_shared_layers_are_stored_once(catalog: Catalog) -> None:
    nginx = catalog.resolve("nginx:1.31.3")
    redis = catalog.resolve("redis:8.10.1")
    report = storage_report([nginx, redis, catalog.resolve("nginx")])  # alias: same image
    assert report.images == 2
    assert report.layer_references == 4
    assert report.layers == 3
    assert report.logical_bytes == (63_100_000 + 55_400_000) * 2
    base = 29_800_000 * 2
    assert report.stored_bytes == report.logical_bytes - base
    assert report.deduplicated_bytes == base
    assert report.compressed_bytes == (29_800_000 + 33_300_000 + 25_600_000)
    assert report.to_json()["deduplicated_bytes"] == base


def test_default_cache_size_holds_the_seed_flink(catalog: Catalog) -> None:
    images = [catalog.pause_image, catalog.resolve("flink:seed")]
    footprint = check_cache_size(images=images, size_gib=None)
    assert footprint.size_gib == 20
    assert footprint.required_bytes == 772_520_000 + 600_000
    assert footprint.required_gib == 1
    assert footprint.free_bytes == 20 * GIB - footprint.required_bytes


def test_too_small_cache_names_needed_and_given_gib() -> None:
    images = [big_image("a", 15.0), big_image("b", 10.0)]  # 25 GB = 23.28 GiB unpacked
    with pytest.raises(ImageCacheTooSmall) as caught:
        check_cache_size(images=images, size_gib=20)
    message = caught.value.message
    assert message.startswith("ImageCacheSize: 20 GiB is too small for these images")
    assert "they need 24 GiB unpacked (23.28 GiB" in message
    assert "compressed 11.64 GiB" in message
    assert message.endswith("ask for at least 24 GiB")
    assert caught.value.code == "InvalidParameter"
    assert check_cache_size(images=images, size_gib=24).free_bytes == 24 * GIB - 25_000_000_000


@pytest.mark.parametrize("size", [19, 0, 32769])
def test_cache_size_range_is_enforced(catalog: Catalog, size: int) -> None:
    with pytest.raises(InvalidParameter, match=f"ImageCacheSize: {size} is not valid"):
        check_cache_size(images=[catalog.pause_image], size_gib=size)


def test_disk_snapshot_round_trip_and_capacity(catalog: Catalog) -> None:
    flink = catalog.resolve("flink:seed")
    disk = write_layers(new_disk(disk_id="d-build", size_gib=20), catalog.pause_image.layers)
    disk = write_layers(disk, flink.layers)
    again = write_layers(disk, flink.layers)  # already there: nothing more used
    assert again.used_bytes == disk.used_bytes == 773_120_000
    created = datetime(2026, 1, 1, tzinfo=UTC)
    snapshot = take_snapshot(disk, snapshot_id="s-1", created_at=created)
    assert snapshot.layers == flink.layer_digests | catalog.pause_image.layer_digests
    assert snapshot.billed_gib_seconds(until=created + timedelta(hours=1)) == 20 * 3600
    restored = disk_from_snapshot(snapshot, disk_id="d-instance")
    assert (restored.layers, restored.used_bytes) == (snapshot.layers, snapshot.used_bytes)
    assert restored.snapshot_id == "s-1"
    with pytest.raises(InvalidParameter, match="smaller than snapshot s-1"):
        disk_from_snapshot(snapshot, disk_id="d-small", size_gib=10)
    small = new_disk(disk_id="d-tiny", size_gib=1)
    with pytest.raises(DiskFull, match=r"disk d-tiny: 1 GiB is too small: the layers need 2 GiB"):
        write_layers(small, [Layer(LayerDigest("sha256:" + "1" * 64), MB, 2 * GIB)])
