"""Every scheduled job: name → service callable + cron trigger (configured time zone).

This is the scheduler's entry point into the services: each job reads the app's settings once
per run (``run_settings``) and passes the typed part its body needs (``cultivation.settings``);
the bodies never read the app's config themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import text

from cultivation.channels.dispatch import dispatch_robots
from cultivation.dashboard.figures import read_figures, refresh_figures
from cultivation.database import DbSession
from cultivation.imports.pending import purge_abandoned_batches
from cultivation.jobs.spec import JobBody, JobSpec
from cultivation.mail.dispatch import dispatch
from cultivation.reminders.annual_report import send_annual_report_reminders
from cultivation.reminders.expiry import send_expiry_reminders
from cultivation.reminders.followups import send_followup_reminders
from cultivation.reminders.leader_digest import send_leader_digest
from cultivation.reminders.windows import send_window_reminders
from cultivation.reports.snapshots import take_coverage_snapshot
from cultivation.scheduling.progress import report_progress
from cultivation.screening.retention import prune_screening_history
from cultivation.screening.services import run_screening
from cultivation.settings import ReminderSettings, Settings, settings_from
from cultivation.todos.sync import sync_todos
from cultivation.web.clock import local_date

ReminderBody = Callable[[DbSession, datetime, ReminderSettings], dict[str, Any]]


def run_settings() -> Settings:
    """The app's settings for one job run (the scheduler and ``jobs run`` run every job in an
    app context; a test may change the config between runs)."""
    return settings_from(current_app.config)


def outbox(session: DbSession, now: datetime) -> dict[str, Any]:
    """Send due mail over SMTP, then due robot messages (DingTalk / WeCom) over HTTP."""
    settings = run_settings()
    counts: dict[str, Any] = dict(dispatch(session, now, settings=settings.mail))
    for key, value in dispatch_robots(session, now, mail=settings.mail,
                                      channels=settings.channels).items():
        counts[f"robot_{key}"] = value
    return counts


def screening(session: DbSession, now: datetime) -> dict[str, Any]:
    """Evaluate every firm as of today and store the run (with its diff to the previous run),
    then prune the screening history older than ``SCREENING_KEEP_DAYS`` (screening.retention)."""
    settings = run_settings()
    processes = settings.jobs.screening_processes or (os.cpu_count() or 1)
    run = run_screening(session, as_of=local_date(now, settings.timezone), now=now,
                        processes=processes, parameter_dir=settings.parameter_dir,
                        progress=lambda done, total: report_progress(
                            f"已处理 {done:,} / {total:,} 家企业"))
    counts: dict[str, Any] = {"run": run.id, "firms": run.firms, "evaluations": run.evaluations}
    summary = run.summary or {}
    for key, value in summary.items():
        if isinstance(value, int):
            counts[key] = value
    counts.update(prune_screening_history(
        session, now=now, keep_days=settings.jobs.screening_keep_days,
        timezone=settings.timezone))
    counts["dashboard_figures"] = int(refresh_figures(
        session, local_date(now, settings.timezone), now))
    if session.get_bind().dialect.name == "postgresql":
        # A run writes a row per firm and rule set: without fresh statistics the planner keeps
        # the empty-table plans (nested loops) for the 培育库 and dashboard. PostgreSQL's
        # ANALYZE counts this transaction's own rows and commits with the run.
        session.execute(text("ANALYZE screening_runs, evaluations"))
    return counts


def coverage_snapshot(session: DbSession, now: datetime) -> dict[str, Any]:
    """Store this week's 三覆盖 figures for the trend chart."""
    rows = take_coverage_snapshot(session, now, timezone=run_settings().timezone)
    return {f"{row.kind}_covered": row.covered for row in rows} | {
        f"{row.kind}_population": row.population for row in rows}


