"""The cycle collector's pace for a simulator process that keeps every group it serves.

At 10,000 container groups the simulator keeps each one's projected state, parsed plan and
spec and its answer bodies (`engine.projections`: a few KB of dicts and lists per group),
and every call allocates thousands more short-lived objects. With CPython's default
thresholds (700, 10, 10) the collector's full passes walk all of that again and again:
`vk-eci bench scale --pods 10000` measured the simulator at 1.90-1.95 ms of CPU per Pod
with the defaults and 1.79-1.82 with the pace below (two runs each, same code otherwise).

`pace()` runs the young collection every `YOUNG_THRESHOLD` net allocations instead (garbage
cycles wait a little longer; reference counting, which frees nearly everything, is
untouched); `settle()`, once the server is up, moves what start-up made (modules, the
catalog, SQLAlchemy's compiled statements) out of every later collection with
`gc.freeze()`. Nothing here changes what is freed, only when cycles are looked for. The
agent does the same for its Pods (`vkprovider.collecting`); the packages may not import
each other, so each owns its process's pace.

Process-wide: only the `vk-eci simulator` entry point calls these, never the library.
"""

from __future__ import annotations

import gc
from typing import Final

YOUNG_THRESHOLD: Final = 50_000
"""Net allocations of container objects between two young collections (CPython: 700)."""
OLDER_THRESHOLDS: Final = (20, 10)
"""Young collections per middle one, middle ones per full one (CPython: 10, 10)."""


def pace() -> None:
    """Collect cycles at the pace above, for the whole process."""
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


def settle() -> None:
    """One full collection, then leave every object alive now out of later collections."""
    gc.collect()
    gc.freeze()


__all__ = ["OLDER_THRESHOLDS", "YOUNG_THRESHOLD", "pace", "settle"]
