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

from cultivation.database import DbSession, utcnow
from cultivation.jobs.registry import get_job
from cultivation.scheduling.effects import affected
from cultivation.scheduling.models import JobRun

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
) -> JobRun:
    """Run job ``name`` as of ``now``: a JobRun is committed first (visible while running), the
    body's work is committed once on success or rolled back on failure, then the JobRun gets its
    outcome, counts and error. Raises ``UnknownJob`` for a bad name; never raises for a failing
    body (the JobRun says what went wrong)."""
    spec = get_job(name)
    run = JobRun(job=name, trigger=trigger, as_of=now, started_at=clock(), outcome="running",
                 host=HOST, actor=actor)
    session.add(run)
    session.flush()
    run_id = run.id  # read before the commit: reading it after would start with a SELECT
    session.commit()
    try:
        # Open the job's transaction with a write: on SQLite a concurrent job then waits for the
        # write lock (busy timeout) instead of failing when its reads try to become writes.
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


def mark_interrupted(session: DbSession, now: datetime) -> int:
    """Runs left ``running`` by a scheduler that died: called by the one that takes over."""
    result = session.execute(
        update(JobRun).where(JobRun.outcome == "running", JobRun.trigger.in_(("scheduler",
                                                                              "startup")))
        .values(outcome="interrupted", finished_at=now, error="调度进程在任务运行中退出")
    )
    return affected(result)


def error_summary(run: JobRun) -> str:
    """The first line of a run's error (the message, without the traceback)."""
    return (run.error or "").split("\n", 1)[0]


def counts_text(counts: dict[str, Any] | None) -> str:
    """Counts as 'key=value, …' for lists and CLI output."""
    return "，".join(f"{k}={v}" for k, v in (counts or {}).items()) or "—"
