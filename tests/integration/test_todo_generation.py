"""待办 generation: every source, idempotent re-runs, set-based queries, resolving items whose
source went away (and reopening them), and user decisions that stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cultivation.imports.models import ImportBatch
from cultivation.mail.models import OutboxMessage
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification
from cultivation.scheduling.models import JobRun
from cultivation.todos.models import Todo
from cultivation.todos.sync import sync_todos
from cultivation.visits.models import Visit

TODAY = date(2026, 5, 10)


def items(session: Session, user: Any = None, status: str | None = "open") -> list[Todo]:
    stmt = select(Todo).order_by(Todo.due_on, Todo.id)
    if user is not None:
        stmt = stmt.where(Todo.user_id == user.id)
    if status is not None:
        stmt = stmt.where(Todo.status == status)
    return list(session.scalars(stmt))


def visit(session: Session, firm: Any, advisor: Any, follow_up: date) -> Visit:
    v = Visit(enterprise_id=firm.id, advisor_id=advisor.id, visited_on=follow_up - timedelta(30),
              notes="走访", next_follow_up_on=follow_up)
    session.add(v)
    session.flush()
    return v


@pytest.fixture
def advisor(make_user: Any) -> Any:
    return make_user("advisor")


def test_a_follow_up_is_an_item_from_a_week_before_its_date(
        db_session: Session, advisor: Any, make_enterprise: Any, at: Any) -> None:
    firm = make_enterprise(advisor=advisor, name="仙居跟进科技有限公司")
    visit(db_session, firm, advisor, TODAY + timedelta(days=8))
    sync_todos(db_session, at(TODAY))
    assert items(db_session, advisor) == []
    sync_todos(db_session, at(TODAY + timedelta(days=1)))
    [item] = items(db_session, advisor)
    assert (item.kind, item.title, item.due_on) == (
        "followup", "走访跟进：仙居跟进科技有限公司", TODAY + timedelta(days=8))
    assert item.enterprise_id == firm.id
    assert item.link == f"/enterprises/{firm.credit_code}"


def test_generation_is_idempotent(db_session: Session, advisor: Any, make_enterprise: Any,
                                  at: Any) -> None:
    firm = make_enterprise(advisor=advisor)
    visit(db_session, firm, advisor, TODAY)
    first = sync_todos(db_session, at(TODAY))
    second = sync_todos(db_session, at(TODAY))
    assert first == {"todos_new": 1}
    assert second == {}
    assert len(items(db_session, status=None)) == 1


def test_generation_runs_a_fixed_number_of_queries_whatever_the_number_of_firms(
        db_session: Session, make_user: Any, make_enterprise: Any, at: Any) -> None:
    from cultivation.extensions import db
    from testkit import count_queries

    def firms(n: int) -> None:
        for _ in range(n):
            someone = make_user("advisor")
            firm = make_enterprise(advisor=someone, tier="hnte")
            visit(db_session, firm, someone, TODAY)
    firms(2)
    with count_queries(db.engine) as few:
        sync_todos(db_session, at(TODAY))
    firms(12)
    with count_queries(db.engine) as many:
        sync_todos(db_session, at(TODAY))
    assert len(items(db_session)) == 2 * 14  # a follow-up and a 高企 annual report each
    assert many.count == few.count


def test_a_follow_up_logged_as_done_resolves_the_item_and_a_reassigned_firm_moves_it(
        db_session: Session, advisor: Any, make_user: Any, make_enterprise: Any,
        at: Any) -> None:
    firm = make_enterprise(advisor=advisor)
    other = make_enterprise(advisor=advisor)
    v = visit(db_session, firm, advisor, TODAY)
    visit(db_session, other, advisor, TODAY)
    sync_todos(db_session, at(TODAY))
    assert len(items(db_session, advisor)) == 2
    v.follow_up_done = True
    successor = make_user("advisor")
    db_session.execute(update(PortfolioAssignment)
                       .where(PortfolioAssignment.enterprise_id == other.id)
                       .values(ended_on=TODAY))
    db_session.add(PortfolioAssignment(enterprise_id=other.id, advisor_id=successor.id,
                                       started_on=TODAY))
    db_session.flush()
    counts = sync_todos(db_session, at(TODAY))
    assert counts == {"todos_new": 1, "todos_resolved": 2}
    assert items(db_session, advisor) == []
    assert [i.enterprise_id for i in items(db_session, successor)] == [other.id]
    # The firm comes back: the item the system closed opens again.
    db_session.execute(update(PortfolioAssignment)
                       .where(PortfolioAssignment.advisor_id == successor.id)
                       .values(ended_on=TODAY))
    db_session.add(PortfolioAssignment(enterprise_id=other.id, advisor_id=advisor.id,
                                       started_on=TODAY))
    db_session.flush()
    assert sync_todos(db_session, at(TODAY))["todos_reopened"] == 1
    assert [i.enterprise_id for i in items(db_session, advisor)] == [other.id]


def test_what_the_user_settled_stays_settled(db_session: Session, advisor: Any,
                                             make_enterprise: Any, at: Any) -> None:
    firm = make_enterprise(advisor=advisor)
    visit(db_session, firm, advisor, TODAY)
    sync_todos(db_session, at(TODAY))
    [item] = items(db_session, advisor)
    item.status = "dismissed"
    db_session.flush()
    assert sync_todos(db_session, at(TODAY + timedelta(days=1))) == {}
    assert items(db_session, advisor) == []


def test_certificates_expiring_and_annual_reports(
        db_session: Session, advisor: Any, make_enterprise: Any, make_window: Any,
        at: Any) -> None:
    firm = make_enterprise(advisor=advisor, name="仙居到期科技有限公司")
    db_session.add(Qualification(enterprise_id=firm.id, kind="hnte", valid_from=date(2023, 7, 1),
                                 valid_to=date(2026, 6, 30), number="GR2023"))
    db_session.flush()
    make_window(date(2026, 4, 1), date(2026, 6, 20))
    sync_todos(db_session, at(TODAY))
    found = {(i.kind, i.due_on) for i in items(db_session, advisor)}
    assert ("expiry", date(2026, 6, 20)) in found  # the last batch before the expiry
    assert ("annual_report", date(2026, 5, 31)) in found
    titles = [i.title for i in items(db_session, advisor)]
    assert "高企年报（2025年度）填报：仙居到期科技有限公司" in titles
    # After 31 May the annual report item is closed by itself.
    sync_todos(db_session, at(date(2026, 6, 1)))
    assert {i.kind for i in items(db_session, advisor)} == {"expiry"}


def test_windows_and_new_candidates(db_session: Session, advisor: Any, make_enterprise: Any,
                                    make_window: Any, make_run: Any, at: Any) -> None:
    old = make_enterprise(advisor=advisor, name="仙居老候选有限公司")
    new = make_enterprise(advisor=advisor, name="仙居新候选有限公司")
    make_window(date(2026, 6, 1), date(2026, 7, 15))
    first = make_run(TODAY - timedelta(days=2), (old, "hnte", "eligible"),
                     (new, "hnte", "ineligible"))
    second = make_run(TODAY - timedelta(days=1), (old, "hnte", "eligible"),
                      (new, "hnte", "borderline"))
    second.previous_run_id = first.id
    db_session.flush()
    sync_todos(db_session, at(TODAY))
    by_kind = {i.kind: i for i in items(db_session, advisor)}
    assert by_kind["window"].title == "高新技术企业认定（2026年第一批）开始：2家联系企业可申报"
    assert by_kind["window"].due_on == date(2026, 6, 1)
    assert by_kind["candidate"].title == "新进入培育库（高新技术企业）：仙居新候选有限公司"
    # A later run where the firm is still a candidate keeps the item; one where it is not closes it.
    third = make_run(TODAY, (old, "hnte", "eligible"), (new, "hnte", "borderline"))
    third.previous_run_id = second.id
    db_session.flush()
    sync_todos(db_session, at(TODAY))
    assert [i.kind for i in items(db_session, advisor)].count("candidate") == 1
    fourth = make_run(TODAY + timedelta(days=1), (old, "hnte", "eligible"),
                      (new, "hnte", "ineligible"))
    fourth.previous_run_id = third.id
    db_session.flush()
    sync_todos(db_session, at(TODAY + timedelta(days=1)))
    assert "candidate" not in [i.kind for i in items(db_session, advisor)]


def test_imports_leaders_failed_jobs_and_failed_mail(
        db_session: Session, advisor: Any, make_user: Any, at: Any) -> None:
    admin = make_user("admin")
    leader = make_user("leader")
    now = at(TODAY)
    db_session.add(ImportBatch(filename="企业名单.xlsx", kind="enterprises", user_id=advisor.id,
                               rows=12, status="pending", created_at=now))
    db_session.add_all([
        JobRun(job="expiry", as_of=now, outcome="success", started_at=now - timedelta(days=2)),
        JobRun(job="expiry", as_of=now, outcome="failed", started_at=now - timedelta(days=1)),
        JobRun(job="expiry", as_of=now, outcome="failed", started_at=now),
        JobRun(job="screening", as_of=now, outcome="failed", started_at=now - timedelta(days=3)),
        JobRun(job="screening", as_of=now, outcome="success", started_at=now),
    ])
    db_session.add(OutboxMessage(dedup_key="x", to_address="a@example.test", subject="s",
                                 body_text="t", body_html="h", message_id="<m@x>",
                                 status="failed", created_at=datetime(2026, 5, 9, tzinfo=UTC)))
    db_session.flush()
    sync_todos(db_session, now, job_labels={"expiry": "资格到期提醒"})
    assert [i.title for i in items(db_session, advisor)] == ["导入待确认：企业名单.xlsx（12行）"]
    assert [i.kind for i in items(db_session, leader)] == ["leader_digest"]
    assert {i.title for i in items(db_session, admin)} == {
        "定时任务失败：资格到期提醒", "发件箱有发送失败的邮件，请检查邮件服务器后重发"}
    # The batch is committed and the mail resent: both items close by themselves.
    db_session.execute(update(ImportBatch).values(status="committed"))
    db_session.execute(update(OutboxMessage).values(status="sent"))
    db_session.flush()
    sync_todos(db_session, now)
    assert items(db_session, advisor) == []
    assert {i.kind for i in items(db_session, admin)} == {"job_failed"}
