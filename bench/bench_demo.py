"""Benchmark ``load_demo``: 800 and 5,000 firms into a fresh temporary SQLite database.

Run: ``.venv/bin/python bench/bench_demo.py`` — prints the generation time (pure Python), the
load time (generation + bulk inserts + commit) and the row counts. Figures, not a test.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from cultivation import create_app  # noqa: E402
from cultivation.accounts.models import User  # noqa: E402
from cultivation.demo.generator import build_plan  # noqa: E402
from cultivation.demo.services import load_demo  # noqa: E402
from cultivation.enterprises.models import Enterprise, FiscalYearFigures  # noqa: E402
from cultivation.extensions import db  # noqa: E402
from cultivation.portfolios.models import PortfolioAssignment  # noqa: E402
from cultivation.qualifications.models import Qualification, RDInstitution  # noqa: E402
from cultivation.regions import load_region  # noqa: E402
from cultivation.visits.models import Visit  # noqa: E402

TODAY = date(2026, 11, 28)
SIZES = (800, 5000)
TABLES = (Enterprise, FiscalYearFigures, Qualification, RDInstitution, User, PortfolioAssignment,
          Visit)


def bench(firms: int) -> None:
    """Load ``firms`` firms into an empty database and print the figures."""
    started = time.perf_counter()
    build_plan(firms, 2026, load_region(), TODAY)
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            load_demo(db.session, firms=firms, seed=2026, today=TODAY)
            db.session.commit()
            loaded = time.perf_counter() - started
            counts = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
                      for m in TABLES}
            db.session.remove()
            db.engine.dispose()
    rows = sum(n or 0 for n in counts.values())
    print(f"{firms:>5} firms: generate {generated:5.2f} s, load+commit {loaded:5.2f} s "
          f"({rows / loaded:,.0f} rows/s)")
    print("        " + ", ".join(f"{name} {n}" for name, n in counts.items()))


def main() -> None:
    logging.disable(logging.INFO)  # alembic and the audit log chatter
    print("load_demo on SQLite (temporary file), seed 2026, today", TODAY)
    for firms in SIZES:
        bench(firms)


if __name__ == "__main__":
    main()
