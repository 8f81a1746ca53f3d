"""Cron schedules fire when robfig/cron (kube's parser) says; bad ones are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from localkube.cronschedule import CronSchedule, ScheduleError

START = datetime(2026, 12, 2, 3, 7, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("* * * * *", datetime(2026, 12, 2, 3, 8, tzinfo=UTC)),
        ("*/15 * * * *", datetime(2026, 12, 2, 3, 15, tzinfo=UTC)),
        ("0 3 * * *", datetime(2026, 12, 3, 3, 0, tzinfo=UTC)),
        ("30 9 * * MON-FRI", datetime(2026, 12, 2, 9, 30, tzinfo=UTC)),
        ("0 0 1 jan *", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("@hourly", datetime(2026, 12, 2, 4, 0, tzinfo=UTC)),
        ("0 12 * * 0", datetime(2026, 12, 6, 12, 0, tzinfo=UTC)),
        ("0 12 * * 7", datetime(2026, 12, 6, 12, 0, tzinfo=UTC)),
        # Both day fields restricted: either one matching fires (the 5th, or a Sunday).
        ("0 0 5 * SUN", datetime(2026, 12, 5, 0, 0, tzinfo=UTC)),
        ("5,10-12/2 * * * *", datetime(2026, 12, 2, 3, 10, tzinfo=UTC)),
    ],
)
def test_next_time(schedule: str, expected: datetime) -> None:
    assert CronSchedule.parse(schedule).next_after(START) == expected


def test_a_schedule_that_never_fires_has_no_next_time() -> None:
    assert CronSchedule.parse("0 0 30 2 *").next_after(START) is None


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ("* * * *", "expected exactly 5 fields, found 4"),
        ("61 * * * *", "minute"),
        ("* * * * mon-xyz", "day of week"),
        ("*/0 * * * *", "invalid step"),
    ],
)
def test_bad_schedules_are_refused(schedule: str, words: str) -> None:
    with pytest.raises(ScheduleError, match=words):
        CronSchedule.parse(schedule)
