"""Admin pages: users and API tokens, portfolio assignment and handover, the audit log; and the
dashboard's "my firms" panel."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from registry_support import count_rows
from sqlalchemy import select

from cultivation.accounts.models import ApiToken, User
from cultivation.accounts.services import issue_token
from cultivation.audit.models import AuditLog
from cultivation.dashboard.advisor import advisor_context
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.visits.models import Visit
from testkit import TEST_PASSWORD, csrf_from

# ---------------------------------------------------------------- users


def _user_form(**overrides: Any) -> dict[str, Any]:
    data = {"username": "wang.li", "display_name": "王丽", "email": "wang.li@xianju.gov.cn",
            "role": "advisor", "password": "a-long-password", "is_active": "y"}
    return {**data, **overrides}


def test_the_user_list_shows_roles_firm_and_token_counts(as_role: Any, world: Any,
                                                         db_session: Any) -> None:
    issue_token(db_session, world.users["leader"], label="大屏")
    html = as_role("admin").client.get("/admin/users").get_data(as_text=True)
    assert "局领导" in html
    assert "科技指导员" in html
    assert "本企业指导员" in html
    assert '<td class="num"><a href="/admin/portfolios?advisor=' in html


def test_an_admin_creates_a_user_who_can_log_in(as_role: Any, world: Any, db_session: Any,
                                                client: Any) -> None:
    response = as_role("admin").post("/admin/users/new", _user_form())
    assert response.status_code == 302
    user = db_session.scalars(select(User).where(User.username == "wang.li")).one()
    assert user.role == "advisor"
    assert user.check_password("a-long-password")


def test_creating_a_user_with_bad_input_shows_errors_and_saves_nothing(
    as_role: Any, world: Any, db_session: Any
) -> None:
    users = count_rows(db_session, User)
    browser = as_role("admin")
    for data, message in [
        (_user_form(username="王 丽"), "用户名只能包含字母"),
        (_user_form(password="short"), "密码至少8位"),
        (_user_form(role="superuser"), "请选择有效的角色"),
        (_user_form(username=world.users["leader"].username), "已存在"),
        (_user_form(email="nope"), "电子邮箱格式不正确"),
    ]:
        response = browser.post("/admin/users/new", data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert count_rows(db_session, User) == users


def test_an_admin_resets_a_password_and_deactivates_a_user(as_role: Any, world: Any,
                                                           db_session: Any) -> None:
    leader = world.users["leader"]
    response = as_role("admin").post(f"/admin/users/{leader.id}/edit", {
        "display_name": "新局长", "email": "", "role": "leader", "password": "brand-new-pass"})
    assert response.status_code == 302
    db_session.refresh(leader)
    assert leader.display_name == "新局长"
    assert leader.is_active_flag is False
    assert leader.check_password("brand-new-pass")
    assert not leader.check_password(TEST_PASSWORD)
    entry = db_session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "user", AuditLog.entity_id == leader.id)).all()[-1]
    assert entry.after["is_active"] is False
    assert entry.after["password"] == "（已重置）"
    assert "brand-new-pass" not in str(entry.after)


def test_a_deactivated_user_cannot_log_in(as_role: Any, world: Any, client: Any,
                                          db_session: Any) -> None:
    leader = world.users["leader"]
    as_role("admin").post(f"/admin/users/{leader.id}/edit",
                          {"display_name": "x", "role": "leader"})
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": leader.username, "password": TEST_PASSWORD,
                                           "csrf_token": csrf_from(page)})
    assert response.status_code == 401


def test_an_admin_cannot_lock_themselves_out(as_role: Any, world: Any, db_session: Any) -> None:
    admin = world.users["admin"]
    response = as_role("admin").post(f"/admin/users/{admin.id}/edit",
                                     {"display_name": "我", "role": "leader", "is_active": "y"})
    assert response.status_code == 422
    assert "不能停用自己或取消自己的管理员角色" in response.get_data(as_text=True) or \
        "系统至少需要一名启用的科室管理员" in response.get_data(as_text=True)
    db_session.refresh(admin)
    assert admin.role == "admin"


def test_an_advisor_holding_firms_keeps_the_advisor_role(as_role: Any, world: Any,
                                                         db_session: Any) -> None:
    advisor = world.users["advisor_in"]
    response = as_role("admin").post(f"/admin/users/{advisor.id}/edit",
                                     {"display_name": "x", "role": "leader", "is_active": "y"})
    assert response.status_code == 422
    assert "请先在“联系企业分配”中移交" in response.get_data(as_text=True)
    db_session.refresh(advisor)
    assert advisor.role == "advisor"


def test_an_admin_revokes_one_token_and_then_all(as_role: Any, world: Any,
                                                 db_session: Any) -> None:
    leader = world.users["leader"]
    issue_token(db_session, leader, label="一号")
    issue_token(db_session, leader, label="二号")
    issue_token(db_session, leader, label="三号")
    tokens = db_session.scalars(select(ApiToken).where(ApiToken.user_id == leader.id)
                                .order_by(ApiToken.id)).all()
    browser = as_role("admin")
    html = browser.client.get(f"/admin/users/{leader.id}/edit").get_data(as_text=True)
    assert "一号" in html
    assert "二号" in html
    response = browser.post(f"/admin/users/{leader.id}/tokens/{tokens[0].id}/revoke")
    assert response.status_code == 302
    db_session.refresh(tokens[0])
    db_session.refresh(tokens[1])
    assert tokens[0].revoked_at is not None
    assert tokens[1].revoked_at is None
    browser.post(f"/admin/users/{leader.id}/tokens/revoke-all")
    for token in tokens:
        db_session.refresh(token)
        assert token.revoked_at is not None


def test_a_token_of_another_user_is_not_found(as_role: Any, world: Any, db_session: Any) -> None:
    issue_token(db_session, world.users["leader"], label="x")
    token = db_session.scalars(select(ApiToken)).one()
    response = as_role("admin").post(
        f"/admin/users/{world.users['advisor_in'].id}/tokens/{token.id}/revoke")
    assert response.status_code == 404
    db_session.refresh(token)
    assert token.revoked_at is None


# ---------------------------------------------------------------- portfolios


def _open_advisor(db_session: Any, firm_id: int) -> int | None:
    return db_session.scalar(select(PortfolioAssignment.advisor_id).where(
        PortfolioAssignment.enterprise_id == firm_id, PortfolioAssignment.ended_on.is_(None)))


def test_the_portfolio_page_shows_advisor_loads_and_filters_firms(as_role: Any,
                                                                  world: Any) -> None:
    browser = as_role("admin")
    html = browser.client.get("/admin/portfolios").get_data(as_text=True)
    assert "本企业指导员" in html
    assert "仙居无人联系科技有限公司" in html
    unassigned = browser.client.get("/admin/portfolios?advisor=none").get_data(as_text=True)
    assert "仙居无人联系科技有限公司" in unassigned
    assert "仙居测试制药有限公司" not in unassigned


def test_assigning_selected_firms(as_role: Any, world: Any, db_session: Any) -> None:
    target = world.users["advisor_out"]
    response = as_role("admin").post("/admin/portfolios", {
        "mode": "selected", "target": target.username, "ids": [str(world.other.id)]})
    assert response.status_code == 302
    assert _open_advisor(db_session, world.other.id) == target.id
    assert _open_advisor(db_session, world.firm.id) == world.users["advisor_in"].id


def test_handing_over_every_firm_matching_a_filter_keeps_history(
    as_role: Any, world: Any, db_session: Any, make_enterprise: Any
) -> None:
    old, new = world.users["advisor_in"], world.users["advisor_out"]
    second = make_enterprise(advisor=old)
    response = as_role("admin").post("/admin/portfolios", {
        "mode": "all", "advisor": old.username, "target": new.username})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/portfolios?advisor={old.username}"
    for firm in (world.firm, second):
        rows = db_session.scalars(select(PortfolioAssignment).where(
            PortfolioAssignment.enterprise_id == firm.id).order_by(PortfolioAssignment.id)).all()
        assert [(r.advisor_id, r.ended_on is None) for r in rows] == [(old.id, False),
                                                                      (new.id, True)]
    assert _open_advisor(db_session, world.other.id) is None  # not matched by the filter
    assigns = db_session.scalars(select(AuditLog).where(AuditLog.action == "assign")).all()
    assert {a.enterprise_id for a in assigns} == {world.firm.id, second.id}


def test_unassigning_and_refusing_an_empty_selection(as_role: Any, world: Any,
                                                     db_session: Any) -> None:
    browser = as_role("admin")
    nothing = browser.post("/admin/portfolios", {"mode": "selected", "target": "none"})
    assert nothing.status_code == 302
    assert _open_advisor(db_session, world.firm.id) == world.users["advisor_in"].id
    browser.post("/admin/portfolios", {"mode": "selected", "target": "none",
                                       "ids": [str(world.firm.id)]})
    assert _open_advisor(db_session, world.firm.id) is None


def test_assigning_to_a_non_advisor_is_refused(as_role: Any, world: Any, db_session: Any) -> None:
    browser = as_role("admin")
    response = browser.post("/admin/portfolios", {
        "mode": "all", "target": world.users["leader"].username})
    assert response.status_code == 302
    assert "请选择要分配给的科技指导员" in browser.client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert _open_advisor(db_session, world.other.id) is None


# ---------------------------------------------------------------- audit log


def test_the_audit_log_lists_filters_and_paginates(as_role: Any, world: Any, app: Any) -> None:
    browser = as_role("admin")
    code = world.firm.credit_code
    for n in range(3):
        browser.post(f"/enterprises/{code}/visits/new",
                     {"visited_on": "2026-01-0" + str(n + 1), "notes": f"第{n}次"})
    html = browser.client.get("/admin/audit").get_data(as_text=True)
    assert "新增走访" in html
    assert "仙居测试制药有限公司" in html
    assert "登录用户" in html
    visits = browser.client.get("/admin/audit?entity_type=visit").get_data(as_text=True)
    assert visits.count("新增走访") == 3
    assert "登录用户" not in visits
    app.config["PER_PAGE"] = 2
    try:
        page2 = browser.client.get("/admin/audit?entity_type=visit&page=2").get_data(as_text=True)
    finally:
        app.config["PER_PAGE"] = 50
    assert page2.count("新增走访") == 1
    assert "共 3 条" in page2
    by_firm = browser.client.get("/admin/audit?enterprise=无人联系").get_data(as_text=True)
    assert "新增走访" not in by_firm
    future = browser.client.get("/admin/audit?start=2999-01-01").get_data(as_text=True)
    assert "暂无操作记录" in future
    bad = browser.client.get("/admin/audit?start=yesterday")
    assert bad.status_code == 200
    assert "开始日期" in bad.get_data(as_text=True)


# ---------------------------------------------------------------- dashboard panel


def test_the_advisor_panel_counts_my_firms_follow_ups_and_recent_changes(
    world: Any, db_session: Any, make_enterprise: Any
) -> None:
    advisor = world.users["advisor_in"]
    make_enterprise(tier="startup", advisor=advisor)
    make_enterprise(tier="leading", advisor=world.users["advisor_out"])
    today = date(2026, 4, 10)
    db_session.add(Visit(enterprise_id=world.other.id, advisor_id=None, visited_on=today,
                         notes="别人的", next_follow_up_on=today - timedelta(days=1)))
    db_session.add(AuditLog(actor_name="x", entity_type="enterprise", entity_id=world.firm.id,
                            enterprise_id=world.firm.id, action="update"))
    db_session.flush()
    mine = advisor_context(db_session, advisor, today)["advisor_panel"]
    assert dict((t, n) for t, _, n in mine.tier_counts) == {
        "leading": 0, "hnte": 1, "tech_sme": 0, "startup": 1, "none": 0}
    assert mine.total == 2
    assert not mine.county_wide
    assert [(f.enterprise_name, f.days_overdue) for f in mine.follow_ups] == [
        ("仙居测试制药有限公司", 9)]
    assert [r.enterprise_name for r in mine.recent] == ["仙居测试制药有限公司"]
    county = advisor_context(db_session, world.users["leader"], today)["advisor_panel"]
    assert county.county_wide
    assert county.total == 4
    assert county.follow_ups_total == 2


def test_a_follow_up_not_yet_due_or_done_is_not_listed(world: Any, db_session: Any) -> None:
    advisor = world.users["advisor_in"]
    assert advisor_context(db_session, advisor, date(2026, 3, 31))["advisor_panel"].follow_ups == []
    visit = db_session.scalars(select(Visit)).one()
    visit.follow_up_done = True
    db_session.flush()
    assert advisor_context(db_session, advisor, date(2026, 5, 1))["advisor_panel"].follow_ups == []
