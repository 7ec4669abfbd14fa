"""Benchmark the working tools of the 企业库 and the 培育库 on the demo (800 firms): the list
pages' size and time (as an admin and as an advisor, with 5 saved filters), and each bulk action
on a full page of 50 ticked firms — time and SQL statements.

Run: ``.venv/bin/python bench/bench_worklists.py`` (SQLite, a temporary file) or with
``CULTIVATION_BENCH_DATABASE_URL=postgresql+psycopg://…`` (that database's public schema is
dropped and rebuilt). ``--pages-only`` measures only the list pages (runs on a checkout without
the working tools, for a before / after comparison). Figures, not a test.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select, text  # noqa: E402

from cultivation import create_app  # noqa: E402
from cultivation.accounts.models import User  # noqa: E402
from cultivation.demo.services import load_demo  # noqa: E402
from cultivation.enterprises.models import Enterprise  # noqa: E402
from cultivation.extensions import db  # noqa: E402
from cultivation.portfolios.models import PortfolioAssignment  # noqa: E402

TODAY = date(2026, 12, 6)
RUNS = 7
PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway benchmark database
PAGES = ["/enterprises", "/enterprises?scope=all", "/screening/candidates",
         "/screening/candidates?rules=zj-tech-sme"]


def _prepare(url: str) -> None:
    if url.startswith("postgresql"):
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def _timed(client: object, method: str, path: str, statements: list[str],
           **kwargs: object) -> tuple[float, int, int]:
    """Median ms, response bytes and statements of ``RUNS`` requests."""
    times, size = [], 0
    for _ in range(RUNS):
        statements.clear()
        t0 = time.perf_counter()
        response = getattr(client, method)(path, **kwargs)
        times.append(time.perf_counter() - t0)
        assert response.status_code in (200, 303), (path, response.status_code)
        size = len(response.get_data())
    return statistics.median(times) * 1000, size, len(statements)


def bench(url: str, pages_only: bool) -> None:
    _prepare(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    logging.getLogger("cultivation").setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
        load_demo(db.session, firms=800, seed=2026, today=TODAY)
        admin = User(username="bench-admin", display_name="基准管理员", role="admin")
        admin.set_password(PASSWORD)
        db.session.add(admin)
        advisor = db.session.scalars(select(User).where(User.role == "advisor")
                                     .order_by(User.id)).first()
        assert advisor is not None
        advisor.set_password(PASSWORD)
        advisor_name = advisor.username
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        ids = list(db.session.scalars(select(Enterprise.id).where(
            Enterprise.deleted_at.is_(None)).order_by(Enterprise.name).limit(50)))
        db.session.remove()
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    print(f"\n800 demo firms ({url.split(':')[0]})")
    for who in ("bench-admin", advisor_name):
        client = app.test_client()
        client.post("/login", data={"username": who, "password": PASSWORD})
        if not pages_only:
            for n in range(5):
                client.post(f"/saved-filters/enterprises?town=安洲街道&tier={n}",
                            data={"name": f"筛选{n}"})
                client.post(f"/saved-filters/candidates?outcome=eligible&town={n}",
                            data={"name": f"筛选{n}"})
        for page in PAGES:
            ms, size, count = _timed(client, "get", page, statements)
            print(f"  {who:<12} {page:<42} median {ms:6.1f} ms  {size / 1024:6.1f} KiB  "
                  f"{count:>3} statements")
    if pages_only:
        return
    client = app.test_client()
    client.post("/login", data={"username": "bench-admin", "password": PASSWORD})
    ticked = [str(i) for i in ids]
    day = (date.today() + timedelta(days=30)).isoformat()
    for action, extra in (("visits", {"planned_on": day, "note": "基准"}), ("export", {}),
                          ("assign", {"advisor": advisor_name})):
        ms, size, count = _timed(client, "post", "/bulk/enterprises", statements,
                                 data={"action": action, "ids": ticked, **extra})
        print(f"  bulk {action:<7} 50 firms: median {ms:6.1f} ms  {count:>3} statements"
              + (f"  {size / 1024:.1f} KiB xlsx" if action == "export" else ""))
    with app.app_context():
        held = db.session.scalar(select(PortfolioAssignment.id).where(
            PortfolioAssignment.enterprise_id == ids[0], PortfolioAssignment.ended_on.is_(None)))
        assert held is not None


def main() -> None:
    logging.getLogger("cultivation").setLevel(logging.WARNING)
    pages_only = "--pages-only" in sys.argv
    url = os.environ.get("CULTIVATION_BENCH_DATABASE_URL")
    if url:
        bench(url, pages_only)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bench(f"sqlite:///{tmp}/bench.db", pages_only)


if __name__ == "__main__":
    main()
