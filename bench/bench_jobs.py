"""Benchmark the daily jobs on the demo data: screening, window reminders, expiry, follow-ups,
then the outbox dispatcher sending every queued message (plus 500 extra) to a loopback SMTP
server (aiosmtpd).

Run: ``.venv/bin/python bench/bench_jobs.py [firms]`` (default 800) — prints each job's time and
counts, and the dispatcher's messages per second. Uses a fresh temporary SQLite database, or
``CULTIVATION_BENCH_DATABASE_URL`` (an empty database) when set. Figures, not a test.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from cultivation import create_app  # noqa: E402
from cultivation.demo.services import load_demo  # noqa: E402
from cultivation.extensions import db  # noqa: E402
from cultivation.mail.services import enqueue  # noqa: E402
from cultivation.scheduling.services import counts_text, run_job  # noqa: E402
from cultivation.settings import settings_from  # noqa: E402
from cultivation.web.clock import run_time_on  # noqa: E402
from cultivation.windows.models import ApplicationWindow  # noqa: E402

TODAY = date(2026, 6, 24)
EXTRA_MESSAGES = 500


class Sink:
    received = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        Sink.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(firms: int) -> None:
    logging.disable(logging.INFO)
    tmp = tempfile.mkdtemp()
    url = os.environ.get("CULTIVATION_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_BACKEND": "smtp",
                      "MAIL_HOST": "127.0.0.1", "MAIL_PORT": port, "MAIL_BATCH": 100_000})
    with app.app_context():
        upgrade()
        load_demo(db.session, firms=firms, today=TODAY)
        # A window opening in 7 days with a 7-day reminder: every advisor with candidates gets one.
        db.session.add(ApplicationWindow(programme="hnte", year=2026, batch="基准", remind_days=[7],
                                         opens_on=TODAY + timedelta(days=7),
                                         closes_on=TODAY + timedelta(days=60)))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # fresh tables: give the planner statistics
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        now = run_time_on(TODAY)
        for n in range(EXTRA_MESSAGES):  # enough mail for a dispatcher throughput figure
            enqueue(db.session, dedup_key=f"bench:{n}", to=f"bench{n}@example.test",
                    subject=f"基准邮件{n}", template="followups", context={"items": []},
                    now=now, kind="alert", settings=settings_from(app.config).reminders.compose)
        db.session.commit()
        print(f"{firms} demo firms, as of {TODAY}, database {db.engine.dialect.name}")
        for job in ("screening", "window-reminders", "expiry", "annual-report", "followups",
                    "leader-digest", "outbox"):
            started = time.perf_counter()
            run = run_job(db.session, job, now)
            elapsed = time.perf_counter() - started
            print(f"  {job:<17} {elapsed:7.2f} s  {run.outcome:<8} {counts_text(run.counts)}")
            if job == "outbox" and run.counts and run.counts.get("sent"):
                print(f"  {'':<17} {run.counts['sent'] / elapsed:7.1f} messages/s over SMTP "
                      f"(server received {Sink.received})")
    controller.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 800)
