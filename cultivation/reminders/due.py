"""When a dated reminder is due (pure: no Flask, no database).

A reminder for an event on day E with offsets [30, 7, 1] is due on E − 30, E − 7 and E − 1. A job
that did not run on that day (downtime) still sends it up to ``catchup_days`` later, as long as
the event has not passed; only the most recent due offset counts, so a catch-up never sends two
reminders for one event on the same day. Which offsets were already sent is not decided here: the
offset is part of the message's unique key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def due_offset(event: date, offsets: Iterable[int], today: date, catchup_days: int,
               *, not_before: date | None = None) -> int | None:
    """The offset whose reminder day is the latest one on or before ``today`` within the
    catch-up window, or None. Reminder days before ``not_before`` are ignored."""
    if today > event:
        return None
    best: int | None = None
    for offset in set(offsets):
        day = event - timedelta(days=offset)
        if not_before is not None and day < not_before:
            continue
        if day <= today and (today - day).days <= catchup_days and (best is None or offset < best):
            best = offset
    return best


def days_until(event: date, today: date) -> int:
    return (event - today).days


def in_days_text(days: int) -> str:
    """0 → '今天', 1 → '明天', n → 'n天后'."""
    if days == 0:
        return "今天"
    if days == 1:
        return "明天"
    return f"{days}天后"
