"""The calibrated time model: the seed's 50 s / 5 s, partial matches, bursts, builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.registry.catalog import Catalog
from simulator.registry.images import MB, Image, Layer, LayerDigest
from simulator.registry.references import ImageReference
from simulator.timemodel.model import (
    plan_cache_build,
    plan_container_start,
    plan_image_preparation,
    pull_bandwidth_bytes_per_s,
    restart_backoff_resets,
    restart_backoff_seconds,
    scheduling_seconds,
)
from simulator.timemodel.plans import StepKind
from simulator.timemodel.settings import TimeModelError, TimeModelSettings, load_time_model

MODEL = TimeModelSettings()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.builtin()


def instance_images(catalog: Catalog, *references: str) -> list[Image]:
    return [catalog.pause_image, *(catalog.resolve(reference) for reference in references)]


def snapshot_of(images: list[Image]) -> frozenset[str]:
    return frozenset().union(*(image.layer_digests for image in images))


def test_seed_flink_uncached_preparation_is_50_seconds(catalog: Catalog) -> None:
    plan = plan_image_preparation(model=MODEL, images=instance_images(catalog, "flink:seed"))
    assert plan.total_seconds == pytest.approx(50.0, rel=0.05)
    assert plan.total_seconds == pytest.approx(50.0, abs=0.05)  # aimed, not just inside ±5 %
    assert not plan.from_snapshot
    pause, flink = plan.images
    assert pause.reference == "registry-vpc.cn-beijing.aliyuncs.com/acs/pause-amd64:3.0"
    assert flink.start_seconds == pause.end_seconds
    assert flink.downloaded_bytes == 386_260_000
    assert flink.pulled_layers == 6
    # Transfer dominates: 386.56 MB at 8 MB/s, two resolves of 0.84 s, a short inflate tail.
    assert plan.total_seconds == pytest.approx(2 * 0.84 + 386.56 / 8.0, abs=0.02)


def test_seed_flink_cached_preparation_is_5_seconds_and_flat_in_size(catalog: Catalog) -> None:
    totals = {}
    for reference in ("flink:seed", "nginx:1.7.9", "busybox", "pytorch/pytorch"):
        images = instance_images(catalog, reference)
        plan = plan_image_preparation(
            model=MODEL, images=images, snapshot_layers=snapshot_of(images)
        )
        totals[reference] = plan.total_seconds
        assert plan.from_snapshot
        assert all(pull.already_present for pull in plan.images)
        assert [step.kind for step in plan.steps] == [
            StepKind.DISK_FROM_SNAPSHOT,
            StepKind.ATTACH_DISK,
            StepKind.MOUNT,
        ]
    assert totals["flink:seed"] == pytest.approx(5.0, rel=0.05)
    assert totals["flink:seed"] == pytest.approx(5.0, abs=1e-9)
    assert totals["pytorch/pytorch"] == pytest.approx(totals["nginx:1.7.9"], abs=1e-9)


def test_uncached_grows_with_size_while_cached_does_not(catalog: Catalog) -> None:
    small = plan_image_preparation(model=MODEL, images=instance_images(catalog, "busybox"))
    large = plan_image_preparation(model=MODEL, images=instance_images(catalog, "pytorch/pytorch"))
    assert small.total_seconds < 3.0
    # pytorch: 3859.5 MB at 8 MB/s is about eight minutes.
    assert large.total_seconds == pytest.approx(2 * 0.84 + 3859.8 / 8.0, rel=0.01)


def test_partial_match_pays_only_the_missing_image(catalog: Catalog) -> None:
    cached = instance_images(catalog, "flink:seed")
    wanted = instance_images(catalog, "flink:seed", "nginx:1.7.9")
    plan = plan_image_preparation(model=MODEL, images=wanted, snapshot_layers=snapshot_of(cached))
    alone = plan_image_preparation(model=MODEL, images=instance_images(catalog, "nginx:1.7.9"))
    nginx_alone = alone.image("docker.io/library/nginx:1.7.9")
    nginx = plan.image("docker.io/library/nginx:1.7.9")
    assert plan.image("docker.io/library/flink:seed").already_present
    assert nginx.downloaded_bytes == 41_600_000
    assert nginx.start_seconds == pytest.approx(5.0)
    assert nginx.duration_seconds == pytest.approx(nginx_alone.duration_seconds)
    assert plan.total_seconds == pytest.approx(5.0 + nginx_alone.duration_seconds)


def test_layers_already_present_are_not_downloaded_again(catalog: Catalog) -> None:
    # redis shares its debian-trixie-slim base with nginx:1.31.3 (a cache holding nginx).
    cached = instance_images(catalog, "nginx:1.31.3")
    plan = plan_image_preparation(
        model=MODEL,
        images=instance_images(catalog, "redis:8.10.1"),
        snapshot_layers=snapshot_of(cached),
    )
    redis = plan.image("docker.io/library/redis:8.10.1")
    assert redis.downloaded_bytes == 25_600_000
    assert (redis.pulled_layers, redis.present_layers) == (1, 1)
    # Within one uncached instance too: the second image skips the shared base.
    both = plan_image_preparation(
        model=MODEL, images=instance_images(catalog, "nginx:1.31.3", "redis:8.10.1", "nginx")
    )
    assert both.image("docker.io/library/redis:8.10.1").downloaded_bytes == 25_600_000
    assert len(both.images) == 3  # nginx (an alias of nginx:1.31.3) is pulled once


def test_burst_shares_the_modelled_registry_bandwidth(catalog: Catalog) -> None:
    images = instance_images(catalog, "flink:seed")
    single = plan_image_preparation(model=MODEL, images=images).total_seconds
    for pulls in (1, 10, 25):
        assert pull_bandwidth_bytes_per_s(MODEL, concurrent_pulls=pulls) == 8.0 * MB
        plan = plan_image_preparation(model=MODEL, images=images, concurrent_pulls=pulls)
        assert plan.total_seconds == pytest.approx(single)
    assert pull_bandwidth_bytes_per_s(MODEL, concurrent_pulls=100) == 2.0 * MB
    burst = plan_image_preparation(model=MODEL, images=images, concurrent_pulls=100)
    assert burst.total_seconds == pytest.approx(2 * 0.84 + 386.56 / 2.0, abs=0.05)
    # Cached instances read from their own disks: a burst costs them nothing more.
    cached = plan_image_preparation(
        model=MODEL, images=images, snapshot_layers=snapshot_of(images), concurrent_pulls=100
    )
    assert cached.total_seconds == pytest.approx(5.0)
    with pytest.raises(ValueError, match="concurrent_pulls"):
        pull_bandwidth_bytes_per_s(MODEL, concurrent_pulls=0)


def _image(*sizes_mb: float) -> Image:
    layers = tuple(
        Layer(LayerDigest(f"sha256:{index:064x}"), round(mb * MB), round(2 * mb * MB))
        for index, mb in enumerate(sizes_mb)
    )
    return Image(reference=ImageReference("docker.io/t/x:1"), layers=layers)


def test_layers_download_a_few_at_a_time_sharing_bandwidth() -> None:
    model = TimeModelSettings(
        manifest_resolve_seconds=0.0, inflate_mb_per_s=1e9, disk_write_mb_per_s=1e9
    )
    image = _image(8, 8, 8, 8)
    plan = plan_image_preparation(model=model, images=[image])
    downloads = [step for step in plan.steps if step.kind is StepKind.DOWNLOAD_LAYER]
    # Three at once at 8/3 MB/s each: all end at 3 s; the fourth then has it all: 1 s more.
    spans = [(step.start_seconds, round(step.end_seconds, 9)) for step in downloads]
    assert spans == [(0.0, 3.0), (0.0, 3.0), (0.0, 3.0), (3.0, 4.0)]
    serial = plan_image_preparation(
        model=TimeModelSettings(
            manifest_resolve_seconds=0.0,
            inflate_mb_per_s=1e9,
            disk_write_mb_per_s=1e9,
            concurrent_layer_downloads=1,
        ),
        images=[image],
    )
    assert serial.total_seconds == pytest.approx(plan.total_seconds)  # same bytes, same link


def test_a_layer_costs_about_max_of_download_and_inflate() -> None:
    image = _image(80)
    fast_link = TimeModelSettings(
        manifest_resolve_seconds=0.0,
        pull_bandwidth_mb_per_s=800.0,
        registry_bandwidth_mb_per_s=800.0,
    )
    # Download 0.1 s, inflate 0.8 s (100 MB/s), write 160 MB at 350 MB/s = 0.457 s.
    assert plan_image_preparation(model=fast_link, images=[image]).total_seconds == pytest.approx(
        0.8
    )
    slow_link = TimeModelSettings(manifest_resolve_seconds=0.0, pull_bandwidth_mb_per_s=4.0)
    assert plan_image_preparation(model=slow_link, images=[image]).total_seconds == pytest.approx(
        20.0
    )


def test_container_start_and_lazy_hydration(catalog: Catalog) -> None:
    flink = catalog.resolve("flink:seed")
    plain = plan_container_start(model=MODEL, image=flink, lazily_hydrated=False)
    assert (plain.created_seconds, plain.started_seconds) == (0.5, 1.5)
    lazy = plan_container_start(model=MODEL, image=flink, lazily_hydrated=True)
    # 6.4 % of 772.52 MB read at 350 MB/s.
    assert lazy.started_seconds == pytest.approx(1.5 + 0.064 * 772.52 / 350.0)
    assert [step.kind for step in lazy.steps] == [
        StepKind.CREATE_CONTAINER,
        StepKind.HYDRATE,
        StepKind.START_CONTAINER,
    ]


def test_cache_build_pulls_pause_first_then_snapshots(catalog: Catalog) -> None:
    images = instance_images(catalog, "flink:seed", "busybox")
    plan = plan_cache_build(model=MODEL, images=images)
    assert plan.steps[0].kind is StepKind.TEMPORARY_INSTANCE
    assert plan.steps[0].duration_seconds == 10.0
    assert plan.steps[-1].kind is StepKind.CREATE_SNAPSHOT
    assert [pull.reference for pull in plan.images] == [image.reference for image in images]
    assert plan.images[0].start_seconds == 10.0
    assert plan.written_bytes == 600_000 + 772_520_000 + 4_400_000
    assert plan.steps[-1].duration_seconds == pytest.approx(30.0 + plan.written_bytes / 100e6)
    assert plan.total_seconds == pytest.approx(plan.steps[-1].end_seconds)
    # Progress goes 0 → 100 with the work, and says 100 only when done.
    samples = [plan.progress_percent(t) for t in range(-1, int(plan.total_seconds) + 2)]
    assert samples[0] == 0
    assert samples == sorted(samples)
    assert samples[-1] == 100
    assert plan.progress_percent(plan.total_seconds - 0.001) == 99


def test_cache_build_reusing_layers_is_much_faster(catalog: Catalog) -> None:
    images = instance_images(catalog, "flink:seed")
    fresh = plan_cache_build(model=MODEL, images=images)
    reused = plan_cache_build(model=MODEL, images=images, reusable_layers=snapshot_of(images))
    flink_fresh = fresh.images[1]
    flink_reused = reused.images[1]
    assert flink_reused.reused_layers == 6
    assert flink_reused.downloaded_bytes == 0
    assert flink_reused.duration_seconds * 10 < flink_fresh.duration_seconds
    assert reused.total_seconds < fresh.total_seconds - 40
    assert reused.written_bytes == fresh.written_bytes
    assert StepKind.DOWNLOAD_LAYER not in {step.kind for step in reused.steps}


def test_restart_backoff_doubles_to_five_minutes() -> None:
    delays = [restart_backoff_seconds(model=MODEL, restart_count=n) for n in range(8)]
    assert delays == [10, 20, 40, 80, 160, 300, 300, 300]
    assert restart_backoff_seconds(model=MODEL, restart_count=10_000) == 300
    with pytest.raises(ValueError, match="restart_count"):
        restart_backoff_seconds(model=MODEL, restart_count=-1)


def test_jitter_is_off_by_default_and_reproducible_when_on(catalog: Catalog) -> None:
    images = instance_images(catalog, "flink:seed")
    exact = plan_image_preparation(model=MODEL, images=images, jitter_key="cg-1")
    assert exact == plan_image_preparation(model=MODEL, images=images, jitter_key="cg-2")
    jittery = TimeModelSettings(jitter_fraction=0.2, jitter_seed=7)
    one = plan_image_preparation(model=jittery, images=images, jitter_key="cg-1")
    again = plan_image_preparation(model=jittery, images=images, jitter_key="cg-1")
    other = plan_image_preparation(model=jittery, images=images, jitter_key="cg-2")
    reseeded = plan_image_preparation(
        model=TimeModelSettings(jitter_fraction=0.2, jitter_seed=8),
        images=images,
        jitter_key="cg-1",
    )
    assert one == again
    assert len({one.total_seconds, other.total_seconds, reseeded.total_seconds}) == 3
    for plan in (one, other, reseeded):
        assert 50.0 * 0.8 <= plan.total_seconds <= 50.0 * 1.2 + 0.01


def test_time_model_file_overrides_defaults(tmp_path: Path) -> None:
    assert load_time_model(None) == TimeModelSettings()
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"pull_bandwidth_mb_per_s": 16, "scheduling_seconds": 0}))
    model = load_time_model(path)
    assert model.pull_bandwidth_mb_per_s == 16
    assert model.scheduling_seconds == 0
    assert model.attach_disk_seconds == MODEL.attach_disk_seconds


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"pull_bandwith_mb_per_s": 1}, "unknown time-model field.*pull_bandwith_mb_per_s"),
        ({"pull_bandwidth_mb_per_s": 0}, "pull_bandwidth_mb_per_s: expected a number > 0"),
        ({"scheduling_seconds": -1}, "scheduling_seconds: expected a number >= 0"),
        ({"mount_seconds": "fast"}, "mount_seconds: expected a number, got 'fast'"),
        ({"concurrent_layer_downloads": 2.5}, "concurrent_layer_downloads: expected a whole"),
        ({"jitter_fraction": 1.5}, r"jitter_fraction: expected \[0, 1\)"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_bad_time_model_files_name_the_field(
    tmp_path: Path, document: object, message: str
) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    with pytest.raises(TimeModelError, match=message) as caught:
        load_time_model(path)
    assert str(path) in str(caught.value)


def test_pull_policy_always_resolves_cached_images(catalog: Catalog) -> None:
    images = instance_images(catalog, "flink:seed")
    plan = plan_image_preparation(
        model=MODEL,
        images=images,
        snapshot_layers=snapshot_of(images),
        always_pull=frozenset({"docker.io/library/flink:seed"}),
    )
    flink = plan.image("docker.io/library/flink:seed")
    assert flink.already_present
    assert flink.duration_seconds == pytest.approx(0.84)
    assert plan.total_seconds == pytest.approx(5.84)


def test_scheduling_and_backoff_reset() -> None:
    assert scheduling_seconds(model=MODEL, jitter_key="cg-1") == 3.0
    jittery = TimeModelSettings(jitter_fraction=0.5, jitter_seed=1)
    jittered = scheduling_seconds(model=jittery, jitter_key="cg-1")
    assert jittered == scheduling_seconds(model=jittery, jitter_key="cg-1")
    assert 1.5 <= jittered < 4.5
    assert jittered != 3.0
    assert not restart_backoff_resets(model=MODEL, ran_for_seconds=599)
    assert restart_backoff_resets(model=MODEL, ran_for_seconds=600)


def test_a_layer_listed_twice_in_one_image_is_fetched_once() -> None:
    layer = Layer(LayerDigest("sha256:" + "e" * 64), 8 * MB, 16 * MB)
    image = Image(reference=ImageReference("docker.io/t/twice:1"), layers=(layer, layer))
    plan = plan_image_preparation(model=MODEL, images=[image])
    pull = plan.image("docker.io/t/twice:1")
    assert (pull.downloaded_bytes, pull.pulled_layers) == (8 * MB, 1)
    assert plan.total_seconds == pytest.approx(0.84 + 8 / 8.0)  # resolve + one download


def test_documented_cache_build_times_hold(catalog: Catalog) -> None:
    images = instance_images(catalog, "flink:seed")
    fresh = plan_cache_build(model=MODEL, images=images)
    reused = plan_cache_build(model=MODEL, images=images, reusable_layers=snapshot_of(images))
    assert round(fresh.total_seconds) == 98
    assert round(reused.total_seconds) == 51
