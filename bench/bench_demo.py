"""Benchmark ``load_demo`` (the rows: firms, figures, certificates, institutions, portfolios,
visits, flags; without the seeders that follow it) against its floor: a bulk copy of the same
rows into an empty database (COPY on PostgreSQL, executemany on SQLite), same run. Each load
runs in its own process, so its peak RSS is its own.

Run: ``.venv/bin/python bench/bench_demo.py [SIZES …]`` (default 800 5000 10000) — SQLite in a
temporary file, or ``CULTIVATION_DATABASE_URL`` (a PostgreSQL database whose name contains
``bench``: its schema is dropped). Prints one table. Figures, not a test.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TODAY = date(2026, 11, 28)
TABLES = ("users", "enterprises", "fiscal_year_figures", "qualifications", "rd_institutions",
          "portfolio_assignments", "visits", "enterprise_flags")


def _fresh(url: str) -> Any:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from cultivation import create_app
    from cultivation.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            assert "bench" in url.rsplit("/", 1)[-1], "only a database named *bench* is wiped"
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
    return app


def child(firms: int, url: str) -> dict[str, Any]:
    """Load the demo into a fresh database, then copy its rows into another fresh one."""
    from sqlalchemy import select

    from cultivation.demo.bulk import write_rows
    from cultivation.demo.services import load_demo
    from cultivation.extensions import db

    app = _fresh(url)
    with app.app_context():
        started = time.perf_counter()
        load_demo(db.session, firms=firms, seed=2026, today=TODAY, seeders=[])
        db.session.commit()
        seconds = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tables = [db.metadata.tables[name] for name in TABLES]
        rows = {t.name: [dict(r._mapping) for r in db.session.execute(select(t))]
                for t in tables}
        db.session.remove()
        db.engine.dispose()
    counts = {name: len(r) for name, r in rows.items()}
    app = _fresh(url.replace(".db", "-floor.db") if url.startswith("sqlite") else url)
    with app.app_context():
        started = time.perf_counter()
        for table in tables:
            write_rows(db.session, table, rows[table.name])
        db.session.commit()
        floor = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return {"firms": firms, "seconds": seconds, "floor": floor, "rss": rss, "counts": counts}


def main(argv: list[str]) -> None:
    logging.disable(logging.INFO)  # alembic and the audit log chatter
    if argv[:1] == ["--child"]:
        print(json.dumps(child(int(argv[1]), argv[2])))
        return
    sizes = [int(a) for a in argv] or [800, 5000, 10_000]
    url = os.environ.get("CULTIVATION_DATABASE_URL")
    print(f"load_demo (rows only), seed 2026, today {TODAY}, "
          f"{'PostgreSQL' if url else 'SQLite'}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| firms | load | floor: bulk copy of the same rows | ratio | peak RSS | rows |")
    print("|---|---|---|---|---|---|")
    for firms in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            target = url or f"sqlite:///{tmp}/bench.db"
            done = subprocess.run([sys.executable, __file__, "--child", str(firms), target],
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"| {firms:,} | failed: {done.stderr.strip().splitlines()[-1:]} |")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
        total = sum(r["counts"].values())
        print(f"| {firms:,} | {r['seconds']:.1f} s | {r['floor']:.1f} s | "
              f"{r['seconds'] / r['floor']:.1f}× | {r['rss']:.0f} MB | {total:,} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
