"""Run a job once with JobRun bookkeeping; the one place a job's transaction is committed."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from cultivation.database import utcnow
from cultivation.scheduling.models import JobRun
from cultivation.scheduling.registry import get_job

log = logging.getLogger(__name__)

RETENTION = timedelta(days=90)  # successful runs older than this are pruned (outbox: 1440/day)
HOST = f"{socket.gethostname()}:{os.getpid()}"


def run_job(
    session: Session,
    name: str,
    now: datetime,
    *,
    trigger: str = "cli",
    actor: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> JobRun:
    """Run job ``name`` as of ``now``: a JobRun is committed first (visible while running), the
    body's work is committed once on success or rolled back on failure, then the JobRun gets its
    outcome, counts and error. Raises ``UnknownJob`` for a bad name; never raises for a failing
    body (the JobRun says what went wrong)."""
    spec = get_job(name)
    run = JobRun(job=name, trigger=trigger, as_of=now, started_at=clock(), outcome="running",
                 host=HOST, actor=actor)
    session.add(run)
    session.commit()
    run_id = run.id
    try:
        # Open the job's transaction with a write: on SQLite a concurrent job then waits for the
        # write lock (busy timeout) instead of failing when its reads try to become writes.
        session.execute(update(JobRun).where(JobRun.id == run_id).values(host=HOST))
        counts = spec.body(session, now)
        session.commit()
    except Exception as exc:  # every failure is recorded; none may kill the scheduler
        session.rollback()
        log.exception("job %s failed", name)
        run = session.get(JobRun, run_id) or run
        run.outcome = "failed"
        run.error = f"{exc}\n\n{traceback.format_exc()[-4000:]}"
        run.finished_at = clock()
        session.commit()
        return run
    run = session.get(JobRun, run_id) or run
    run.outcome = "success"
    run.counts = {k: v for k, v in (counts or {}).items() if isinstance(v, int | float | str)}
    run.finished_at = clock()
    session.execute(delete(JobRun).where(JobRun.job == name, JobRun.outcome == "success",
                                         JobRun.started_at < run.finished_at - RETENTION))
    session.commit()
    log.info("job %s done: %s", name, run.counts)
    return run


def mark_interrupted(session: Session, now: datetime) -> int:
    """Runs left ``running`` by a scheduler that died: called by the one that takes over."""
    result = session.execute(
        update(JobRun).where(JobRun.outcome == "running", JobRun.trigger.in_(("scheduler",
                                                                              "startup")))
        .values(outcome="interrupted", finished_at=now, error="调度进程在任务运行中退出")
    )
    return int(result.rowcount or 0)


def error_summary(run: JobRun) -> str:
    """The first line of a run's error (the message, without the traceback)."""
    return (run.error or "").split("\n", 1)[0]


def counts_text(counts: dict[str, Any] | None) -> str:
    """Counts as 'key=value, …' for lists and CLI output."""
    return "，".join(f"{k}={v}" for k, v in (counts or {}).items()) or "—"
