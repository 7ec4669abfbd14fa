"""Screening results (kept as history). The policy parameters they use are ``parameters.models``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db


class ScreeningRun(db.Model):  # type: ignore[name-defined]
    """One evaluation of every firm as of a date (nightly job or manual run).

    ``previous_run_id`` is the run this one is compared with (new / dropped candidates): the
    latest run, by (as_of, id), that existed when this one started.

    ``chain_start_id``: runs that carry verdicts forward form a chain of consecutive ids (a run
    joins the chain of the newest run when it carries from it; screening.runs). The verdicts of
    run R are the Evaluation rows with ``chain_start_id ≤ run_id ≤ R`` not superseded by R
    (``superseded_in`` NULL or > R). None: the run starts its own chain (as if its own id).
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
    chain_start_id: Mapped[int | None] = mapped_column(Integer)


class Evaluation(db.Model):  # type: ignore[name-defined]
    """One firm's verdict under one rule set, stored by the run that evaluated it (``run_id``)
    and shared by the later runs of its chain until one evaluates the firm again or drops it
    (``superseded_in``: that run's id). "The verdicts of run R" is ``screening.runs.in_run``;
    never compare ``run_id`` with a run's id directly.

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
        # The same walk for the newest run of a chain, whose verdicts are the chain's rows not
        # superseded (screening.runs: in_run(..., newest=True)).
        Index("ix_evaluations_current_outcome_gap", "rules", "outcome", "total_gap",
              "enterprise_id", postgresql_where=text("superseded_in IS NULL"),
              sqlite_where=text("superseded_in IS NULL")),
        Index("ix_evaluations_enterprise_rules_run", "enterprise_id", "rules", "run_id"),
        # Retention looks at superseded rows only (few: the verdicts that changed).
        # An incremental run's day boundaries (screening.carry.stale_firms): current verdicts
        # whose stable_until has come, and those whose first/renewal standing moved.
        Index("ix_evaluations_current_stable_until", "stable_until", "run_id",
              postgresql_where=text("superseded_in IS NULL"),
              sqlite_where=text("superseded_in IS NULL")),
        Index("ix_evaluations_current_standing", "rules", "application", "certificate_valid_to",
              "run_id", postgresql_where=text("superseded_in IS NULL"),
              sqlite_where=text("superseded_in IS NULL")),
        Index("ix_evaluations_superseded_in", "superseded_in",
              postgresql_where=text("superseded_in IS NOT NULL"),
              sqlite_where=text("superseded_in IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The run that stored (evaluated) it. No foreign key: a pruned run's row stays while a later
    # kept run of its chain shares it (screening.retention deletes rows no kept run holds).
    run_id: Mapped[int | None] = mapped_column(Integer)
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
    # The run (of this row's chain) from which on this row is no longer the verdict; None: it
    # still is, for the chain's newest run. A plain id, no foreign key: retention may prune it.
    superseded_in: Mapped[int | None] = mapped_column(Integer)


class FirmFactChange(db.Model):  # type: ignore[name-defined]
    """A write that may have changed a firm's screening facts, not yet seen by a screening run.

    Added in the writer's transaction by the ORM flush hook (screening.changes) for every write
    of a firm's fact fields, figures, certificates or R&D institutions. A screening run reads
    the rows at its start, examines those firms (and only those, plus the firms a day boundary
    reaches) and deletes exactly the rows it read: a row committed while the run was going on
    stays for the next run. A log, not a column on ``enterprises``: a stamp compared with a
    high-water mark would miss a write committed after a run began but stamped before it.
    """

    __tablename__ = "firm_fact_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the row is consumed by the next run; a firm deleted since is skipped.
    enterprise_id: Mapped[int] = mapped_column(Integer)
