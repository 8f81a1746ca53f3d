"""Ranking image caches against the images an instance (or a query) wants.

Among usable caches (Ready, unexpired), rank by match degree (how many of the
wanted images the cache holds), then by matched image size, then by creation
time, newest first. `full_match` keeps only caches holding every wanted
image; `match_count` keeps caches holding at least that many. Images are
compared by normalised reference (`nginx` = `docker.io/library/nginx:latest`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from simulator.catalog import InvalidImageReference, normalize_reference
from simulator.engine.cacheplan import CacheContent


@dataclass(frozen=True)
class Candidate:
    cache_id: str
    created_at: datetime
    content: CacheContent


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    matched: tuple[str, ...]
    """Wanted images (as given) the cache holds."""
    missing: tuple[str, ...]
    matched_bytes: int


def _normalised(reference: str) -> str:
    try:
        return normalize_reference(reference)
    except InvalidImageReference:
        return reference


def rank(
    candidates: Sequence[Candidate],
    *,
    wanted: Sequence[str],
    full_match: bool = False,
    match_count: int | None = None,
) -> list[Ranked]:
    """Usable caches holding at least one wanted image, best first."""
    results = []
    for candidate in candidates:
        held = set(candidate.content.images)
        matched = tuple(w for w in wanted if _normalised(w) in held)
        if not matched:
            continue
        missing = tuple(w for w in wanted if w not in matched)
        if full_match and missing:
            continue
        if match_count is not None and len(matched) < match_count:
            continue
        size = sum(candidate.content.image_bytes.get(_normalised(w), 0) for w in matched)
        results.append(Ranked(candidate, matched, missing, size))
    results.sort(
        key=lambda r: (len(r.matched), r.matched_bytes, r.candidate.created_at), reverse=True
    )
    return results
