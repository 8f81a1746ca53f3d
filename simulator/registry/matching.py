"""Choosing the image cache an instance starts from, the way ECI documents it.

Automatic matching (`AutoMatchImageCache`, and DescribeImageCaches'
`MatchImage`) looks only at Ready, unexpired caches holding at least one
wanted image and ranks them by, in order:

1. match degree: how many of the wanted images the cache holds;
2. matched image size: the total size of those images (bigger first);
3. creation time: newest first (then cache id, so the order is total).

`perfect_match` (`ImageFullMatch`, `imc-perfect-match`) keeps only caches
holding every wanted image; `match_count_request` (`ImageMatchCountRequest`,
`imc-match-count-request`) keeps caches holding at least that many. Images
compare by normalised reference (`nginx` = `docker.io/library/nginx:latest`);
the pause image is never a wanted image, since every cache holds it.

Pure: the caller passes the candidates and the current simulated time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from simulator.errors import InvalidParameter
from simulator.registry.images import PAUSE_IMAGE_REFERENCE
from simulator.registry.references import InvalidImageReference, normalize_reference

__all__ = ["CacheCandidate", "CacheMatch", "best_cache", "rank_caches"]


@dataclass(frozen=True)
class CacheCandidate:
    """A cache as matching sees it."""

    cache_id: str
    image_bytes: Mapping[str, int]
    """Size of each image the cache holds, by reference (normalised here if not already)."""
    created_at: datetime
    ready: bool = True
    """Only Ready caches are used."""
    expires_at: datetime | None = None
    """A cache past its expiry is not used; None: never expires."""


@dataclass(frozen=True)
class CacheMatch:
    """How one cache matches the wanted images."""

    cache_id: str
    matched: tuple[str, ...]
    """Wanted images (as the caller named them) the cache holds, in the caller's order."""
    missing: tuple[str, ...]
    """Wanted images the cache lacks: an instance pulls these."""
    matched_bytes: int
    created_at: datetime

    @property
    def degree(self) -> int:
        return len(self.matched)

    @property
    def perfect(self) -> bool:
        return not self.missing


def _normalised(reference: str) -> str:
    try:
        return normalize_reference(reference)
    except InvalidImageReference:
        return reference


def rank_caches(
    *,
    wanted: Sequence[str],
    candidates: Iterable[CacheCandidate],
    now: datetime,
    perfect_match: bool = False,
    match_count_request: int | None = None,
) -> list[CacheMatch]:
    """Usable caches holding at least one wanted image, best first (see module docstring)."""
    if match_count_request is not None and match_count_request < 1:
        raise InvalidParameter(
            f"ImageMatchCountRequest: {match_count_request} is not valid, expected an integer >= 1"
        )
    wanted_by_name: dict[str, str] = {}
    for reference in wanted:
        name = _normalised(reference)
        if name != PAUSE_IMAGE_REFERENCE:
            wanted_by_name.setdefault(name, reference)
    matches = []
    for candidate in candidates:
        if not candidate.ready:
            continue
        if candidate.expires_at is not None and candidate.expires_at <= now:
            continue
        held = {_normalised(name): size for name, size in candidate.image_bytes.items()}
        matched = [name for name in wanted_by_name if name in held]
        if not matched:
            continue
        missing = [name for name in wanted_by_name if name not in held]
        if perfect_match and missing:
            continue
        if match_count_request is not None and len(matched) < match_count_request:
            continue
        matches.append(
            CacheMatch(
                cache_id=candidate.cache_id,
                matched=tuple(wanted_by_name[name] for name in matched),
                missing=tuple(wanted_by_name[name] for name in missing),
                matched_bytes=sum(held[name] for name in matched),
                created_at=candidate.created_at,
            )
        )
    matches.sort(key=lambda match: match.cache_id)
    matches.sort(
        key=lambda match: (match.degree, match.matched_bytes, match.created_at), reverse=True
    )
    return matches


def best_cache(
    *,
    wanted: Sequence[str],
    candidates: Iterable[CacheCandidate],
    now: datetime,
    perfect_match: bool = False,
    match_count_request: int | None = None,
) -> CacheMatch | None:
    """The cache an automatically matched instance starts from; None: a normal pull."""
    ranked = rank_caches(
        wanted=wanted,
        candidates=candidates,
        now=now,
        perfect_match=perfect_match,
        match_count_request=match_count_request,
    )
    return ranked[0] if ranked else None
