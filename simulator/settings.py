"""Settings of one simulator process, one dataclass per concern.

Values come from `vk-eci simulator` flags, the environment or a file; nothing
here reads them. Secrets never appear in `repr`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any


class ClockMode(enum.Enum):
    """How simulated time relates to real time."""

    REAL = "real"
    """Simulated time is wall-clock time (with `time_scale` 1)."""
    SCALED = "scaled"
    """Simulated time runs `1 / time_scale` times faster than wall-clock time."""
    VIRTUAL = "virtual"
    """Simulated time moves only when told to (tests, the admin clock endpoint)."""


@dataclass(frozen=True)
class Credential:
    """One AccessKey pair the simulator accepts."""

    access_key_id: str
    access_key_secret: str = field(repr=False)


@dataclass(frozen=True)
class ListenSettings:
    """Where the ECI API listens."""

    host: str = "127.0.0.1"
    """Bind address; loopback by default."""
    port: int = 0
    """TCP port; 0 picks a free one."""


@dataclass(frozen=True)
class ClockSettings:
    """The one clock every simulated duration is measured on."""

    mode: ClockMode = ClockMode.REAL
    time_scale: float = 1.0
    """Real seconds per simulated second in SCALED mode: 0.1 runs ten times faster."""


@dataclass(frozen=True)
class SecuritySettings:
    """Request signing and the admin endpoints."""

    credentials: tuple[Credential, ...] = ()
    """Accepted AccessKey pairs; empty means every signed call is refused."""
    admin_token: str | None = field(default=None, repr=False)
    """Bearer token for `/_sim/...`; None disables the admin endpoints."""
    max_clock_skew_seconds: int = 900
    """How far `x-acs-date` may be from the simulator's real clock (15 minutes)."""
    nonce_ttl_seconds: int = 1800
    """How long a signature nonce is remembered to refuse replays."""


@dataclass(frozen=True)
class ThrottleSettings:
    """A request-rate limit per AccessKey and operation, as ECI's gateway enforces (off by default).

    A caller over the rate is answered `Throttling.User`. Each process keeps its
    own buckets: with several simulator processes the limit holds per process.
    """

    calls_per_second: float = 0.0
    """Sustained calls per second allowed per AccessKey and operation; 0 turns throttling off."""
    burst: int = 0
    """Calls allowed at once before the rate applies; 0 means one second's worth (at least 1)."""
    per_action: tuple[tuple[str, float], ...] = ()
    """Rates for named operations, overriding `calls_per_second` (0 exempts one)."""

    @property
    def enabled(self) -> bool:
        return self.calls_per_second > 0 or any(rate > 0 for _, rate in self.per_action)


@dataclass(frozen=True)
class ServedRegion:
    """One region the simulator answers in, as DescribeRegions lists it."""

    region_id: str
    zones: tuple[str, ...]
    endpoint: str = ""
    """The region's ECI endpoint; empty means ECI's pattern, `eci.<region>.aliyuncs.com`."""

    @property
    def region_endpoint(self) -> str:
        return self.endpoint or f"eci.{self.region_id}.aliyuncs.com"


def _zones(region_id: str, letters: str) -> tuple[str, ...]:
    return tuple(f"{region_id}-{letter}" for letter in letters)


PUBLIC_REGIONS: tuple[ServedRegion, ...] = tuple(
    ServedRegion(region_id=region_id, zones=_zones(region_id, letters))
    for region_id, letters in (
        ("cn-qingdao", "bc"),
        ("cn-beijing", "ghijkl"),
        ("cn-zhangjiakou", "abc"),
        ("cn-huhehaote", "ab"),
        ("cn-wulanchabu", "abc"),
        ("cn-hangzhou", "hijk"),
        ("cn-shanghai", "befglmn"),
        ("cn-shenzhen", "def"),
        ("cn-heyuan", "ab"),
        ("cn-guangzhou", "ab"),
        ("cn-chengdu", "ab"),
        ("cn-hongkong", "bcd"),
        ("ap-northeast-1", "abc"),
        ("ap-northeast-2", "a"),
        ("ap-southeast-1", "abc"),
        ("ap-southeast-3", "ab"),
        ("ap-southeast-5", "abc"),
        ("ap-southeast-6", "a"),
        ("ap-southeast-7", "a"),
        ("us-east-1", "ab"),
        ("us-west-1", "ab"),
        ("eu-central-1", "ab"),
        ("eu-west-1", "ab"),
        ("me-east-1", "a"),
        ("me-central-1", "a"),
    )
)
"""The regions ECI is publicly offered in (the region ids ECI's DescribeRegions answers
with; each zone list is a subset of the region's zones) at ECI's endpoint pattern."""


