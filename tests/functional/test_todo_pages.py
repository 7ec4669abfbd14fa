"""待办 pages: my list, the navbar badge on every page, the dashboard's first card, the actions
(完成 / 推迟到… / 不再提醒) with who and when, and refusals that save nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cultivation.audit.models import AuditLog
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.scheduling.models import JobRun
from cultivation.todos.models import Todo
from cultivation.todos.sync import sync_todos
from cultivation.visits.models import Visit
from cultivation.web import clock
from testkit import csrf_from


@pytest.fixture
def todo_world(db_session: Session, make_user: Any, make_enterprise: Any) -> dict[str, Any]:
    today = clock.today()
    mine = make_user("advisor", display_name="张晓明")
    other = make_user("advisor", display_name="李文静")
    firms = {}
    for name, owner, days in (("仙居逾期跟进有限公司", mine, -3), ("仙居今日跟进有限公司", mine, 0),
                              ("仙居别人的企业有限公司", other, 0)):
        firm = make_enterprise(advisor=owner, name=name)
        db_session.add(Visit(enterprise_id=firm.id, advisor_id=owner.id,
                             visited_on=today - timedelta(days=30), notes="走访",
                             next_follow_up_on=today + timedelta(days=days)))
        firms[name] = firm
    db_session.flush()
    sync_todos(db_session, clock.now())
    items = {t.enterprise_id: t for t in db_session.scalars(select(Todo))}
    return {"mine": mine, "other": other, "today": today,
            "overdue": items[firms["仙居逾期跟进有限公司"].id],
            "due": items[firms["仙居今日跟进有限公司"].id],
            "theirs": items[firms["仙居别人的企业有限公司"].id], "firms": firms}


def post(client: Any, url: str, **data: Any) -> Any:
    token = csrf_from(client.get("/todos").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def audit_count(session: Session) -> int:
    return session.scalar(select(func.count(AuditLog.id))
                          .where(AuditLog.entity_type == "todo")) or 0


def test_my_list_shows_my_items_overdue_first_and_nobody_elses(
        client: Any, auth: Any, todo_world: dict[str, Any]) -> None:
    auth.login(todo_world["mine"])
    html = client.get("/todos").get_data(as_text=True)
    assert html.index("仙居逾期跟进有限公司") < html.index("仙居今日跟进有限公司")
    assert "已过 3 天" in html
    assert "（今天）" in html
    assert "仙居别人的企业有限公司" not in html
    assert f'href="/enterprises/{todo_world["firms"]["仙居今日跟进有限公司"].credit_code}"' in html


def test_the_badge_counts_my_open_items_on_every_page_and_the_dashboard_lists_them_first(
        client: Any, auth: Any, todo_world: dict[str, Any]) -> None:
    auth.login(todo_world["mine"])
    for path in ("/enterprises", "/windows", "/todos"):
        html = client.get(path).get_data(as_text=True)
        assert 'id="todo-badge">2</span>' in html, path
    html = client.get("/").get_data(as_text=True)
    main = html[html.index("<main"):]
    first_card = main[main.index('class="card'):][:40]
    assert 'id="todo-card"' in first_card
    card = main[:main.index("全部待办") + 2000]
    assert "仙居逾期跟进有限公司" in card
    assert "仙居今日跟进有限公司" in card


def test_complete_records_who_and_when_and_closes_the_follow_up(
        client: Any, auth: Any, db_session: Session, todo_world: dict[str, Any]) -> None:
    auth.login(todo_world["mine"])
    item = todo_world["overdue"]
    response = post(client, f"/todos/{item.id}/done")
    assert response.status_code == 302
    db_session.expire_all()
    assert (item.status, item.settled_by_id) == ("done", todo_world["mine"].id)
    assert item.settled_at is not None
    assert db_session.scalar(select(Visit.follow_up_done)
                             .where(Visit.enterprise_id == item.enterprise_id)) is True
    assert audit_count(db_session) == 1
    html = client.get("/todos").get_data(as_text=True)
    assert 'id="todo-badge">1</span>' in html
    assert "已完成" in html  # under 最近处理


def test_postpone_hides_the_item_until_that_day_and_dismiss_removes_it(
        client: Any, auth: Any, db_session: Session, todo_world: dict[str, Any]) -> None:
    auth.login(todo_world["mine"])
    until = todo_world["today"] + timedelta(days=5)
    assert post(client, f"/todos/{todo_world['due'].id}/postpone",
                until=until.isoformat()).status_code == 302
    assert post(client, f"/todos/{todo_world['overdue'].id}/dismiss").status_code == 302
    db_session.expire_all()
    assert todo_world["due"].snoozed_until == until
    assert todo_world["overdue"].status == "dismissed"
    html = client.get("/todos").get_data(as_text=True)
    assert 'id="todo-badge">0</span>' in html
    assert "已推迟（1）" in html
    assert audit_count(db_session) == 2


@pytest.mark.parametrize(("until", "message"), [
    ("yesterday", "推迟到的日期必须晚于今天"),
    ("today", "推迟到的日期必须晚于今天"),
    ("2026-13-45", "请填写推迟到的日期"),
    ("", "请填写推迟到的日期"),
    ("far", "最多推迟一年"),
])
def test_a_bad_postpone_date_is_refused_in_chinese_and_saves_nothing(
        client: Any, auth: Any, db_session: Session, todo_world: dict[str, Any],
        until: str, message: str) -> None:
    today = todo_world["today"]
    value = {"yesterday": (today - timedelta(days=1)).isoformat(), "today": today.isoformat(),
             "far": (today + timedelta(days=400)).isoformat()}.get(until, until)
    auth.login(todo_world["mine"])
    response = post(client, f"/todos/{todo_world['due'].id}/postpone", until=value)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db_session.expire_all()
    assert todo_world["due"].snoozed_until is None
    assert audit_count(db_session) == 0


def test_someone_elses_item_is_refused_and_left_alone(
        client: Any, auth: Any, db_session: Session, todo_world: dict[str, Any]) -> None:
    auth.login(todo_world["mine"])
    theirs = todo_world["theirs"]
    for action, data in (("done", {}), ("dismiss", {}),
                         ("postpone", {"until": (todo_world["today"]
                                                 + timedelta(days=3)).isoformat()})):
        response = post(client, f"/todos/{theirs.id}/{action}", **data)
        assert response.status_code == 403
        assert "这不是您的待办事项" in response.get_data(as_text=True)
    assert post(client, "/todos/999999/done").status_code == 404
    db_session.expire_all()
    assert (theirs.status, theirs.snoozed_until) == ("open", None)
    assert audit_count(db_session) == 0


def test_a_settled_item_cannot_be_settled_twice(
        client: Any, auth: Any, db_session: Session, todo_world: dict[str, Any]) -> None:
    auth.login(todo_world["mine"])
    item = todo_world["due"]
    assert post(client, f"/todos/{item.id}/done").status_code == 302
    response = post(client, f"/todos/{item.id}/dismiss")
    assert response.status_code == 409
    assert "该待办已是“已完成”" in response.get_data(as_text=True)
    assert audit_count(db_session) == 1


def test_an_advisor_no_longer_sees_a_firm_handed_over_even_before_the_next_sync(
        client: Any, auth: Any, db_session: Session, todo_world: dict[str, Any]) -> None:
    item = todo_world["due"]
    db_session.execute(update(PortfolioAssignment)
                       .where(PortfolioAssignment.enterprise_id == item.enterprise_id)
                       .values(advisor_id=todo_world["other"].id))
    db_session.flush()
    auth.login(todo_world["mine"])
    assert "仙居今日跟进有限公司" not in client.get("/todos").get_data(as_text=True)
    assert post(client, f"/todos/{item.id}/done").status_code == 403


def test_actions_need_a_login_and_a_csrf_token(
        client: Any, auth: Any, todo_world: dict[str, Any]) -> None:
    assert client.get("/todos").status_code == 302
    auth.login(todo_world["mine"])
    assert client.post(f"/todos/{todo_world['due'].id}/done").status_code == 400


def test_leaders_see_their_digest_item_and_admins_failed_jobs(
        client: Any, auth: Any, db_session: Session, make_user: Any) -> None:
    leader = make_user("leader")
    admin = make_user("admin")
    now = clock.now()
    db_session.add(JobRun(job="expiry", as_of=now, outcome="failed", started_at=now))
    db_session.flush()
    sync_todos(db_session, now, job_labels={"expiry": "资格到期提醒"})
    auth.login(leader)
    html = client.get("/todos").get_data(as_text=True)
    assert "梯次培育摘要" in html
    assert "定时任务失败" not in html
    auth.logout()
    auth.login(admin)
    html = client.get("/todos").get_data(as_text=True)
    assert "定时任务失败：资格到期提醒" in html
    assert "梯次培育摘要" not in html
