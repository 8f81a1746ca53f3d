"""Settings of one simulator process, one dataclass per concern.

Values come from `vk-eci simulator` flags, the environment or a file; nothing
here reads them. Secrets never appear in `repr`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


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
class RegionSettings:
    """The one region this simulator serves and its zones."""

    region_id: str = "cn-hangzhou"
    zones: tuple[str, ...] = ("cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j")


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

    vCPU and memory are the figures ECI's "Image caches" billing page gives for the
    temporary build instance, read on `read_on`; the disk and snapshot prices are
    assumptions (the page points to the ECS pricing page, not read)."""

    vcpu_usd_per_second: float = 0.0000077
    """One vCPU for one second (billing page)."""
    memory_usd_per_gib_second: float = 0.00000096
    """One GiB of memory for one second (billing page)."""
    essd_pl1_usd_per_gib_second: float = 0.15 / (730 * 3600)
    """One GiB of ESSD PL1 for one second: USD 0.15 per GiB-month, an assumption."""
    snapshot_usd_per_gib_month: float = 0.02
    """Snapshot storage per GiB and month (730 h): an assumption."""
    read_on: str = "2026-12-02"
    """When the published figures were read."""


@dataclass(frozen=True)
class SimulatorSettings:
    """Everything one simulator process needs."""

    listen: ListenSettings = field(default_factory=ListenSettings)
    database_url: str = "sqlite+aiosqlite:///eci-simulator.db"
    """SQLAlchemy async URL: a SQLite file by default, `postgresql+asyncpg://...` to share."""
    clock: ClockSettings = field(default_factory=ClockSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    region: RegionSettings = field(default_factory=RegionSettings)
    catalog_paths: tuple[Path, ...] = ()
    """Extra image catalog files (JSON), added to the built-in catalog."""
    registry_mode: RegistryMode = RegistryMode.OPEN
    """Open (default: any public reference pulls) or strict (only catalog images)."""
    time_model_path: Path | None = None
    """Optional JSON file overriding time-model defaults."""
    image_caches: ImageCacheSettings = field(default_factory=ImageCacheSettings)
    prices: PriceSettings = field(default_factory=PriceSettings)
