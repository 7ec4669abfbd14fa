"""What a scheduled job is: name, Chinese label, body ``(session, now) -> counts`` and cron
schedule. The jobs themselves are listed in ``definitions``; ``registry`` looks them up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from cultivation.database import DbSession

JobBody = Callable[[DbSession, datetime], dict[str, Any]]


class UnknownJob(KeyError):
    """No job has this name; the message lists the names that exist."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job. ``cron`` holds APScheduler CronTrigger fields, in the configured zone."""

    name: str
    label: str
    body: JobBody
    cron: dict[str, Any]
    schedule_label: str
    description: str = ""
    tags: tuple[str, ...] = field(default=())

    def trigger(self, zone: tzinfo) -> CronTrigger:
        """The cron trigger in ``zone`` (never the machine's local zone)."""
        return CronTrigger(timezone=zone, **self.cron)
