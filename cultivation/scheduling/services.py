"""Run a job once with JobRun bookkeeping; the one place a job's transaction is committed."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from cultivation.database import DbSession, utcnow
from cultivation.jobs.registry import UnknownJob, get_job
from cultivation.scheduling.effects import affected
from cultivation.scheduling.models import JobRun
from cultivation.scheduling.progress import PROGRESS, progress_writer

log = logging.getLogger(__name__)

RETENTION = timedelta(days=90)  # successful runs older than this are pruned (outbox: 1440/day)
HOST = f"{socket.gethostname()}:{os.getpid()}"


def run_job(
    session: DbSession,
    name: str,
    now: datetime,
    *,
    trigger: str = "cli",
    actor: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    claimed_run_id: int | None = None,
) -> JobRun:
    """Run job ``name`` as of ``now``: a JobRun is committed first (visible while running), the
    body's work is committed once on success or rolled back on failure, then the JobRun gets its
    outcome, counts and error. Raises ``UnknownJob`` for a bad name; never raises for a failing
    body (the JobRun says what went wrong). ``claimed_run_id``: a queued run already claimed
    (``claim_queued``) — it is used instead of a new JobRun."""
    spec = get_job(name)
    if claimed_run_id is None:
        run = JobRun(job=name, trigger=trigger, as_of=now, started_at=clock(),
                     outcome="running", host=HOST, actor=actor)
        session.add(run)
        session.flush()
        run_id = run.id  # read before the commit: reading it after would start with a SELECT
        session.commit()
    else:
        run_id = claimed_run_id
    token = PROGRESS.set(progress_writer(session, run_id))
    try:
        # Open the job's transaction with a write: on SQLite a concurrent job then waits for the
        # write lock (busy timeout) instead of failing when its reads try to become writes.
        # Not on PostgreSQL: the row would stay locked until the job ends, and the progress
        # writer (scheduling.progress) updates it from another connection meanwhile.
        if session.get_bind().dialect.name == "sqlite":
            session.execute(update(JobRun).where(JobRun.id == run_id).values(host=HOST))
        counts = spec.body(session, now)
        session.commit()
    except Exception as exc:  # every failure is recorded; none may kill the scheduler
        session.rollback()
        log.exception("job %s failed", name)
        _finish(session, run_id, outcome="failed", finished_at=clock(),
                error=f"{exc}\n\n{traceback.format_exc()[-4000:]}")
        session.commit()
        return _reload(session, run_id)
    finally:
        PROGRESS.reset(token)
    finished = clock()
    kept = {k: v for k, v in (counts or {}).items() if isinstance(v, int | float | str)}
    _finish(session, run_id, outcome="success", finished_at=finished, counts=kept)
    session.execute(delete(JobRun).where(JobRun.job == name, JobRun.outcome == "success",
                                         JobRun.started_at < finished - RETENTION))
    session.commit()
    log.info("job %s done: %s", name, kept)
    return _reload(session, run_id)


def _finish(session: DbSession, run_id: int, **values: Any) -> None:
    # One UPDATE, no read first (a read-then-write transaction fails at once on a busy SQLite).
    session.execute(update(JobRun).where(JobRun.id == run_id).values(**values))


def _reload(session: DbSession, run_id: int) -> JobRun:
    run = session.get(JobRun, run_id, populate_existing=True)
    assert run is not None
    return run


def queue_job(session: DbSession, name: str, now: datetime, *, actor: str | None) -> JobRun:
    """Ask the scheduler process to run ``name`` soon (立即运行 on the web page): a ``queued``
    JobRun, or the one already queued or running for this job from the page. Flushes only."""
    get_job(name)
    waiting: JobRun | None = session.scalar(
        select(JobRun).where(JobRun.job == name, JobRun.trigger == "web",
                             JobRun.outcome.in_(("queued", "running")))
        .order_by(JobRun.id.desc()).limit(1))
    if waiting is not None:
        return waiting
    run = JobRun(job=name, trigger="web", as_of=now, started_at=now, outcome="queued",
                 actor=actor)
    session.add(run)
    session.flush()
    return run


def claim_queued(session: DbSession, clock: Callable[[], datetime] = utcnow
                 ) -> list[tuple[int, str]]:
    """Claim every queued run (oldest first) for this process: (run id, job name) of those this
    process won — a conditional UPDATE, so two schedulers never run the same request. Commits."""
    queued = list(session.execute(select(JobRun.id, JobRun.job)
                                  .where(JobRun.outcome == "queued").order_by(JobRun.id)))
    claimed = []
    for run_id, job in queued:
        result = session.execute(
            update(JobRun).where(JobRun.id == run_id, JobRun.outcome == "queued")
            .values(outcome="running", started_at=clock(), host=HOST))
        if affected(result) == 1:
            claimed.append((run_id, job))
    session.commit()
    return claimed


def run_queued(session: DbSession, clock: Callable[[], datetime] = utcnow) -> int:
    """Run every queued request (the scheduler calls this every SCHEDULER_QUEUE_SECONDS)."""
    claimed = claim_queued(session, clock)
    for run_id, job in claimed:
        try:
            run_job(session, job, clock(), trigger="web", clock=clock, claimed_run_id=run_id)
        except UnknownJob:  # a job renamed since it was queued
            _finish(session, run_id, outcome="failed", finished_at=clock(),
                    error=f"未知任务“{job}”")
            session.commit()
    return len(claimed)


def mark_interrupted(session: DbSession, now: datetime) -> int:
    """Runs left ``running`` by a scheduler that died: called by the one that takes over."""
    result = session.execute(
        update(JobRun).where(JobRun.outcome == "running",
                             JobRun.trigger.in_(("scheduler", "startup", "web")))
        .values(outcome="interrupted", finished_at=now, error="调度进程在任务运行中退出")
    )
    return affected(result)


def error_summary(run: JobRun) -> str:
    """The first line of a run's error (the message, without the traceback)."""
    return (run.error or "").split("\n", 1)[0]


def counts_text(counts: dict[str, Any] | None) -> str:
    """Counts as 'key=value, …' for lists and CLI output."""
    return "，".join(f"{k}={v}" for k, v in (counts or {}).items()) or "—"
