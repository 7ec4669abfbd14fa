"""Time for jobs: the configured zone, the local date of an instant, a date's run time.

Only entry points (the scheduler, the CLI, a view) read the real clock; everything below them
receives ``now`` as an aware datetime.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app

RUN_HOUR = 8  # ``jobs run --as-of DAY`` runs as if at 08:00 local time on DAY


def zone() -> ZoneInfo:
    """The configured time zone (``TIMEZONE``, default Asia/Shanghai)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_date(now: datetime) -> date:
    """The calendar date of ``now`` in the configured zone (not the machine's)."""
    return now.astimezone(zone()).date()


def run_time_on(day: date, hour: int = RUN_HOUR) -> datetime:
    """``day`` at ``hour``:00 in the configured zone, as an aware datetime."""
    return datetime.combine(day, time(hour), tzinfo=zone())
