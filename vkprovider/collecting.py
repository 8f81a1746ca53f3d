"""The cycle collector's pace for a process that keeps every Pod it serves.

The agent holds each Pod (the informer's cache) and each container group's latest view as
plain dicts and lists: at 10,000 Pods about a million container objects stay alive, and
every status page, watch event and API answer allocates thousands more. CPython's default
thresholds (700, 10, 10) run a young collection every 700 net allocations, and a full one,
which walks every live object, whenever a quarter as many objects again have survived:
parsing a Pod with orjson took 34 us with the defaults and 9 us with a young threshold of
5,000 (5,000 Pods parsed and kept; without the collector the parse is 4-6 us),
and the cost was the collector's, charged to whatever allocated last (`loads`,
`parse_answer` and `StringPool` in a profile).

`pace()` runs the young collection every `YOUNG_THRESHOLD` allocations instead (garbage
cycles wait a little longer; reference counting, which frees nearly everything, is
untouched), and `settle()`, called once the agent has started, moves what start-up made
(imported modules, the API client's model classes, the first list) out of the collector's
sight with `gc.freeze()`: those live as long as the process, and full collections need
not walk them again. Nothing here changes what is freed, only when cycles are looked for.

`vk-eci simulator` uses the same pace, once it serves: it keeps every group's projected
state and answer bodies (`simulator.engine.projections`), and a 10,000-Pod bench measured
it at 1.90-1.95 ms of CPU per Pod with CPython's defaults, 1.79-1.82 with this pace. The
simulator package may not import this one, so its command line calls it.
"""

from __future__ import annotations

import gc
from typing import Final

_settled = False

YOUNG_THRESHOLD: Final = 50_000
"""Net allocations of container objects between two young collections (CPython: 700)."""
OLDER_THRESHOLDS: Final = (20, 10)
"""Young collections per middle one, middle ones per full one (CPython: 10, 10; a full one
also waits until a quarter of the long-lived objects are new)."""


def pace() -> None:
    """Collect cycles at the pace above (process-wide: call it from the agent's start)."""
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


def settle() -> None:
    """Leave what exists now (start-up's objects) out of every later collection; once per
    process (an agent started again in the same process, as tests do, skips it)."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()


__all__ = ["OLDER_THRESHOLDS", "YOUNG_THRESHOLD", "pace", "settle"]
