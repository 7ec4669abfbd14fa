"""The scheduler process: wait for the lock, then run every job on its cron schedule.

Never started by ``create_app``, a web worker or the tests' app: only ``cultivation scheduler``
calls ``run_scheduler``. Triggers are in the configured zone (``TIMEZONE``), so a machine whose
clock is UTC still fires the 08:00 jobs at 08:00 Asia/Shanghai.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import inspect

from cultivation.extensions import db
from cultivation.jobs.registry import all_jobs
from cultivation.scheduling.lock import AdvisoryLock, LeaseLock, make_lock
from cultivation.scheduling.models import SchedulerLock
from cultivation.scheduling.services import mark_interrupted, run_job, run_queued
from cultivation.web import clock

log = logging.getLogger(__name__)


def execute(app: Flask, names: Sequence[str], trigger: str) -> None:
    """Run jobs one after another in a fresh app context (APScheduler calls this)."""
    for name in names:
        with app.app_context():
            try:
                run_job(db.session, name, clock.now(), trigger=trigger)
            finally:
                db.session.remove()


def execute_queued(app: Flask) -> None:
    """Run the jobs asked for from the web page (立即运行): they never run in a web request."""
    with app.app_context():
        try:
            run_queued(db.session)
        finally:
            db.session.remove()


def build_scheduler(app: Flask, scheduler_cls: type[BaseScheduler] = BlockingScheduler
                    ) -> BaseScheduler:
    """A scheduler with every job under its stable id (the job name), in the configured zone."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    defaults = {
        "coalesce": True,  # many missed runs collapse into one
        "max_instances": 1,
        "misfire_grace_time": int(app.config["SCHEDULER_MISFIRE_HOURS"]) * 3600,
    }
    scheduler = scheduler_cls(
        timezone=zone,
        executors={
            # SQLite has one writer at a time: run jobs one by one there.
            "default": ThreadPoolExecutor(1 if sqlite else 4),
            "lock": ThreadPoolExecutor(1),  # the heartbeat never waits behind a long job
        },
        job_defaults=defaults,
    )
    for spec in all_jobs().values():
        scheduler.add_job(execute, trigger=spec.trigger(zone),
                          args=[app, [spec.name], "scheduler"], id=spec.name, name=spec.label,
                          replace_existing=True, **defaults)
    scheduler.add_job(execute_queued, trigger="interval", args=[app], id="queued-runs",
                      name="立即运行的任务", seconds=int(app.config["SCHEDULER_QUEUE_SECONDS"]),
                      replace_existing=True, coalesce=True, max_instances=1)
    return scheduler


def run_scheduler(app: Flask, *, poll_seconds: float, lease_seconds: float,
                  run_at_start: Sequence[str] = (), echo: Callable[[str], Any] = print,
                  stop: threading.Event | None = None) -> int:
    """Wait for the lock, schedule the jobs and block; returns 0 on a clean stop, 1 when the
    lock was lost (the process should exit and be restarted by its supervisor), 2 when the
    database has not been migrated."""
    stop = stop or threading.Event()
    with app.app_context():
        if not inspect(db.engine).has_table(SchedulerLock.__tablename__):
            echo("数据库尚未初始化（缺少调度表），请先运行 cultivation db upgrade")
            return 2
        lock = make_lock(db.engine, timedelta(seconds=lease_seconds))
    waiting_said = False
    while not lock.acquire():
        if not waiting_said:
            echo(f"另一个调度进程正在运行，等待调度锁（每 {poll_seconds:g} 秒重试）……")
            waiting_said = True
        if stop.wait(poll_seconds):
            return 0
    echo(f"已取得调度锁（{lock.holder}），时区 {app.config['TIMEZONE']}")
    with app.app_context():
        interrupted = mark_interrupted(db.session, clock.now())
        db.session.commit()
        db.session.remove()
    if interrupted:
        echo(f"已将上一调度进程中断的 {interrupted} 个任务标记为“已中断”")

    scheduler = build_scheduler(app)
    lost = threading.Event()
    _add_heartbeat(scheduler, lock, lost, lease_seconds)
    if run_at_start:
        scheduler.add_job(execute, trigger="date", run_date=clock.now(),
                          args=[app, list(run_at_start), "startup"], id="startup-run")
    _stop_on_signals(scheduler, stop)
    for job in scheduler.get_jobs():
        log.info("scheduled %s (%s)", job.id, job.trigger)
    try:
        scheduler.start()  # blocks until shutdown
    finally:
        if not lost.is_set():
            lock.release()
    if lost.is_set():
        echo("调度锁已丢失，进程退出（由进程管理器重启后将重新等待调度锁）")
        return 1
    echo("调度进程已停止")
    return 0


def _add_heartbeat(scheduler: BaseScheduler, lock: LeaseLock | AdvisoryLock,
                   lost: threading.Event, lease_seconds: float) -> None:
    def beat() -> None:
        if not lock.renew():
            lost.set()
            scheduler.shutdown(wait=False)

    scheduler.add_job(beat, trigger="interval", seconds=max(1.0, lease_seconds / 3),
                      id="scheduler-heartbeat", executor="lock")


def _stop_on_signals(scheduler: BaseScheduler, stop: threading.Event) -> None:
    def handler(signum: int, _frame: Any) -> None:
        stop.set()
        scheduler.shutdown(wait=False)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
