"""Cache matching: degree, then matched size, then newest; perfect match; match count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulator.errors import InvalidParameter
from simulator.registry.images import PAUSE_IMAGE_REFERENCE
from simulator.registry.matching import CacheCandidate, CacheMatch, best_cache, rank_caches

NOW = datetime(2026, 3, 1, tzinfo=UTC)
NGINX = "docker.io/library/nginx:1.7.9"
REDIS = "docker.io/library/redis:8.10.1"
FLINK = "docker.io/library/flink:seed"
SIZES = {NGINX: 83_200_000, REDIS: 110_800_000, FLINK: 772_520_000, PAUSE_IMAGE_REFERENCE: 600_000}


def cache(
    cache_id: str,
    *images: str,
    age_hours: float = 1,
    ready: bool = True,
    expires_at: datetime | None = None,
) -> CacheCandidate:
    return CacheCandidate(
        cache_id=cache_id,
        image_bytes={image: SIZES[image] for image in (PAUSE_IMAGE_REFERENCE, *images)},
        created_at=NOW - timedelta(hours=age_hours),
        ready=ready,
        expires_at=expires_at,
    )


def ids(matches: list[CacheMatch]) -> list[str]:
    return [match.cache_id for match in matches]


def test_more_matched_images_beat_bigger_ones() -> None:
    ranked = rank_caches(
        wanted=["nginx:1.7.9", "redis:8.10.1"],
        candidates=[
            cache("imc-flink", FLINK),
            cache("imc-redis", REDIS),
            cache("imc-both", NGINX, REDIS),
        ],
        now=NOW,
    )
    assert ids(ranked) == ["imc-both", "imc-redis"]
    best = ranked[0]
    assert best.matched == ("nginx:1.7.9", "redis:8.10.1")  # named as the caller named them
    assert best.perfect
    assert best.matched_bytes == 83_200_000 + 110_800_000
    assert ranked[1].missing == ("nginx:1.7.9",)
    assert ranked[1].degree == 1


def test_same_degree_bigger_matched_size_wins() -> None:
    ranked = rank_caches(
        wanted=[NGINX, FLINK],
        candidates=[cache("imc-nginx", NGINX, age_hours=0), cache("imc-flink", FLINK, age_hours=9)],
        now=NOW,
    )
    assert ids(ranked) == ["imc-flink", "imc-nginx"]


def test_same_degree_and_size_newest_wins_then_id() -> None:
    ranked = rank_caches(
        wanted=[NGINX],
        candidates=[
            cache("imc-old", NGINX, age_hours=5),
            cache("imc-b", NGINX, age_hours=1),
            cache("imc-a", NGINX, age_hours=1),
            cache("imc-new", NGINX, age_hours=0.5),
        ],
        now=NOW,
    )
    assert ids(ranked) == ["imc-new", "imc-a", "imc-b", "imc-old"]


def test_only_ready_unexpired_caches_are_used() -> None:
    candidates = [
        cache("imc-building", NGINX, ready=False),
        cache("imc-expired", NGINX, expires_at=NOW),
        cache("imc-expiring", NGINX, expires_at=NOW + timedelta(seconds=1), age_hours=3),
    ]
    assert ids(rank_caches(wanted=[NGINX], candidates=candidates, now=NOW)) == ["imc-expiring"]
    later = NOW + timedelta(seconds=1)
    assert best_cache(wanted=[NGINX], candidates=candidates, now=later) is None


def test_no_match_means_a_normal_pull_and_the_pause_image_never_matches() -> None:
    candidates = [cache("imc-flink", FLINK)]
    assert best_cache(wanted=[NGINX], candidates=candidates, now=NOW) is None
    assert best_cache(wanted=[PAUSE_IMAGE_REFERENCE, NGINX], candidates=candidates, now=NOW) is None


def test_references_compare_normalised() -> None:
    candidates = [CacheCandidate("imc-1", {"nginx:1.7.9": 1}, created_at=NOW)]
    match = best_cache(
        wanted=["docker.io/library/nginx:1.7.9", "nginx:1.7.9"], candidates=candidates, now=NOW
    )
    assert match is not None
    assert match.matched == ("docker.io/library/nginx:1.7.9",)  # duplicates count once
    assert best_cache(wanted=["nginx:latest"], candidates=candidates, now=NOW) is None


def test_perfect_match_needs_every_image() -> None:
    candidates = [cache("imc-nginx", NGINX), cache("imc-both", NGINX, REDIS, age_hours=10)]
    wanted = [NGINX, REDIS]
    assert ids(rank_caches(wanted=wanted, candidates=candidates, now=NOW, perfect_match=True)) == [
        "imc-both"
    ]
    assert (
        best_cache(wanted=[NGINX, FLINK], candidates=candidates, now=NOW, perfect_match=True)
        is None
    )


def test_match_count_request_narrows_the_choice() -> None:
    candidates = [cache("imc-nginx", NGINX), cache("imc-two", NGINX, REDIS)]
    wanted = [NGINX, REDIS, FLINK]
    two = rank_caches(wanted=wanted, candidates=candidates, now=NOW, match_count_request=2)
    assert ids(two) == ["imc-two"]
    assert two[0].missing == (FLINK,)
    assert rank_caches(wanted=wanted, candidates=candidates, now=NOW, match_count_request=3) == []
    with pytest.raises(InvalidParameter, match="ImageMatchCountRequest: 0"):
        rank_caches(wanted=wanted, candidates=candidates, now=NOW, match_count_request=0)