@dataclass(frozen=True)
class RegionSettings:
    """The regions this simulator serves: a home region, and others (ECI's public list).

    Data is partitioned by region: a call is answered from its `RegionId`'s
    groups and caches only, and a `RegionId` outside `served()` is refused by
    every operation. The home region names the endpoint (`HostId`) and is
    listed first.
    """

    region_id: str = "cn-hangzhou"
    """The home region."""
    zones: tuple[str, ...] = ("cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j")
    """Zones of the home region (the first is where a group without `ZoneId` lands)."""
    others: tuple[ServedRegion, ...] = PUBLIC_REGIONS
    """Further regions served; an entry with the home region's id is replaced by the home."""

    def served(self) -> tuple[ServedRegion, ...]:
        return tuple(self._by_id.values())

    def find(self, region_id: str) -> ServedRegion | None:
        return self._by_id.get(region_id)

    @cached_property
    def _by_id(self) -> dict[str, ServedRegion]:
        home = ServedRegion(region_id=self.region_id, zones=self.zones)
        served = {home.region_id: home}
        for region in self.others:
            served.setdefault(region.region_id, region)
        return served


class RegistryMode(enum.Enum):
    """Which image references the emulated registry serves."""

    OPEN = "open"
    """Catalog images, and any other public reference from a synthesized manifest."""
    STRICT = "strict"
    """Only the catalog's images; anything else is `manifest unknown`."""


@dataclass(frozen=True)
class ImageCacheSettings:
    """What ECI does with image caches on its own, without a CreateImageCache call."""

    auto_create: bool = True
    """On a miss of a group with AutoMatchImageCache, build a cache of its images in the
    background (ECI's automatic creation); False: a miss is only a normal pull."""
    quota: int = 50
    """Image caches one region holds. At the quota a new cache evicts the least recently
    used cache whose EliminationStrategy is LRU (automatic caches are); with none to evict a
    CreateImageCache is refused and an automatic creation skipped. 50 is an assumption: the
    ECI pages found document no default."""


@dataclass(frozen=True)
class PriceSettings:
    """Unit prices the simulator bills with (pay-as-you-go, USD), as configuration.

    Each default is a figure an ECI or ECS billing page publishes (China (Hangzhou), read on
    `read_on`; `simulator/data/README.md` names the page of each): vCPU and memory from the
    "Image caches" billing page, ESSD PL1 from "Billing of temporary storage space", the
    snapshot price from ECS's "Snapshot billing" example."""

    vcpu_usd_per_second: float = 0.0000077
    """One vCPU for one second (USD 0.0000077, "Image caches" billing page)."""
    memory_usd_per_gib_second: float = 0.00000096
    """One GiB of memory for one second (USD 0.00000096, the same page)."""
    essd_pl1_usd_per_gib_second: float = 0.03188 / 100 / 3600
    """One GiB of ESSD PL1 for one second: USD 0.03188 per 100 GiB per hour ("Billing of
    temporary storage space", Hangzhou). Also the price of increased temporary storage."""
    snapshot_usd_per_gib_month: float = 0.0173
    """Standard snapshot storage per GiB and month of 730 h (USD 0.0173, ECS "Snapshot
    billing", its Hangzhou example)."""
    read_on: str = "2026-12-02"
    """When the published figures were read."""

    @classmethod
    def from_json(cls, document: object) -> PriceSettings:
        """Prices from a JSON object of these fields (others keep their defaults); ValueError
        naming the field when one is unknown or not a number >= 0 (`read_on`: a string)."""
        if not isinstance(document, dict):
            raise ValueError("expected a JSON object of unit prices")
        known = {name for name in cls.__dataclass_fields__}
        values: dict[str, Any] = {}
        for name, value in document.items():
            if name not in known:
                raise ValueError(f"{name}: not a price setting (known: {', '.join(sorted(known))})")
            if name == "read_on":
                if not isinstance(value, str):
                    raise ValueError(f"read_on: {value!r} is not a string")
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name}: {value!r} is not a number >= 0")
            values[name] = value if name == "read_on" else float(value)
        return cls(**values)


@dataclass(frozen=True)
class SimulatorSettings:
    """Everything one simulator process needs."""

    listen: ListenSettings = field(default_factory=ListenSettings)
    database_url: str = "sqlite+aiosqlite:///eci-simulator.db"
    """SQLAlchemy async URL: a SQLite file by default, `postgresql+asyncpg://...` to share."""
    clock: ClockSettings = field(default_factory=ClockSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    region: RegionSettings = field(default_factory=RegionSettings)
    throttle: ThrottleSettings = field(default_factory=ThrottleSettings)
    catalog_paths: tuple[Path, ...] = ()
    """Extra image catalog files (JSON), added to the built-in catalog."""
    registry_mode: RegistryMode = RegistryMode.OPEN
    """Open (default: any public reference pulls) or strict (only catalog images)."""
    time_model_path: Path | None = None
    """Optional JSON file overriding time-model defaults."""
    image_caches: ImageCacheSettings = field(default_factory=ImageCacheSettings)
    prices: PriceSettings = field(default_factory=PriceSettings)
