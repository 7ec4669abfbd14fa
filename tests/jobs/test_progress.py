"""A running job's progress is visible to other connections at once (PostgreSQL), through the
writer ``run_job`` installs; on SQLite (one writer at a time) there is none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from process_support import ProcessDatabase, process_database
from sqlalchemy import create_engine, select

from cultivation.extensions import db
from cultivation.scheduling.models import JobRun
from cultivation.scheduling.progress import PROGRESS, progress_writer, report_progress


@pytest.fixture
def pdb(tmp_path: Path) -> Iterator[ProcessDatabase]:
    yield from process_database(tmp_path)


def test_progress_is_written_on_its_own_connection(pdb: ProcessDatabase) -> None:
    with pdb.app.app_context():
        run = JobRun(job="screening", trigger="web", as_of=datetime.now(UTC),
                     started_at=datetime.now(UTC), outcome="running")
        db.session.add(run)
        db.session.commit()
        writer = progress_writer(db.session, run.id)
        if db.engine.dialect.name == "sqlite":
            assert writer is None
            return
        assert writer is not None
        token = PROGRESS.set(writer)
        try:
            db.session.execute(select(JobRun.id)).all()  # the job's own transaction is open
            report_progress("已处理 1,000 / 10,000 家企业")
        finally:
            PROGRESS.reset(token)
        other = create_engine(pdb.url)
        with other.connect() as conn:
            counts = conn.execute(select(JobRun.counts).where(JobRun.id == run.id)).scalar_one()
        other.dispose()
        db.session.rollback()
    assert counts == {"progress": "已处理 1,000 / 10,000 家企业"}


def test_report_progress_outside_a_job_does_nothing() -> None:
    report_progress("无人接收")  # no writer installed: no error, no effect


def test_the_screening_job_reports_progress_without_waiting_on_its_own_row(
        pdb: ProcessDatabase) -> None:
    """The job's transaction must not hold a lock on its JobRun row that the progress writer
    (another connection) would wait for: the run finishes, its progress having been written."""
    import threading

    from screening_support import STRONG_FIELDS, strong_years

    from cultivation.enterprises.credit_code import make_code
    from cultivation.enterprises.models import Enterprise, FiscalYearFigures
    from cultivation.scheduling.services import run_job
    from cultivation.seeding import seed_database

    with pdb.app.app_context():
        seed_database(db.session)
        for n in range(3):
            firm = Enterprise(credit_code=make_code("91331024", f"{60000000 + n:08d}"),
                              name=f"进度测试企业{n}", town="安洲街道", **STRONG_FIELDS)
            db.session.add(firm)
            db.session.flush()
            for year, values in strong_years().items():
                db.session.add(FiscalYearFigures(enterprise_id=firm.id, year=year, **values))
        db.session.commit()
        db.session.remove()
    seen: list[JobRun] = []

    def work() -> None:
        with pdb.app.app_context():
            seen.append(run_job(db.session, "screening", datetime.now(UTC), trigger="web"))
            db.session.remove()

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the screening job hung on its own JobRun row"
    assert seen[0].outcome == "success", seen[0].error
    assert seen[0].counts is not None
    assert seen[0].counts["firms"] == 3
