"""Five-field cron schedules (`*/5 * * * *`, `0 3 * * 1-5`, `@hourly`) and their next times.

kube's CronJob controller uses robfig/cron's standard parser: minute, hour, day of month,
month, day of week; `*`, lists, ranges, steps, month and weekday names, `?` as `*`, the
`@yearly`/`@monthly`/`@weekly`/`@daily`/`@hourly` shorthands, and the usual rule that when
both day fields are restricted a day matching either one fires. Times are UTC (no timeZone
support: the examples and tests never set one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SHORTHANDS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
SEARCH_LIMIT = timedelta(days=366 * 5)
"""A schedule that never fires (`0 0 30 2 *`) has no next time within this span."""


class ScheduleError(ValueError):
    """A schedule kube would refuse; the message says which field and why."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0


FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, MONTHS, 1),
    _Field("day of week", 0, 6, WEEKDAYS, 0),
)


def _number(text: str, field: _Field) -> int:
    lowered = text.lower()
    if lowered in field.names:
        return field.names.index(lowered) + field.name_base
    if not text.isdigit():
        raise ScheduleError(f"failed to parse int from {text}: {field.name}")
    value = int(text)
    if field is FIELDS[4] and value == 7:
        return 0
    return value


def _values(part: str, field: _Field) -> tuple[frozenset[int], bool]:
    """The values one comma-separated part allows, and whether it was a bare `*`."""
    chosen: set[int] = set()
    star = False
    for term in part.split(","):
        span, _, step_text = term.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"invalid step {step_text!r} in {field.name}")
            step = int(step_text)
        if span in ("*", "?"):
            low, high = field.low, field.high
            star = star or step == 1  # robfig/cron: `*/2` is no longer "any", `*/1` still is
        elif "-" in span:
            first, _, last = span.partition("-")
            low, high = _number(first, field), _number(last, field)
        else:
            low = _number(span, field)
            high = field.high if step_text else low
        if low < field.low or high > field.high or low > high:
            raise ScheduleError(
                f"{field.name} {span!r} is beyond {field.low}-{field.high} or reversed"
            )
        chosen.update(range(low, high + 1, step))
    return frozenset(chosen), star


@dataclass(frozen=True)
class CronSchedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> CronSchedule:
        expression = SHORTHANDS.get(text.strip().lower(), text)
        parts = expression.split()
        if len(parts) != len(FIELDS):
            raise ScheduleError(f"expected exactly 5 fields, found {len(parts)}: {text}")
        parsed = [_values(part, field) for part, field in zip(parts, FIELDS, strict=True)]
        return cls(
            minutes=parsed[0][0],
            hours=parsed[1][0],
            days=parsed[2][0],
            months=parsed[3][0],
            weekdays=parsed[4][0],
            any_day=parsed[2][1],
            any_weekday=parsed[4][1],
        )

    def _day_matches(self, when: datetime) -> bool:
        in_days = when.day in self.days
        in_weekdays = (when.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return in_days and in_weekdays
        return in_days or in_weekdays

    def next_after(self, after: datetime) -> datetime | None:
        """The first firing time strictly after `after` (to the minute), or None."""
        when = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = after + SEARCH_LIMIT
        while when <= limit:
            if when.month not in self.months:
                month_start = when.replace(day=1, hour=0, minute=0)
                when = (month_start + timedelta(days=32)).replace(day=1)
            elif not self._day_matches(when):
                when = when.replace(hour=0, minute=0) + timedelta(days=1)
            elif when.hour not in self.hours:
                when = when.replace(minute=0) + timedelta(hours=1)
            elif when.minute not in self.minutes:
                when += timedelta(minutes=1)
            else:
                return when
        return None
