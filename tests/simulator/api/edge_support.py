"""A stand-in service for edge tests: records what the edge passes it, answers from a script.

The edge's job ends at `service.call(action, params)`; these tests check what
arrives there without depending on the real service's behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from simulator.errors import EciError
from simulator.registry.catalog import Catalog
from simulator.settings import SimulatorSettings


class SteppedClock:
    """A minimal virtual clock (now/advance/advance_to), enough for the admin API."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    def advance_to(self, when: datetime) -> None:
        if when < self._now:
            raise ValueError("cannot move the clock backwards")
        self._now = when


@dataclass
class RecordingService:
    """Answers `answers[action]` (or raises it when it is an EciError) and records each call."""

    answers: dict[str, Any] = field(
        default_factory=lambda: {
            "DescribeRegions": {
                "Regions": [
                    {"RegionId": "cn-hangzhou", "Zones": ["cn-hangzhou-h", "cn-hangzhou-i"]}
                ]
            }
        }
    )
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    nonces: dict[str, datetime] = field(default_factory=dict)
    clock: Any = field(default_factory=lambda: SteppedClock(datetime(2026, 1, 1, tzinfo=UTC)))
    catalog: Catalog = field(default_factory=Catalog.builtin)
    closed: bool = False
    settled: int = 0

    async def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append((action, dict(params)))
        answer = self.answers.get(action, {})
        if isinstance(answer, EciError):
            raise answer
        return dict(answer)

    async def remember_nonce(self, nonce: str, *, expires_at: datetime) -> bool:
        if nonce in self.nonces:
            return False
        self.nonces[nonce] = expires_at
        return True

    async def settle(self) -> None:
        self.settled += 1

    async def close(self) -> None:
        self.closed = True

    async def factory(self, *, settings: SimulatorSettings, logger: Any) -> RecordingService:
        del settings, logger
        return self


@dataclass
class BatchRecordingService(RecordingService):
    """A stand-in that also records nonces in batches (the edge then uses group commit)."""

    nonce_writes: list[list[str]] = field(default_factory=list)

    async def remember_nonces(self, nonces: Sequence[str], *, expires_at: datetime) -> set[str]:
        self.nonce_writes.append(list(nonces))
        fresh = {nonce for nonce in nonces if nonce not in self.nonces}
        for nonce in fresh:
            self.nonces[nonce] = expires_at
        return fresh


def signed_headers(
    *,
    target_endpoint: str,
    access_key_id: str,
    access_key_secret: str,
    action: str,
    query: dict[str, str],
    payload: bytes = b"",
    content_type: str | None = None,
    version: str = "2018-08-08",
) -> dict[str, str]:
    """Headers of a request signed the way the SDK signs (its own helper computes the HMAC)."""
    import hashlib
    import secrets
    from types import SimpleNamespace

    from alibabacloud_openapi_util.client import Client as OpenApiUtil

    headers = {
        "host": target_endpoint,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": secrets.token_hex(16),
        "x-acs-content-sha256": hashlib.sha256(payload).hexdigest(),
        "accept": "application/json",
    }
    if content_type is not None:
        headers["content-type"] = content_type
    request = SimpleNamespace(method="POST", pathname="/", query=query, headers=headers)
    headers["Authorization"] = OpenApiUtil.get_authorization(
        request,
        "ACS3-HMAC-SHA256",
        headers["x-acs-content-sha256"],
        access_key_id,
        access_key_secret,
    )
    return headers
