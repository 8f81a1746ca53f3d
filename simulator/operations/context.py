"""What every operation needs: the store, the clock, the catalog, the time model, the regions."""

from __future__ import annotations

import secrets
import string
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.engine.projections import ProjectionCache
from simulator.errors import InvalidParameter
from simulator.registry.catalog import Catalog
from simulator.settings import ServedRegion, SimulatorSettings
from simulator.store.database import Database
from simulator.timemodel.clock import Clock
from simulator.timemodel.settings import TimeModelSettings

if TYPE_CHECKING:
    from simulator.operations.groupwrites import NewGroup

_ID_ALPHABET = string.ascii_lowercase + string.digits


_ID_LENGTH = 20
_ID_CHOICES = len(_ID_ALPHABET) ** _ID_LENGTH


def new_id(prefix: str) -> str:
    """An ECI-style id: `eci-` / `imc-` and 20 lowercase letters and digits.

    One draw from the system's random source for all 20 characters (uniform over every
    id, as 20 separate draws would be, which cost about 100 µs a creation).
    """
    number = secrets.randbelow(_ID_CHOICES)
    characters = []
    for _ in range(_ID_LENGTH):
        number, index = divmod(number, len(_ID_ALPHABET))
        characters.append(_ID_ALPHABET[index])
    return prefix + "".join(characters)


@dataclass(frozen=True)
class Context:
    db: Database
    clock: Clock
    catalog: Catalog
    model: TimeModelSettings
    settings: SimulatorSettings
    logger: Any
    wake: Callable[[], None]
    """Tell the runner that new work (a new due time) exists."""
    next_ip: Callable[[], Awaitable[int]]
    """A number no other group (in any process) got: its serial and private IP."""
    settle: Callable[[], Awaitable[None]]
    """Materialise every row due by now, so SQL filters on status are exact."""
    group_id_for_token: Callable[[str], Awaitable[str | None]]
    """The id of the group a ClientToken created, or None (lookups batched)."""
    write_group: Callable[[NewGroup], Awaitable[str]]
    """Store a new group (batched with concurrent creations); returns its id, or the id of
    the group that already has its ClientToken."""
    projections: ProjectionCache
    """Stored groups' states, remembered while they cannot change (`engine.projections`)."""

    def served_region(self, region_id: str) -> ServedRegion:
        """The region a call names, or `InvalidRegionId`: every operation refuses alike."""
        region = self.settings.region.find(region_id)
        if region is None:
            raise InvalidParameter(
                f'RegionId: "{region_id}" is not a region this simulator serves'
                " (DescribeRegions lists them)",
                code="InvalidRegionId",
            )
        return region


def log_synthesized_pulls(ctx: Context, references: Iterable[str], **where: str) -> None:
    """Say in the simulator's log (never in a group's events) which pulls are made up.

    The open registry serves references the catalog does not list from a
    synthesized manifest; a user reading the simulator's log can tell which
    sizes and digests are the catalog's facts and which are the size model's.
    """
    for reference in dict.fromkeys(references):
        if ctx.catalog.synthesizes(reference):
            ctx.logger.info(
                "pulling a synthesized image: not in the catalog, manifest from the size model",
                image=reference,
                **where,
            )
