"""A reminder mail and the 待办 item are the same record: the reminder jobs bring their items
up to date first, leave out what the user settled or postponed, and record which mail reported
an item; completing a follow-up item closes the follow-up on the visit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from schedule_support import outbox
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.audit.models import AuditLog
from cultivation.qualifications.models import Qualification
from cultivation.scheduling.services import run_job
from cultivation.todos import services
from cultivation.todos.models import Todo
from cultivation.todos.sync import sync_todos
from cultivation.visits.models import Visit

TODAY = date(2026, 5, 10)


def todo_of(session: Session, firm: Any, kind: str) -> Todo:
    return session.scalars(select(Todo).where(Todo.enterprise_id == firm.id,
                                              Todo.kind == kind)).one()


def follow_up(session: Session, firm: Any, advisor: Any, day: date) -> Visit:
    visit = Visit(enterprise_id=firm.id, advisor_id=advisor.id, visited_on=day - timedelta(30),
                  notes="走访", next_follow_up_on=day)
    session.add(visit)
    session.flush()
    return visit


def test_the_follow_up_mail_leaves_out_a_dismissed_item_and_is_linked_to_the_others(
        db_session: Session, make_user: Any, make_enterprise: Any, at: Any) -> None:
    advisor = make_user("advisor")
    quiet = make_enterprise(advisor=advisor, name="仙居不再提醒有限公司")
    loud = make_enterprise(advisor=advisor, name="仙居照常提醒有限公司")
    follow_up(db_session, quiet, advisor, TODAY)
    follow_up(db_session, loud, advisor, TODAY)
    sync_todos(db_session, at(TODAY - timedelta(days=3)))  # the 5-minute job, days before
    services.dismiss(db_session, todo_of(db_session, quiet, "followup"), actor=advisor,
                     now=at(TODAY))
    run = run_job(db_session, "followups", at(TODAY))
    assert run.outcome == "success"
    [message] = outbox(db_session)
    assert "仙居照常提醒有限公司" in message.body_text
    assert "仙居不再提醒有限公司" not in message.body_text
    assert "/todos" in message.body_text  # the mail points at the same items in 待办
    assert todo_of(db_session, loud, "followup").outbox_message_id == message.id
    assert todo_of(db_session, quiet, "followup").outbox_message_id is None
    # Dismissing stops the reminders but does not pretend the follow-up happened.
    assert db_session.scalars(select(Visit.follow_up_done)
                              .where(Visit.enterprise_id == quiet.id)).one() is False


def test_completing_a_follow_up_item_closes_the_follow_up_and_is_audited(
        db_session: Session, make_user: Any, make_enterprise: Any, at: Any) -> None:
    advisor = make_user("advisor")
    firm = make_enterprise(advisor=advisor)
    visit = follow_up(db_session, firm, advisor, TODAY)
    sync_todos(db_session, at(TODAY))
    item = todo_of(db_session, firm, "followup")
    services.complete(db_session, item, actor=advisor, now=at(TODAY))
    db_session.refresh(visit)
    assert visit.follow_up_done is True
    assert (item.status, item.settled_by_id) == ("done", advisor.id)
    [entry] = db_session.scalars(select(AuditLog).where(AuditLog.entity_type == "todo"))
    assert (entry.action, entry.actor_id, entry.enterprise_id) == ("todo_done", advisor.id,
                                                                   firm.id)
    # Nothing is mailed for it afterwards.
    run_job(db_session, "followups", at(TODAY))
    assert outbox(db_session) == []


def test_a_postponed_expiry_is_left_out_until_the_chosen_day(
        db_session: Session, make_user: Any, make_enterprise: Any, at: Any) -> None:
    advisor = make_user("advisor")
    firm = make_enterprise(advisor=advisor, name="仙居推迟科技有限公司")
    db_session.add(Qualification(enterprise_id=firm.id, kind="hnte", valid_from=date(2023, 9, 1),
                                 valid_to=date(2026, 8, 31), number="GR2023"))
    db_session.flush()
    deadline = date(2026, 8, 31)
    first_day = deadline - timedelta(days=90)
    sync_todos(db_session, at(first_day) - timedelta(hours=2))  # the 5-minute job, early
    services.postpone(db_session, todo_of(db_session, firm, "expiry"),
                      deadline - timedelta(days=31), actor=advisor,
                      now=at(first_day) - timedelta(hours=1), today=first_day)
    run_job(db_session, "expiry", at(deadline - timedelta(days=90)))  # the 90-day reminder
    assert outbox(db_session) == []
    run_job(db_session, "expiry", at(deadline - timedelta(days=30)))  # postponed until the 31st
    [message] = outbox(db_session)
    assert "仙居推迟科技有限公司" in message.body_text
    assert todo_of(db_session, firm, "expiry").outbox_message_id == message.id


def test_window_and_annual_report_mails_skip_what_was_settled(
        db_session: Session, make_user: Any, make_enterprise: Any, make_window: Any,
        make_run: Any, at: Any) -> None:
    advisor = make_user("advisor")
    done = make_enterprise(advisor=advisor, tier="hnte", name="仙居年报已报有限公司")
    left = make_enterprise(advisor=advisor, tier="hnte", name="仙居年报未报有限公司")
    make_window(date(2026, 6, 1), date(2026, 7, 15))
    make_run(TODAY - timedelta(days=1), (done, "hnte", "eligible"))
    day = date(2026, 5, 24)  # 7 days before 31 May and before the window opens
    sync_todos(db_session, at(day))
    services.complete(db_session, todo_of(db_session, done, "annual_report"), actor=advisor,
                      now=at(day))
    window_item = db_session.scalars(select(Todo).where(Todo.kind == "window")).one()
    services.dismiss(db_session, window_item, actor=advisor, now=at(day))
    report = run_job(db_session, "annual-report", at(day))
    windows = run_job(db_session, "window-reminders", at(day + timedelta(days=1)))
    [message] = outbox(db_session)
    assert "仙居年报未报有限公司" in message.body_text
    assert "仙居年报已报有限公司" not in message.body_text
    assert todo_of(db_session, left, "annual_report").outbox_message_id == message.id
    assert report.counts is not None
    assert report.counts["queued"] == 1
    assert windows.counts is not None
    assert windows.counts["settled_in_todos"] == 1


def test_the_leader_digest_mail_is_the_leaders_item(
        db_session: Session, make_user: Any, at: Any) -> None:
    leader = make_user("leader")
    run_job(db_session, "leader-digest", at(date(2026, 6, 1)))
    [message] = outbox(db_session)
    item = db_session.scalars(select(Todo).where(Todo.user_id == leader.id)).one()
    assert (item.kind, item.outbox_message_id) == ("leader_digest", message.id)
    assert item.title.startswith("查阅2026年6月梯次培育摘要")


def test_the_todos_job_names_a_failed_job_by_its_label(
        db_session: Session, make_user: Any, at: Any) -> None:
    from cultivation.scheduling.models import JobRun

    admin = make_user("admin")
    db_session.add(JobRun(job="expiry", as_of=at(TODAY), outcome="failed",
                          started_at=at(TODAY)))
    db_session.flush()
    run = run_job(db_session, "todos", at(TODAY))
    assert run.outcome == "success"
    item = db_session.scalars(select(Todo).where(Todo.user_id == admin.id)).one()
    assert item.title == "定时任务失败：资格到期提醒"
