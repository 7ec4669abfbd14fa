"""Job bookkeeping: one JobRun per execution, and the lock row that elects one scheduler."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db
from cultivation.vocabulary import JOB_OUTCOME_LABELS, JOB_TRIGGER_LABELS

OUTCOMES = JOB_OUTCOME_LABELS
TRIGGERS = JOB_TRIGGER_LABELS


class JobRun(db.Model):  # type: ignore[name-defined]
    """One execution of a named job: when, with which ``now``, how it ended, what it did."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[str] = mapped_column(String(20), default="scheduler")
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)  # the ``now`` the job body was given
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(12), default="running", index=True)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(120))  # hostname:pid
    actor: Mapped[str | None] = mapped_column(String(50))
    # A successful run whose counts are all zero (the minute-by-minute outbox with nothing to
    # send): the run history folds these away so the nightly screening stays visible.
    idle: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)

    @property
    def trigger_label(self) -> str:
        return TRIGGERS.get(self.trigger, self.trigger)

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SchedulerLock(db.Model):  # type: ignore[name-defined]
    """Who runs the scheduler. On SQLite the row with its lease *is* the lock; on PostgreSQL the
    advisory lock decides and the row only tells the admin page who holds it."""

    __tablename__ = "scheduler_locks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
