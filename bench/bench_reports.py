"""Benchmark the report pages on demo-sized data (800 and 5,000 firms).

Run: ``.venv/bin/python bench/bench_reports.py`` (SQLite, a temporary file) or with
``CULTIVATION_BENCH_DATABASE_URL=postgresql+psycopg://…`` (that database's public schema is
dropped and rebuilt). Loads the demo data, takes a year of weekly 三覆盖 snapshots, logs in as an
admin and prints, per page: the median time of 5 requests and the SQL statements it issued.
Figures, not a test.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, select, text  # noqa: E402

from cultivation import create_app  # noqa: E402
from cultivation.accounts.models import User  # noqa: E402
from cultivation.demo.services import load_demo  # noqa: E402
from cultivation.enterprises.models import Enterprise  # noqa: E402
from cultivation.extensions import db  # noqa: E402
from cultivation.qualifications.models import Qualification  # noqa: E402
from cultivation.reports.snapshots import take_coverage_snapshot  # noqa: E402
from cultivation.targets.services import ensure_plans  # noqa: E402

TODAY = date(2026, 11, 28)
SIZES = (800, 5000)
RUNS = 5
PAGES = [
    "/",
    "/reports/funnel",
    "/reports/funnel?as_of=2024-06-30&town=横溪镇",
    "/reports/flows",
    "/reports/coverage",
    "/reports/targets",
    "/reports/workload",
    "/reports/funnel?format=xlsx",
    "/reports/coverage?format=xlsx",
    "/api/v1/reports/funnel?as_of=2025-12-31",
    "/api/v1/reports/coverage",
]


def _prepare(url: str) -> None:
    if url.startswith("postgresql"):
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def bench(firms: int, url: str) -> None:
    """Load ``firms`` demo firms and time every report page."""
    _prepare(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    logging.getLogger("cultivation").setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        load_demo(db.session, firms=firms, seed=2026, today=TODAY)
        admin = User(username="bench-admin", display_name="基准管理员", role="admin")
        admin.set_password("bench-password-123")
        db.session.add(admin)
        ensure_plans(db.session)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # A bulk load leaves the planner without statistics until autovacuum runs.
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        for week in range(52):
            take_coverage_snapshot(db.session, datetime(2025, 12, 1, 4, tzinfo=UTC)
                                   + timedelta(weeks=week))
        db.session.commit()
        loaded = time.perf_counter() - started
        n_firms = db.session.scalar(select(func.count()).select_from(Enterprise))
        n_quals = db.session.scalar(select(func.count()).select_from(Qualification))
        from cultivation.accounts.services import issue_token

        token = issue_token(db.session, admin, label="bench")
        db.session.commit()
        db.session.remove()
    print(f"\n{n_firms} firms, {n_quals} qualifications ({url.split(':')[0]}); "
          f"loaded with 52 weekly snapshots in {loaded:.1f} s")
    client = app.test_client()
    client.post("/login", data={"username": "bench-admin", "password": "bench-password-123"})
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a: statements.append(a[2]))
    for page in PAGES:
        headers = {"Authorization": f"Bearer {token}"} if page.startswith("/api/") else {}
        times = []
        for _ in range(RUNS):
            statements.clear()
            t0 = time.perf_counter()
            response = client.get(page, headers=headers)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, (page, response.status_code)
        print(f"  {page:<48} median {statistics.median(times) * 1000:7.1f} ms  "
              f"max {max(times) * 1000:7.1f} ms  {len(statements):>3} statements")


def main() -> None:
    logging.getLogger("cultivation").setLevel(logging.WARNING)
    url = os.environ.get("CULTIVATION_BENCH_DATABASE_URL")
    for firms in SIZES:
        if url:
            bench(firms, url)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                bench(firms, f"sqlite:///{tmp}/bench.db")


if __name__ == "__main__":
    main()
