"""Benchmark ``run_screening`` on the demo data set: 800 and 5,000 firms, three rule sets.

Run: ``.venv/bin/python bench/bench_screening.py [FIRMS ...]`` — a fresh temporary SQLite
database per size, or ``CULTIVATION_BENCH_DATABASE_URL`` (PostgreSQL: its public schema is
dropped and rebuilt, so point it at a scratch database). Prints seconds, SQL statements issued,
evaluations per second and the stored size of the verdicts. Figures, not a test.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, select, text  # noqa: E402

from cultivation import create_app  # noqa: E402
from cultivation.demo.services import load_demo  # noqa: E402
from cultivation.extensions import db  # noqa: E402
from cultivation.parameters.services import parameter_table  # noqa: E402
from cultivation.screening.models import Evaluation  # noqa: E402
from cultivation.screening.services import run_screening  # noqa: E402

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
SIZES = (800, 5000)


def _fresh(url: str) -> None:
    if url.startswith("postgresql"):
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


def bench(firms: int, url: str) -> None:
    """Load ``firms`` demo firms, then time two screening runs (the second diffs the first)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _fresh(url)
        load_demo(db.session, firms=firms, seed=2026, today=TODAY)
        parameter_table(db.session)  # seeding is a one-off, not part of a run
        db.session.commit()
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count)
        for label in ("first run ", "second run"):
            statements = 0
            started = time.perf_counter()
            run = run_screening(db.session, as_of=TODAY, now=NOW)
            db.session.commit()
            elapsed = time.perf_counter() - started
            print(f"{firms:>5} firms, {label}: {elapsed:6.2f} s, {statements:3d} statements, "
                  f"{run.evaluations / elapsed:8,.0f} evaluations/s "
                  f"(new {sum(run.summary['new'].values())}, "
                  f"dropped {sum(run.summary['dropped'].values())})")
        event.remove(db.engine, "before_cursor_execute", count)
        outcomes = run.summary["outcomes"]
        print("        " + "; ".join(f"{rules}: " + ", ".join(f"{k} {v}" for k, v in o.items())
                                     for rules, o in outcomes.items()))
        stored = db.session.scalar(select(func.count()).select_from(Evaluation)) or 0
        details = sum(len(str(d)) for d in db.session.scalars(
            select(Evaluation.details).where(Evaluation.run_id == run.id)))
        print(f"        {stored} evaluations stored; details of one run ≈ "
              f"{details / 2**20:.1f} MiB ({details / max(run.evaluations, 1):,.0f} chars each)")
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str]) -> None:
    logging.getLogger("cultivation").setLevel(logging.WARNING)
    sizes = [int(a) for a in argv] or list(SIZES)
    url = os.environ.get("CULTIVATION_BENCH_DATABASE_URL")
    for firms in sizes:
        if url:
            bench(firms, url)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            bench(firms, f"sqlite:///{tmp}/bench.db")


if __name__ == "__main__":
    main(sys.argv[1:])
