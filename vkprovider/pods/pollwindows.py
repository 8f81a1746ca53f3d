"""SinceSecond windows that leave no gap: what each status poll must reach back over.

A DescribeContainerGroupStatus window ends at ECI's clock when ECI answers and reaches back
`SinceSecond` ECI seconds. The agent cannot read ECI's clock, only its own, so it keeps,
in agent time, how far back every change is known seen ("covered"):
* a poll sent at agent time `sent` reaches back over the agent seconds since the covered
  point plus an allowance for its own duration (`Latency`), at an upper bound of ECI's
  rate, plus `slack` ECI seconds (ECI's timestamps may be whole seconds);
* when it answers at agent time `answered`, ECI evaluated it (every page of it) before
  `answered`, and the previous covered poll no earlier than the covered point, so if
  `seconds >= rate * (answered - covered) + slack` nothing between the two can have been
  missed: the covered point moves to `sent`. Otherwise (a slow poll: more pages than
  usual, a wait for a connection) or if the poll failed, it stays where it was and the
  next poll reaches back over the whole gap.
Nothing here calls ECI or reads a clock: times are passed in.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

LATENCY_SAMPLES = 4
"""How many recent polls' durations per second reached back over the allowance is the
largest of."""


MIN_RATED_SPAN_SECONDS = 1.0
"""A poll over a shorter span (one tick while ECI's clock is unmeasured, the first) counts
as a fixed cost, not per second: a short span's rate would inflate every later allowance."""


@dataclass(frozen=True, slots=True)
class Window:
    """One poll's SinceSecond, and what it must reach back over to count as covering."""

    seconds: int
    sent: float
    rate: float | None
    """ECI seconds per agent second it was sized by (None: not measured, a fixed window)."""


class Coverage:
    """How far back (agent time) every change ECI showed is known seen, for one slack."""

    def __init__(self, *, slack: int) -> None:
        self.slack = slack
        self.covered: float | None = None
        """Agent time before which every change is seen (None: nothing polled yet)."""

    def span(self, sent: float) -> float | None:
        """Agent seconds a poll sent at `sent` reaches back over (None: the first)."""
        return None if self.covered is None else max(sent - self.covered, 0.0)

    def reach(self, *, rate: float, sent: float, latency: Latency) -> int:
        """ECI seconds a poll sent at `sent` must reach back (`slack` alone for the first):
        its span and its latency allowance for that span, at `rate`."""
        span = self.span(sent)
        if span is None:
            return self.slack
        return math.ceil(rate * (span + latency.allowance(span))) + self.slack

    def covers(self, window: Window, *, answered: float) -> bool:
        """Whether `window`, answered at agent time `answered`, left no gap since `covered`."""
        if self.covered is None or window.rate is None:
            return True
        return window.seconds >= window.rate * (answered - self.covered) + self.slack


class Latency:
    """How long a poll takes, for the span (agent seconds) it reaches back over.

    A poll's answer grows with its window (pages of 200 groups, one call each), so its
    duration is kept per agent second reached back over, and a poll reaching back over
    `span` is given the largest of the last few such rates times `span`, plus the
    longest fixed cost seen: a sweep over 60 s is allowed for about twelve times as long
    as a poll over 5 s. An allowance too short costs a wider next window, never a gap.
    """

    def __init__(self) -> None:
        self._per_second: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self._base: deque[float] = deque(maxlen=LATENCY_SAMPLES)

    def add(self, seconds: float, *, span: float | None) -> None:
        """A poll that reached back over `span` agent seconds (None: the first) took
        `seconds`."""
        seconds = max(seconds, 0.0)
        if span is None or span < MIN_RATED_SPAN_SECONDS:
            self._base.append(seconds)
        else:
            self._per_second.append(seconds / span)

    def allowance(self, span: float) -> float:
        per_second = max(self._per_second, default=0.0)
        return max(per_second * max(span, 0.0), max(self._base, default=0.0))
