"""When a dated reminder is due: on its day, late within the catch-up window, never twice a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cultivation.reminders.due import due_offset, in_days_text

EVENT = date(2026, 6, 30)
OFFSETS = [30, 7, 1]


def day(before: int) -> date:
    return EVENT - timedelta(days=before)


@pytest.mark.parametrize(("today", "expected"), [
    (day(31), None),  # the day before the first offset
    (day(30), 30),    # on it
    (day(29), 30),    # the day after: catch-up (the job may not have run yesterday)
    (day(27), 30),    # last catch-up day (3 days)
    (day(26), None),  # beyond the catch-up window
    (day(8), None),
    (day(7), 7),
    (day(6), 7),
    (day(2), None),   # 5 days after the 7-day reminder: out of catch-up, 1-day not yet due
    (day(1), 1),
    (day(0), 1),      # the event day itself: the 1-day reminder may still be caught up
    (day(-1), None),  # the event has passed
])
def test_the_due_offset_follows_the_calendar(today: date, expected: int | None) -> None:
    assert due_offset(EVENT, OFFSETS, today, catchup_days=3) == expected


def test_only_the_latest_due_offset_counts_after_downtime() -> None:
    # Down from day 9 to day 1: on day 1 both 7 and 1 are "due"; only the nearest is sent.
    assert due_offset(EVENT, [7, 6, 1], day(6), catchup_days=10) == 6
    assert due_offset(EVENT, [7, 6, 1], day(1), catchup_days=10) == 1


def test_reminder_days_before_not_before_are_ignored() -> None:
    assert due_offset(EVENT, [30], day(30), 3, not_before=day(20)) is None
    assert due_offset(EVENT, [30, 7], day(7), 3, not_before=day(20)) == 7


def test_an_offset_of_zero_fires_on_the_day() -> None:
    assert due_offset(EVENT, [0], EVENT, 0) == 0
    assert due_offset(EVENT, [0], day(1), 0) is None


def test_days_read_naturally_in_chinese() -> None:
    assert [in_days_text(n) for n in (0, 1, 7)] == ["今天", "明天", "7天后"]
