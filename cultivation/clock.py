"""Pure calendar arithmetic for the layers below the entry points: the local date of an instant
in a zone that the caller passes (services never look the zone up themselves).

The entry points' clock (now, today, the configured zone) is ``cultivation.web.clock``; it reads
the app's ``TIMEZONE`` and hands the zone down (``cultivation.settings``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"  # the ``TIMEZONE`` setting's default


def local_date(now: datetime, timezone: str) -> date:
    """The calendar date of the aware instant ``now`` in ``timezone``."""
    return now.astimezone(ZoneInfo(timezone)).date()


def at_hour(day: date, hour: int, timezone: str) -> datetime:
    """``day`` at ``hour``:00 in ``timezone``, as an aware datetime."""
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(timezone))
