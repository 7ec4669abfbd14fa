"""Benchmark ``prune_screening_history`` on four months of nightly runs over the demo firms.

Run: ``.venv/bin/python bench/bench_retention.py [FIRMS [DAYS]]`` (default 800 firms, 122 days:
1 March – 30 June). One real screening run, cloned set-based for every other day (same verdicts,
so the stored size is realistic), then the first prune (the backlog) and three nightly prunes.
Prints seconds, statements, rows deleted and the size of the evaluations table. A fresh temporary
SQLite database, or ``CULTIVATION_BENCH_DATABASE_URL`` (PostgreSQL: its public schema is dropped
and rebuilt, so point it at a scratch database). Figures, not a test.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, insert, literal, select, text  # noqa: E402

from cultivation import create_app  # noqa: E402
from cultivation.demo.services import load_demo  # noqa: E402
from cultivation.extensions import db  # noqa: E402
from cultivation.parameters.services import parameter_table  # noqa: E402
from cultivation.screening.models import Evaluation, ScreeningRun  # noqa: E402
from cultivation.screening.queries import latest_run  # noqa: E402
from cultivation.screening.retention import prune_screening_history  # noqa: E402
from cultivation.screening.services import run_screening  # noqa: E402

FIRST = date(2026, 3, 1)
KEEP_DAYS = 60
COPIED = ("enterprise_id", "rules", "outcome", "score_min", "score_max", "total_gap", "failed",
          "details", "created_at")


def _fresh(url: str) -> None:
    if url.startswith("postgresql"):
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def _clone(seed: dict[str, Any], day: date, previous_id: int) -> int:
    """A run as of ``day`` with the previous run's verdicts (two statements)."""
    run = ScreeningRun(as_of=day, previous_run_id=previous_id, started_at=_at(day),
                       finished_at=_at(day), **seed)
    db.session.add(run)
    db.session.flush()
    ev = Evaluation.__table__
    db.session.execute(insert(ev).from_select(
        ["run_id", "as_of", *COPIED],
        select(literal(run.id), literal(day), *[ev.c[name] for name in COPIED])
        .where(ev.c.run_id == previous_id)))
    return run.id


def _size(url: str) -> str:
    if url.startswith("postgresql"):
        size = db.session.scalar(text("SELECT pg_total_relation_size('evaluations')")) or 0
        return f"evaluations table + indexes {size / 2**20:,.0f} MiB"
    pages = db.session.scalar(text("PRAGMA page_count")) or 0
    free = db.session.scalar(text("PRAGMA freelist_count")) or 0
    page = db.session.scalar(text("PRAGMA page_size")) or 0
    return (f"SQLite file {pages * page / 2**20:,.0f} MiB, of which free (reused, or returned "
            f"by VACUUM) {free * page / 2**20:,.0f} MiB")


def bench(firms: int, days: int, url: str) -> None:
    """Load the firms, store ``days`` nightly runs, then prune as the nightly job would."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _fresh(url)
        load_demo(db.session, firms=firms, seed=2026, today=FIRST)
        parameter_table(db.session)
        # The demo load screens as of its day already; that run is the first night's.
        first = latest_run(db.session) or run_screening(db.session, as_of=FIRST, now=_at(FIRST))
        previous = first.id
        seed = {"firms": first.firms, "evaluations": first.evaluations, "summary": first.summary}
        last = FIRST + timedelta(days=days - 1)
        day = FIRST + timedelta(days=1)
        while day <= last:
            previous = _clone(seed, day, previous)
            day += timedelta(days=1)
        db.session.commit()
        rows = db.session.scalar(select(func.count()).select_from(Evaluation)) or 0
        print(f"{firms:>5} firms, {days} nightly runs {FIRST} – {last}: {rows:,} evaluations; "
              f"{_size(url)}")
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count)
        for night in range(4):
            today = last + timedelta(days=night)
            if night:
                previous = _clone(seed, today, previous)
                db.session.commit()
            statements = 0
            started = time.perf_counter()
            result = prune_screening_history(db.session, now=_at(today), keep_days=KEEP_DAYS)
            db.session.commit()
            elapsed = time.perf_counter() - started
            # After the first, a night's count includes the BEGIN of its transaction (SQLite).
            label = "first prune (backlog)" if night == 0 else f"nightly prune {today}"
            print(f"      {label:>25}: {elapsed:6.2f} s, {statements} statements, "
                  f"{result['pruned_runs']} runs / {result['pruned_evaluations']:,} evaluations "
                  f"pruned, {result['relinked_runs']} re-linked")
        event.remove(db.engine, "before_cursor_execute", count)
        runs = db.session.scalar(select(func.count()).select_from(ScreeningRun)) or 0
        rows = db.session.scalar(select(func.count()).select_from(Evaluation)) or 0
        print(f"      after: {runs} runs, {rows:,} evaluations; {_size(url)}")
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str]) -> None:
    logging.getLogger("cultivation").setLevel(logging.WARNING)
    firms = int(argv[0]) if argv else 800
    days = int(argv[1]) if len(argv) > 1 else 122
    url = os.environ.get("CULTIVATION_BENCH_DATABASE_URL")
    if url:
        bench(firms, days, url)
        return
    with tempfile.TemporaryDirectory() as tmp:
        bench(firms, days, f"sqlite:///{tmp}/bench.db")


if __name__ == "__main__":
    main(sys.argv[1:])
