"""The scheduler process: its options, its time zone, the database lock, and two real scheduler
processes on one database producing each reminder exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from process_support import (
    CLI,
    Proc,
    ProcessDatabase,
    process_database,
    seed_reminder_world,
    wait_for,
)
from schedule_support import SmtpServer, compose_settings, mail_settings
from sqlalchemy import func, select

from cultivation.extensions import db
from cultivation.jobs.registry import all_jobs
from cultivation.mail.models import OutboxMessage
from cultivation.scheduling.lock import AdvisoryLock, LeaseLock, make_lock
from cultivation.scheduling.models import JobRun
from cultivation.scheduling.scheduler import build_scheduler


@pytest.fixture
def pdb(tmp_path: Path) -> Iterator[ProcessDatabase]:
    yield from process_database(tmp_path)


def test_every_job_is_scheduled_under_its_stable_id_with_safe_defaults(app: Flask) -> None:
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {*all_jobs(), "queued-runs"}
    queued = jobs.pop("queued-runs")  # 立即运行 requests from the web page, every few seconds
    assert queued.trigger.interval.total_seconds() == 5
    assert queued.max_instances == 1
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == 6 * 3600
        assert str(job.trigger.timezone) == "Asia/Shanghai"


def test_a_machine_on_utc_still_fires_the_reminders_at_eight_in_shanghai(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        job = build_scheduler(app).get_job("window-reminders")
        after = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
        fire = job.trigger.get_next_fire_time(None, after)
        assert fire.astimezone(UTC) == datetime(2026, 6, 2, 0, 0, tzinfo=UTC)
        assert fire.astimezone(ZoneInfo("Asia/Shanghai")).hour == 8
    finally:
        monkeypatch.undo()
        time.tzset()


def test_jobs_list_on_a_utc_machine_shows_shanghai_times(pdb: ProcessDatabase) -> None:
    result = subprocess.run([CLI, "jobs", "list"], env=pdb.env(TZ="UTC"), capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("window-reminders"))
    assert "08:00｜最近" in line


def test_only_one_process_holds_the_lock_and_another_takes_it_over(
        pdb: ProcessDatabase) -> None:
    with pdb.app.app_context():
        engine = db.engine
        first = make_lock(engine, timedelta(seconds=30))
        second = make_lock(engine, timedelta(seconds=30))
        expected = AdvisoryLock if engine.dialect.name == "postgresql" else LeaseLock
        assert isinstance(first, expected)
        assert first.acquire()
        try:
            assert not second.acquire()
            assert first.renew()
        finally:
            first.release()
        assert second.acquire()
        second.release()


def test_an_expired_lease_is_taken_over_and_the_old_holder_notices(pdb: ProcessDatabase) -> None:
    with pdb.app.app_context():
        now = datetime(2026, 6, 1, tzinfo=UTC)
        old = LeaseLock(db.engine, timedelta(seconds=30))
        new = LeaseLock(db.engine, timedelta(seconds=30))
        assert old.acquire(now)
        assert not new.acquire(now + timedelta(seconds=29))
        assert new.acquire(now + timedelta(seconds=31))
        assert not old.renew(now + timedelta(seconds=32))
        assert new.renew(now + timedelta(seconds=32))
        new.release()


def _local_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _count(pdb: ProcessDatabase, stmt: object) -> int:
    with pdb.app.app_context():
        try:
            return int(db.session.scalar(stmt) or 0)  # type: ignore[arg-type]
        finally:
            db.session.remove()


def test_two_scheduler_processes_send_each_reminder_exactly_once(
        pdb: ProcessDatabase, smtp_server: SmtpServer) -> None:
    seed_reminder_world(pdb, _local_today() + timedelta(days=7), email="advisor@example.test")
    env = pdb.env(CULTIVATION_MAIL_BACKEND="smtp", CULTIVATION_MAIL_HOST="127.0.0.1",
                  CULTIVATION_MAIL_PORT=str(smtp_server.port), CULTIVATION_MAIL_TIMEOUT="5")
    args = ["scheduler", "--poll", "0.5", "--lease", "3",
            "--run-at-start", "window-reminders", "--run-at-start", "outbox"]
    first = Proc.start(args, env)
    second: Proc | None = None
    try:
        wait_for(lambda: first.said("已取得调度锁"), 60, f"the first lock\n{first.output}")
        second = Proc.start(args, env)
        wait_for(lambda: second.said("等待调度锁"), 60, f"the second to wait\n{second.output}")
        wait_for(lambda: len(smtp_server.received.messages) >= 1, 60,
                 f"the reminder\n{first.output}")
        assert not second.said("已取得调度锁")

        first.popen.send_signal(signal.SIGKILL)  # dies without releasing anything
        first.popen.wait(timeout=10)
        wait_for(lambda: second.said("已取得调度锁"), 60, f"the take-over\n{second.output}")
        startup_outbox = (select(func.count(JobRun.id))
                          .where(JobRun.job == "outbox", JobRun.trigger == "startup",
                                 JobRun.outcome == "success"))
        wait_for(lambda: _count(pdb, startup_outbox) == 2, 60,
                 f"the second's start-up run\n{second.output}")

        assert len(smtp_server.received.messages) == 1
        assert smtp_server.received.envelopes[0][1] == ["advisor@example.test"]
        assert "仙居进程科技有限公司" in smtp_server.received.messages[0].get_body(
            ("plain",)).get_content()
        assert _count(pdb, select(func.count(OutboxMessage.id))) == 1
        assert _count(pdb, select(func.count(OutboxMessage.id))
                      .where(OutboxMessage.status == "sent")) == 1

        second.popen.send_signal(signal.SIGTERM)
        assert second.popen.wait(timeout=30) == 0
        assert second.said("调度进程已停止")
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_two_manual_runs_at_the_same_time_queue_one_message(pdb: ProcessDatabase) -> None:
    opens_on = date(2026, 7, 1)
    seed_reminder_world(pdb, opens_on, email="advisor@example.test")
    as_of = (opens_on - timedelta(days=7)).isoformat()
    procs = [subprocess.Popen([CLI, "jobs", "run", "window-reminders", "--as-of", as_of],
                              env=pdb.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert _count(pdb, select(func.count(OutboxMessage.id))) == 1
    assert sorted("已排队邮件 1" in o for o in outputs) == [False, True]


def test_the_web_app_never_starts_or_even_imports_a_scheduler(tmp_path: Path) -> None:
    code = ("import sys, threading; from cultivation import create_app; "
            f"app = create_app({{'TESTING': True, 'SQLALCHEMY_DATABASE_URI': "
            f"'sqlite:///{tmp_path / 'web.db'}'}}); app.test_client().get('/login'); "
            "print(sorted(m for m in sys.modules if m.startswith('apscheduler.schedulers')), "
            "[t.name for t in threading.enumerate() if t.name != 'MainThread'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False, cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] []"


def test_a_scheduler_on_an_unmigrated_database_says_so_and_exits(tmp_path: Path) -> None:
    from cultivation import create_app
    from cultivation.scheduling.scheduler import run_scheduler

    empty = create_app({"TESTING": True,
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"})
    said: list[str] = []
    code = run_scheduler(empty, poll_seconds=0.1, lease_seconds=3, echo=said.append)
    assert code == 2
    assert "cultivation db upgrade" in said[0]


def test_a_scheduler_that_loses_its_lock_shuts_down() -> None:
    import threading

    from cultivation.scheduling.scheduler import _add_heartbeat

    class Lost:
        def renew(self) -> bool:
            return False

    class FakeScheduler:
        def __init__(self) -> None:
            self.beat = None
            self.stopped = False

        def add_job(self, func: object, **kwargs: object) -> None:
            self.beat = func
            assert kwargs["executor"] == "lock"

        def shutdown(self, wait: bool = True) -> None:
            self.stopped = not wait

    scheduler, lost = FakeScheduler(), threading.Event()
    _add_heartbeat(scheduler, Lost(), lost, 3)  # type: ignore[arg-type]
    scheduler.beat()  # type: ignore[misc]
    assert lost.is_set()
    assert scheduler.stopped


def test_two_dispatchers_at_once_send_every_message_exactly_once(
        pdb: ProcessDatabase, smtp_server: SmtpServer) -> None:
    import threading

    from cultivation.accounts.models import User
    from cultivation.mail.dispatch import dispatch
    from cultivation.mail.services import enqueue

    now = datetime(2026, 6, 1, tzinfo=UTC)
    with pdb.app.app_context():
        user = User(username="many", display_name="多封", role="advisor",
                    email="many@example.test", password_hash="x")
        db.session.add(user)
        db.session.flush()
        for n in range(30):
            enqueue(db.session, dedup_key=f"bulk:{n}", recipient=user, subject=f"第{n}封",
                    template="followups", context={"items": []}, now=now,
                    settings=compose_settings())
        db.session.commit()
        db.session.remove()
    config = smtp_server.config(pdb.app, MAIL_BATCH=100)
    results: list[dict[str, int]] = []

    def work() -> None:
        with pdb.app.app_context():
            try:
                results.append(dispatch(db.session, now, settings=mail_settings(config)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    subjects = sorted(str(m["Subject"]) for m in smtp_server.received.messages)
    assert sum(r["sent"] for r in results) == 30
    assert subjects == sorted(f"第{n}封" for n in range(30))
    assert _count(pdb, select(func.count(OutboxMessage.id))
                  .where(OutboxMessage.status == "sent")) == 30


def test_the_scheduler_process_runs_what_the_web_page_queued(pdb: ProcessDatabase) -> None:
    from cultivation.scheduling.services import queue_job

    with pdb.app.app_context():
        run = queue_job(db.session, "followups", datetime.now(UTC), actor="admin")
        run_id = run.id
        db.session.commit()
        db.session.remove()
    proc = Proc.start(["scheduler", "--poll", "0.5", "--lease", "3"],
                      pdb.env(CULTIVATION_SCHEDULER_QUEUE_SECONDS="1"))
    try:
        done = select(func.count(JobRun.id)).where(JobRun.id == run_id,
                                                   JobRun.outcome == "success")
        wait_for(lambda: _count(pdb, done) == 1, 60, f"the queued run\n{proc.output}")
    finally:
        proc.stop()
