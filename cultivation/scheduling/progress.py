"""Progress of a running job, shown on its run page (立即运行): ``report_progress(message)``.

The job runner (scheduling.services.run_job) installs a writer for the run; a job body reports
through ``report_progress`` without knowing about JobRun rows. On PostgreSQL the message is written
on its own connection (visible at once); on SQLite it is a no-op (one writer at a time, and the
job's own transaction holds it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar

from sqlalchemy import text, update

from cultivation.database import DbSession
from cultivation.scheduling.models import JobRun

log = logging.getLogger(__name__)

PROGRESS: ContextVar[Callable[[str], None] | None] = ContextVar("job_progress", default=None)


def report_progress(message: str) -> None:
    """Show ``message`` (e.g. "已处理 3,000 / 10,000 家企业") on the running job's page. A no-op
    outside a job, and on SQLite (one writer at a time: the job's own transaction holds it)."""
    writer = PROGRESS.get()
    if writer is not None:
        writer(message)


def progress_writer(session: DbSession, run_id: int) -> Callable[[str], None] | None:
    """The writer ``run_job`` installs for run ``run_id`` (None on SQLite)."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        return None
    engine = bind.engine  # a Connection's engine, or the Engine itself

    def write(message: str) -> None:
        try:  # its own connection and transaction: visible at once, whatever the job does
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '2s'"))  # never wait on the job
                conn.execute(update(JobRun).where(JobRun.id == run_id)
                             .values(counts={"progress": message}))
        except Exception:  # progress is a courtesy: never fail the job over it
            log.warning("could not record the progress of job run %s", run_id, exc_info=True)

    return write