def with_todos(kind: str, body: ReminderBody) -> JobBody:
    """The reminder job ``body``, after bringing its kind of 待办 up to date: the mail then
    leaves out what the user settled or postponed, and records which items it reported. The
    body gets the run's ``ReminderSettings``."""
    def run(session: DbSession, now: datetime) -> dict[str, Any]:
        settings = run_settings()
        counts = sync_todos(session, now, [kind], timezone=settings.timezone)
        return {**body(session, now, settings.reminders), **counts}
    run.__doc__ = body.__doc__
    return run


def todos(session: DbSession, now: datetime) -> dict[str, Any]:
    """Everyone's 待办 from every source (reminder sources, imports, failed jobs and mail)."""
    return sync_todos(session, now, job_labels={spec.name: spec.label for spec in JOBS},
                      timezone=run_settings().timezone)


def dashboard_figures(session: DbSession, now: datetime) -> dict[str, Any]:
    """Today's county-wide dashboard figures, when missing or invalidated by a write since."""
    day = local_date(now, run_settings().timezone)
    if read_figures(session, day) is not None:
        return {"refreshed": 0}
    return {"refreshed": int(refresh_figures(session, day, now))}


def import_purge(session: DbSession, now: datetime) -> dict[str, Any]:
    """Delete uploads left pending or discarded for IMPORT_PENDING_HOURS (with their files)."""
    hours = run_settings().jobs.import_pending_hours
    return purge_abandoned_batches(session, now=now, older_than=timedelta(hours=hours))


JOBS: tuple[JobSpec, ...] = (
    JobSpec("screening", "夜间筛选", screening, {"hour": 2, "minute": 0}, "每天 02:00",
            "按当天参数评估全部企业（高企、国家科小、省科小），保存结果并与上次比较"),
    JobSpec("window-reminders", "申报窗口提醒", with_todos("window", send_window_reminders),
            {"hour": 8, "minute": 0},
            "每天 08:00", "申报窗口开始/截止前 N 天，向指导员发送其可申报企业清单"),
    JobSpec("expiry", "资格到期提醒", with_todos("expiry", send_expiry_reminders),
            {"hour": 8, "minute": 5},
            "每天 08:05", "高企证书、科小入库到期前，提醒指导员组织重新申报"),
    JobSpec("annual-report", "高企年报提醒",
            with_todos("annual_report", send_annual_report_reminders),
            {"hour": 8, "minute": 10}, "每天 08:10（5月31日前 30/7/1 天发送）",
            "提醒高企在5月31日前填报上年度发展情况报表"),
    JobSpec("followups", "走访跟进提醒", with_todos("followup", send_followup_reminders),
            {"hour": 8, "minute": 15},
            "每天 08:15", "走访约定的跟进日期已到时提醒指导员"),
    JobSpec("coverage-snapshot", "三覆盖周快照", coverage_snapshot,
            {"day_of_week": "mon", "hour": 6, "minute": 0}, "每周一 06:00",
            "保存三覆盖数据用于趋势图"),
    JobSpec("leader-digest", "领导月度摘要", with_todos("leader_digest", send_leader_digest),
            {"day": "1-7", "hour": 8, "minute": 30}, "每月1日 08:30（1–7日内补发，每月仅一封）",
            "向局领导发送各梯次企业数、新增培育对象、三覆盖和规划目标"),
    JobSpec("todos", "待办生成", todos, {"minute": "*/5"}, "每5分钟",
            "按提醒来源、待确认导入、失败任务和失败邮件生成各人待办，来源已消失的自动关闭"),
    JobSpec("outbox", "邮件发送", outbox, {"minute": "*"}, "每分钟",
            "发送发件箱中待发送的邮件及钉钉/企业微信机器人消息，失败按退避重试"),
    JobSpec("import-purge", "清理未完成的导入", import_purge, {"minute": 7}, "每小时第7分",
            "删除超过规定时间仍未确认或已放弃的导入批次及其上传文件"),
    JobSpec("dashboard-figures", "工作台数据刷新", dashboard_figures, {"minute": "*/5"},
            "每5分钟",
            "当天的全县工作台数据（梯次、三覆盖、到期证书）缺失或因数据修改失效时重新计算"),
)
