"""``cultivation jobs list|run`` and ``cultivation scheduler``."""

from __future__ import annotations

import sys
from datetime import date
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from cultivation.extensions import db
from cultivation.jobs.registry import UnknownJob, all_jobs, get_job
from cultivation.scheduling.queries import latest_runs
from cultivation.scheduling.services import counts_text, error_summary, run_job
from cultivation.web import clock
from cultivation.web.clock import run_time_on


@click.group("jobs", help="定时任务：列出任务，或立即运行一次")
def jobs_group() -> None:
    pass


@jobs_group.command("list", help="列出全部定时任务、计划、下次与最近一次运行")
@with_appcontext
def list_jobs() -> None:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    now = clock.now()
    last = latest_runs(db.session)
    for spec in all_jobs().values():
        next_fire = spec.trigger(zone).get_next_fire_time(None, now.astimezone(zone))
        run = last.get(spec.name)
        last_text = (f"{run.started_at.astimezone(zone):%Y-%m-%d %H:%M} {run.outcome_label}"
                     if run else "从未运行")
        click.echo(f"{spec.name:<18} {spec.label}｜{spec.schedule_label}｜"
                   f"下次 {next_fire:%Y-%m-%d %H:%M}｜最近 {last_text}")


def _parse_as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.UsageError(f"日期“{value}”格式不正确，应为 YYYY-MM-DD，例如 2026-06-30"
                               ) from None


@jobs_group.command("run", help="立即同步运行一个任务；--as-of 指定“当前日期”（当天 08:00）")
@click.argument("name")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="按该日期 08:00（配置时区）运行")
@with_appcontext
def run_command(name: str, as_of: str | None) -> None:
    try:
        get_job(name)
    except UnknownJob as exc:
        raise click.UsageError(str(exc)) from None
    day = _parse_as_of(as_of)
    now = run_time_on(day) if day else clock.now()
    run = run_job(db.session, name, now, trigger="cli", actor="cli")
    if run.outcome != "success":
        raise click.ClickException(f"任务 {name} 运行失败：{error_summary(run)}")
    click.echo(f"任务 {name} 已完成（{counts_text(run.counts)}）")


@click.command("scheduler", help="启动定时任务进程（同一时间只有一个进程持有调度锁并运行任务）")
@click.option("--poll", type=click.FloatRange(0.1, 3600), default=None,
              help="等待调度锁时的重试间隔（秒）")
@click.option("--lease", type=click.FloatRange(1, 3600), default=None,
              help="SQLite 锁租约（秒）；心跳每 1/3 租约续期一次")
@click.option("--run-at-start", "run_at_start", multiple=True, metavar="NAME",
              help="取得调度锁后立即按顺序运行这些任务（可重复）")
@with_appcontext
def scheduler_command(poll: float | None, lease: float | None, run_at_start: tuple[str, ...]
                      ) -> None:
    from cultivation.scheduling.scheduler import run_scheduler

    for name in run_at_start:
        try:
            get_job(name)
        except UnknownJob as exc:
            raise click.UsageError(str(exc)) from None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    code = run_scheduler(
        app,
        poll_seconds=poll or float(app.config["SCHEDULER_POLL_SECONDS"]),
        lease_seconds=lease or float(app.config["SCHEDULER_LEASE_SECONDS"]),
        run_at_start=run_at_start,
        echo=lambda message: click.echo(message, err=True),
    )
    sys.exit(code)


commands = [jobs_group, scheduler_command]
