"""The one clock: the configured zone, now, today, the local date of an instant.

Only entry points (a view, the API, the CLI, the scheduler) call ``now``/``today``/``clock``;
everything below them receives ``now`` (an aware datetime) or ``today`` (a date) as parameters.
``timezone`` defaults to the app's ``TIMEZONE`` setting (default Asia/Shanghai).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from cultivation import clock as pure
from cultivation.clock import DEFAULT_TIMEZONE

RUN_HOUR = 8  # ``jobs run --as-of DAY`` runs as if at 08:00 local time on DAY


def zone(timezone: str | None = None) -> ZoneInfo:
    """``timezone``, or the configured time zone (``TIMEZONE``, default Asia/Shanghai)."""
    if timezone is None:
        timezone = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(timezone)


def now() -> datetime:
    """The real clock, aware UTC (entry points only)."""
    return datetime.now(UTC)


def local_date(now: datetime, timezone: str | None = None) -> date:
    """The calendar date of ``now`` in the configured zone (not the machine's)."""
    return pure.local_date(now, zone(timezone).key)


def today(timezone: str | None = None) -> date:
    """Today in the configured time zone (entry points only)."""
    return local_date(now(), timezone)


def clock() -> tuple[datetime, date]:
    """Now (UTC) and today's date in the configured zone: the one clock of a request."""
    instant = now()
    return instant, local_date(instant)


def run_time_on(day: date, hour: int = RUN_HOUR) -> datetime:
    """``day`` at ``hour``:00 in the configured zone, as an aware datetime."""
    return datetime.combine(day, time(hour), tzinfo=zone())
