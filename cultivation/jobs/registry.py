"""The job registry: name, Chinese label, body ``(session, now) -> counts`` and cron schedule.

The definitions live in the top-level ``jobs`` package (thin wiring); this module gives them a
type and looks them up.
"""

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


def all_jobs() -> dict[str, JobSpec]:
    """Every job by name, in schedule order."""
    from cultivation.jobs.definitions import JOBS

    return {spec.name: spec for spec in JOBS}


def get_job(name: str) -> JobSpec:
    """The job called ``name``; raises ``UnknownJob`` with a Chinese message."""
    jobs = all_jobs()
    try:
        return jobs[name]
    except KeyError:
        raise UnknownJob(f"未知任务“{name}”，可用的任务：{'、'.join(jobs)}") from None
