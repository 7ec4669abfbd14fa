"""Screening results (kept as history). The policy parameters they use are ``parameters.models``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db


class ScreeningRun(db.Model):  # type: ignore[name-defined]
    """One evaluation of every firm as of a date (nightly job or manual run).

    ``previous_run_id`` is the run this one is compared with (new / dropped candidates): the
    latest run, by (as_of, id), that existed when this one started.
    """

    __tablename__ = "screening_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    previous_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("screening_runs.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    firms: Mapped[int] = mapped_column(Integer, default=0)
    evaluations: Mapped[int] = mapped_column(Integer, default=0)
    # {"rules": [...], "outcomes": {rules: {outcome: n}}, "new": {rules: n},
    #  "dropped": {rules: n}, "parameters": {rules: [parameter JSON used by any firm]}}
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Evaluation(db.Model):  # type: ignore[name-defined]
    """One firm's verdict under one rule set in one run.

    ``details`` is the verdict JSON, compacted: null and empty criterion fields are left out and
    ``parameters`` (identical across a run) is replaced by ``parameter_keys``; the parameter
    values and sources are kept once per run in ``ScreeningRun.summary["parameters"]``.
    """

    __tablename__ = "evaluations"
    __table_args__ = (
        Index("uq_evaluations_run_rules_enterprise", "run_id", "rules", "enterprise_id",
              unique=True),
        # The 培育库 walks a run's outcome groups by smallest gap (screening.listing).
        Index("ix_evaluations_run_rules_outcome_gap", "run_id", "rules", "outcome", "total_gap",
              "enterprise_id"),
        Index("ix_evaluations_enterprise_rules", "enterprise_id", "rules", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("screening_runs.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    rules: Mapped[str] = mapped_column(String(30))
    as_of: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(12))
    score_min: Mapped[float | None] = mapped_column(Float)
    score_max: Mapped[float | None] = mapped_column(Float)
    # Ranking key, smaller = closer (screening.services.total_gap documents the formula).
    total_gap: Mapped[float | None] = mapped_column(Float)
    failed: Mapped[list[str]] = mapped_column(JSON, default=list)  # criterion ids not passed
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # compacted verdict JSON (see above)
    # first (no certificate of the programme in force on as_of) | renewal (it ends before the
    # renewal horizon) | holder (it runs beyond: not a candidate); None in runs before 0.2.
    application: Mapped[str | None] = mapped_column(String(8))
    certificate_valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Incremental runs (screening.incremental): the digest of the firm's facts, the parameter
    # table, the rule sets and the engine's code; the first day on which this verdict may change
    # by time alone (None: evaluate again next run); the day ``details`` were computed for (a
    # verdict carried forward unchanged keeps it; only its day counts are as of that day).
    fingerprint: Mapped[str | None] = mapped_column(String(32))
    stable_until: Mapped[date | None] = mapped_column(Date)
    evaluated_on: Mapped[date | None] = mapped_column(Date)
