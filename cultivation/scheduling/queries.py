"""Read side for the jobs page: latest run per job, failures, run history, the lock holder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select

from cultivation.database import DbSession
from cultivation.scheduling.models import JobRun, SchedulerLock


def latest_runs(session: DbSession, outcome: str | None = None) -> dict[str, JobRun]:
    """The most recent run of each job (optionally: with this outcome) — one query."""
    newest = select(func.max(JobRun.id)).group_by(JobRun.job)
    if outcome is not None:
        newest = newest.where(JobRun.outcome == outcome)
    runs = session.scalars(select(JobRun).where(JobRun.id.in_(newest)))
    return {run.job: run for run in runs}


def failure_counts(session: DbSession, since: datetime) -> dict[str, int]:
    """Failed runs per job since ``since`` — one GROUP BY."""
    rows = session.execute(
        select(JobRun.job, func.count(JobRun.id))
        .where(JobRun.outcome == "failed", JobRun.started_at >= since).group_by(JobRun.job)
    )
    return {job: n for job, n in rows}


def run_history(job: str | None = None, outcome: str | None = None, *,
                with_idle: bool = True) -> Select[JobRun]:
    """Runs newest first, optionally of one job and/or outcome, optionally without idle runs."""
    stmt = select(JobRun).order_by(JobRun.id.desc())
    if not with_idle:
        stmt = stmt.where(JobRun.idle.is_(False))
    if job:
        stmt = stmt.where(JobRun.job == job)
    if outcome:
        stmt = stmt.where(JobRun.outcome == outcome)
    return stmt


def lock_holder(session: DbSession, name: str = "scheduler") -> SchedulerLock | None:
    """The lock row: which scheduler process is (or was last) active and its last heartbeat."""
    return session.get(SchedulerLock, name)


def idle_count(session: DbSession, job: str | None = None) -> int:
    """How many idle runs (successful, nothing done) are kept (one COUNT)."""
    stmt = select(func.count(JobRun.id)).where(JobRun.idle.is_(True))
    if job:
        stmt = stmt.where(JobRun.job == job)
    return session.scalar(stmt) or 0


def recent_runs(session: DbSession, job: str | None, outcome: str | None, *, limit: int,
                with_idle: bool = True) -> list[JobRun]:
    """The latest runs (optionally of one job / outcome, optionally without idle runs),
    newest first."""
    return list(session.scalars(run_history(job, outcome, with_idle=with_idle).limit(limit)))
