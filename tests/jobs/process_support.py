"""A separate, committed database for tests that start real processes (the scheduler, the CLI):
a fresh SQLite file, or a fresh schema in the PostgreSQL test database."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from cultivation import create_app
from cultivation.extensions import db

CLI = str(Path(sys.executable).parent / "cultivation")


@dataclass
class ProcessDatabase:
    url: str
    app: Flask

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a ``cultivation`` subprocess on this database."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CULTIVATION_")}
        env.update({"CULTIVATION_ENV": "development", "CULTIVATION_DATABASE_URL": self.url,
                    "CULTIVATION_BASE_URL": "http://testserver", "PYTHONUNBUFFERED": "1"})
        env.update(extra)
        return env


def process_database(tmp_path: Path) -> Iterator[ProcessDatabase]:
    """Yield a migrated database that subprocesses can share; dropped afterwards."""
    base = os.environ.get("CULTIVATION_TEST_DATABASE_URL")
    schema = None
    if base:
        schema = f"proc_{uuid.uuid4().hex[:10]}"
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'process.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    try:
        yield ProcessDatabase(url, app)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema is not None:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


@dataclass
class Proc:
    """A running ``cultivation`` subprocess whose stderr+stdout lines are collected."""

    popen: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, args: list[str], env: dict[str, str]) -> Proc:
        popen = subprocess.Popen([CLI, *args], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        proc = cls(popen)
        threading.Thread(target=proc._read, daemon=True).start()
        return proc

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))

    def said(self, fragment: str) -> bool:
        return any(fragment in line for line in self.lines)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(timeout=10)


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


def seed_reminder_world(pdb: ProcessDatabase, opens_on: date, *, email: str) -> None:
    """Commit one advisor with one eligible 高企 candidate and a window opening on ``opens_on``
    with a reminder due today (7 days before)."""
    from cultivation.accounts.models import User
    from cultivation.enterprises.credit_code import make_code
    from cultivation.enterprises.models import Enterprise
    from cultivation.portfolios.models import PortfolioAssignment
    from cultivation.screening.models import Evaluation, ScreeningRun
    from cultivation.windows.models import ApplicationWindow

    with pdb.app.app_context():
        advisor = User(username="proc-advisor", display_name="进程测试指导员", role="advisor",
                       email=email, password_hash="x")
        other = User(username="proc-other", display_name="无候选指导员", role="advisor",
                     email="other@example.test", password_hash="x")
        firm = Enterprise(credit_code=make_code("91331024", "80000001"),
                          name="仙居进程科技有限公司", town="安洲街道")
        db.session.add_all([advisor, other, firm])
        db.session.flush()
        db.session.add(PortfolioAssignment(enterprise_id=firm.id, advisor_id=advisor.id,
                                           started_on=date(2020, 1, 1)))
        run = ScreeningRun(as_of=date(2020, 1, 1), firms=1, evaluations=1)
        db.session.add(run)
        db.session.flush()
        db.session.add(Evaluation(run_id=run.id, enterprise_id=firm.id, rules="hnte",
                                  as_of=run.as_of, outcome="eligible",
                                  details={"criteria": []}, failed=[]))
        db.session.add(ApplicationWindow(programme="hnte", year=opens_on.year, batch="进程测试",
                                         opens_on=opens_on, closes_on=opens_on.replace(
                                             year=opens_on.year + 1), remind_days=[7]))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
