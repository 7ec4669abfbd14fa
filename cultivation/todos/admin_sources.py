"""待办 sources that are not about one firm: import batches awaiting commit (their uploader),
the leaders' monthly digest, and for admins failed jobs and failed mail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import func, select

from cultivation.accounts.models import User
from cultivation.clock import DEFAULT_TIMEZONE, local_date
from cultivation.database import DbSession
from cultivation.imports.models import ImportBatch
from cultivation.mail.models import OutboxMessage
from cultivation.scheduling.models import JobRun
from cultivation.todos.records import Wanted
from cultivation.todos.sources import Found


def _active(session: DbSession, role: str) -> list[int]:
    return list(session.scalars(select(User.id).where(User.role == role,
                                                      User.is_active_flag.is_(True))))


def pending_imports(session: DbSession, today: date, *, timezone: str = DEFAULT_TIMEZONE
                    ) -> Found:
    """Uploaded batches not committed or discarded yet, for the user who uploaded them."""
    rows = session.execute(
        select(ImportBatch.id, ImportBatch.filename, ImportBatch.rows, ImportBatch.created_at,
               ImportBatch.user_id)
        .where(ImportBatch.status == "pending", ImportBatch.user_id.is_not(None)))
    return Found([
        Wanted(f"import:{batch_id}", user_id, "import",
               f"导入待确认：{filename}（{rows}行）", local_date(created_at, timezone),
               f"/imports/{batch_id}")
        for batch_id, filename, rows, created_at, user_id in rows if user_id is not None])


def leader_digests(session: DbSession, today: date) -> Found:
    """This month's digest for every active leader (the item the monthly mail is about)."""
    first = today.replace(day=1)
    return Found([
        Wanted(f"leader-digest:{today:%Y-%m}", leader_id, "leader_digest",
               f"查阅{today.year}年{today.month}月梯次培育摘要（各梯次企业数、新增培育对象、三覆盖）",
               first, "/")
        for leader_id in _active(session, "leader")])


def failed_jobs(session: DbSession, today: date,
                labels: Mapping[str, str] | None = None, *,
                timezone: str = DEFAULT_TIMEZONE) -> Found:
    """Per job, failures since its last success (the first of them names the item) — one
    GROUP BY — for every active admin."""
    last_success = (select(JobRun.job, func.max(JobRun.id).label("ok"))
                    .where(JobRun.outcome == "success").group_by(JobRun.job).subquery())
    rows = session.execute(
        select(JobRun.job, func.min(JobRun.id), func.min(JobRun.started_at))
        .outerjoin(last_success, last_success.c.job == JobRun.job)
        .where(JobRun.outcome == "failed",
               JobRun.id > func.coalesce(last_success.c.ok, 0))
        .group_by(JobRun.job)).all()
    admins = _active(session, "admin") if rows else []
    return Found([
        Wanted(f"job-failed:{job}:{first_id}", admin_id, "job_failed",
               f"定时任务失败：{(labels or {}).get(job, job)}", local_date(started, timezone),
               f"/admin/jobs/runs/{first_id}")
        for job, first_id, started in rows for admin_id in admins])


def failed_mail(session: DbSession, today: date, *, timezone: str = DEFAULT_TIMEZONE
                ) -> Found:
    """Failed outbox messages: one item (named by the oldest failure) for every active admin."""
    first_id, count, since = session.execute(
        select(func.min(OutboxMessage.id), func.count(OutboxMessage.id),
               func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status == "failed")).one()
    if not count:
        return Found()
    return Found([
        Wanted(f"mail-failed:{first_id}", admin_id, "mail_failed",
               "发件箱有发送失败的邮件，请检查邮件服务器后重发", local_date(since, timezone),
               "/admin/outbox?status=failed")
        for admin_id in _active(session, "admin")])
