"""The admin pages 定时任务 and 发件箱: Chinese, admin-only, "run now" and "resend" work."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from schedule_support import compose_settings
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.audit.models import AuditLog
from cultivation.jobs import registry
from cultivation.mail.models import OutboxMessage
from cultivation.mail.services import enqueue
from cultivation.scheduling.models import JobRun
from cultivation.scheduling.services import run_job, run_queued

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize("path", ["/admin/jobs", "/admin/jobs/runs", "/admin/outbox"])
@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("advisor", 403)])
def test_only_admins_reach_the_jobs_and_outbox_pages(auth: Any, path: str, role: str,
                                                     status: int) -> None:
    auth.login(role)
    assert auth.client.get(path).status_code == status


@pytest.mark.parametrize("path", ["/admin/jobs", "/admin/outbox"])
def test_anonymous_visitors_are_sent_to_the_login_page(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_jobs_page_lists_every_job_with_schedule_last_run_and_failures(
        auth: Any, db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    run_job(db_session, "followups", NOW)
    def unavailable(session: Session, now: datetime) -> dict[str, Any]:
        raise RuntimeError("筛选数据源不可用")

    jobs = {**registry.all_jobs()}
    jobs["screening"] = replace(jobs["screening"], body=unavailable)
    monkeypatch.setattr(registry, "all_jobs", lambda: jobs)
    failing = run_job(db_session, "screening", NOW)
    auth.login("admin")
    html = auth.client.get("/admin/jobs").get_data(as_text=True)
    assert "定时任务" in html
    for name in ("screening", "window-reminders", "expiry", "annual-report", "followups",
                 "coverage-snapshot", "leader-digest", "outbox"):
        assert f'data-job="{name}"' in html
    assert "每天 08:00" in html
    assert "未检测到调度进程" in html
    screening_row = html.split('data-job="screening"')[1].split("</tr>")[0]
    assert "失败" in screening_row
    assert "筛选数据源不可用" in screening_row
    assert 'href="/admin/jobs/runs?job=screening&amp;outcome=failed">1</a>' in screening_row
    detail = auth.client.get(f"/admin/jobs/runs/{failing.id}")
    assert detail.status_code == 200
    assert "运行记录" in detail.get_data(as_text=True)


def test_nav_links_to_the_admin_pages(auth: Any) -> None:
    auth.login("admin")
    html = auth.client.get("/").get_data(as_text=True)
    assert 'href="/admin/jobs"' in html
    assert 'href="/admin/outbox"' in html
    assert 'href="/windows"' in html


def test_run_now_queues_the_job_for_the_scheduler_and_never_runs_it_in_the_request(
        auth: Any, db_session: Session) -> None:
    admin = auth.login("admin")
    response = auth.post("/admin/jobs/followups/run", {}, form_url="/admin/jobs")
    assert response.status_code == 302
    run = db_session.scalars(select(JobRun).where(JobRun.job == "followups")).one()
    assert (run.trigger, run.actor, run.outcome) == ("web", admin.username, "queued")
    assert response.headers["Location"].endswith(f"/admin/jobs/runs/{run.id}")
    page = auth.client.get(f"/admin/jobs/runs/{run.id}").get_data(as_text=True)
    assert "已排队" in page
    assert 'http-equiv="refresh"' in page
    assert "未检测到运行中的调度进程" in page
    # Asking again while it waits does not queue a second run.
    auth.post("/admin/jobs/followups/run", {}, form_url="/admin/jobs")
    assert db_session.scalars(select(JobRun).where(JobRun.job == "followups")).all() == [run]
    # The scheduler process's poll runs it.
    assert run_queued(db_session) == 1
    db_session.expire_all()
    assert (run.outcome, run.trigger, run.actor) == ("success", "web", admin.username)
    page = auth.client.get(f"/admin/jobs/runs/{run.id}").get_data(as_text=True)
    assert "成功" in page
    assert 'http-equiv="refresh"' not in page
    assert run_queued(db_session) == 0


def test_run_now_of_an_unknown_job_is_a_404(auth: Any) -> None:
    auth.login("admin")
    assert auth.post("/admin/jobs/nope/run", {}, form_url="/admin/jobs").status_code == 404


def test_run_history_filters_by_job_and_outcome(auth: Any, db_session: Session) -> None:
    run_job(db_session, "followups", NOW)
    run_job(db_session, "expiry", NOW)
    auth.login("admin")
    html = auth.client.get("/admin/jobs/runs?job=expiry&outcome=success").get_data(as_text=True)
    assert "资格到期提醒" in html
    assert "走访跟进提醒" not in html.split("<tbody>")[1]


@pytest.fixture
def failed_message(db_session: Session, make_user: Any) -> OutboxMessage:
    user = make_user("advisor", email="wang@example.test")
    result = enqueue(db_session, dedup_key="page:1", recipient=user, subject="【测试】失败邮件",
                     template="followups", context={"items": []}, now=NOW, job="followups",
                     settings=compose_settings())
    message = db_session.get(OutboxMessage, result.message_id)
    assert message is not None
    message.status, message.attempts, message.last_error = "failed", 16, "无法连接邮件服务器"
    db_session.flush()
    return message


def test_the_outbox_shows_messages_by_status_with_their_errors(
        auth: Any, failed_message: OutboxMessage) -> None:
    auth.login("admin")
    html = auth.client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "发件箱" in html
    assert "【测试】失败邮件" in html
    assert "无法连接邮件服务器" in html
    assert "当前邮件后端为 <strong>outbox</strong>" in html
    assert "【测试】失败邮件" not in auth.client.get("/admin/outbox?status=sent").get_data(
        as_text=True)
    detail = auth.client.get(f"/admin/outbox/{failed_message.id}").get_data(as_text=True)
    assert "page:1" in detail
    assert "srcdoc=" in detail


def test_resend_puts_a_failed_message_back_in_the_queue_and_audits_it(
        auth: Any, db_session: Session, failed_message: OutboxMessage) -> None:
    auth.login("admin")
    response = auth.post(f"/admin/outbox/{failed_message.id}/resend", {},
                         form_url=f"/admin/outbox/{failed_message.id}")
    assert response.status_code == 302
    db_session.refresh(failed_message)
    assert (failed_message.status, failed_message.attempts) == ("pending", 0)
    assert failed_message.last_error is None
    assert db_session.scalar(select(AuditLog).where(AuditLog.entity_type == "outbox_message",
                                                    AuditLog.action == "resend")) is not None


def test_resend_of_a_pending_message_is_refused_politely(
        auth: Any, db_session: Session, failed_message: OutboxMessage) -> None:
    failed_message.status = "pending"
    db_session.flush()
    auth.login("admin")
    response = auth.post(f"/admin/outbox/{failed_message.id}/resend", {},
                         form_url=f"/admin/outbox/{failed_message.id}", follow_redirects=True)
    assert "无需重发" in response.get_data(as_text=True)


def test_resend_all_failed(auth: Any, db_session: Session,
                           failed_message: OutboxMessage) -> None:
    auth.login("admin")
    response = auth.post("/admin/outbox/resend-failed", {}, form_url="/admin/outbox",
                         follow_redirects=True)
    assert "已将 1 封发送失败的邮件重新排队" in response.get_data(as_text=True)
    db_session.refresh(failed_message)
    assert failed_message.status == "pending"


def test_an_unknown_message_is_a_chinese_404(auth: Any) -> None:
    auth.login("admin")
    response = auth.client.get("/admin/outbox/999999")
    assert response.status_code == 404
    assert "不存在" in response.get_data(as_text=True)
