"""Bulk actions on the firms ticked on the 企业库 and the 培育库: 计划走访, 导出, 分配指导员.
All or nothing: a firm the user may not see, a deleted firm, too many firms or a bad date refuse
the whole action with a Chinese message, and nothing is saved."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from cultivation.audit.models import AuditLog
from cultivation.bulk.queries import MAX_SELECTION
from cultivation.extensions import db
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.visits.models import Visit
from cultivation.visits.services import next_follow_ups
from cultivation.web import clock
from testkit import count_queries, response_text


def _visits(db_session: Any) -> int:
    return db_session.scalar(select(func.count()).select_from(Visit)) or 0


def _bulk(auth: Any, action: str, firms: list[Any], page: str = "enterprises",
          query: str = "", **fields: Any) -> Any:
    form_url = "/enterprises" if page == "enterprises" else "/screening/candidates"
    ids = [str(f) if isinstance(f, int | str) else str(f.id) for f in firms]
    return auth.post(f"/bulk/{page}{query}", {"action": action, "ids": ids, **fields},
                     form_url=form_url)


@pytest.fixture
def world(make_user: Any, make_enterprise: Any) -> dict[str, Any]:
    mine_user = make_user("advisor", username="bulkme", display_name="我自己")
    other = make_user("advisor", username="bulkother", display_name="别的指导员")
    mine = [make_enterprise(advisor=mine_user, name=f"我的企业{i}有限公司") for i in range(3)]
    theirs = make_enterprise(advisor=other, name="别人的企业有限公司")
    free = make_enterprise(name="未分配企业有限公司")
    return {"me": mine_user, "other": other, "mine": mine, "theirs": theirs, "free": free}


def test_an_advisor_plans_a_visit_for_each_ticked_firm(auth, client, db_session, world):
    auth.login(world["me"])
    day = clock.today() + timedelta(days=10)
    response = _bulk(auth, "visits", world["mine"][:2], query="?town=安洲街道&page=1",
                     planned_on=day.isoformat(), note="了解研发费用归集")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/enterprises?town=%E5%AE%89%E6%B4%B2%E8%A1%97"
                                                 "%E9%81%93&page=1")
    planned = db_session.scalars(select(Visit).order_by(Visit.enterprise_id)).all()
    assert [(v.enterprise_id, v.visited_on, v.next_follow_up_on, v.notes, v.follow_up_done)
            for v in planned] == [(f.id, None, day, "了解研发费用归集", False)
                                  for f in world["mine"][:2]]
    assert next_follow_ups(db_session, [f.id for f in world["mine"]]) == {
        f.id: day for f in world["mine"][:2]}
    audits = db_session.scalars(select(AuditLog).where(AuditLog.action == "plan")).all()
    assert sorted(a.enterprise_id for a in audits) == sorted(f.id for f in world["mine"][:2])
    assert {a.actor_id for a in audits} == {world["me"].id}
    page = client.get(f"/enterprises/{world['mine'][0].credit_code}").get_data(as_text=True)
    assert "计划走访" in page
    assert "了解研发费用归集" in page


def test_logging_the_visit_settles_the_plan(auth, client, db_session, world):
    from cultivation.visits.services import log_visit

    auth.login(world["me"])
    day = clock.today() + timedelta(days=3)
    assert _bulk(auth, "visits", world["mine"][:1], planned_on=day.isoformat()).status_code == 303
    log_visit(db_session, world["mine"][0], {"visited_on": clock.today(), "notes": "已走访"},
              actor=world["me"], now=clock.now())
    assert next_follow_ups(db_session, [world["mine"][0].id]) == {}


@pytest.mark.parametrize("whose", ["theirs", "free", "deleted"])
def test_one_firm_outside_the_advisors_portfolio_refuses_the_whole_action(
        auth, client, db_session, world, whose):
    from cultivation.enterprises.services import delete_enterprise

    me = auth.login(world["me"])
    target = world["mine"][2] if whose == "deleted" else world[whose]
    if whose == "deleted":
        delete_enterprise(db_session, target, actor=me, now=clock.now())
        db_session.commit()
    ticked = [*world["mine"][:2], target]
    day = (clock.today() + timedelta(days=5)).isoformat()
    for action in ("visits", "export"):
        response = _bulk(auth, action, ticked, planned_on=day, note="备注保留")
        assert response.status_code == 422
        html = unescape(response.get_data(as_text=True))
        assert "所选企业中有 1 家不在您的联系企业范围内或已删除，本次操作未执行" in html
        assert response.mimetype == "text/html"  # no workbook
    assert _visits(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "plan")) == 0


def test_a_refused_plan_keeps_the_typed_values_and_the_ticks(auth, client, db_session, world):
    auth.login(world["me"])
    response = _bulk(auth, "visits", world["mine"][:2],
                     planned_on=(clock.today() - timedelta(days=1)).isoformat(),
                     note="不要丢掉这段备注")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "计划走访日期不能早于今天" in html
    assert 'value="不要丢掉这段备注"' in html
    assert 'class="collapse show" id="bulk-visits"' in html  # the panel stays open
    for firm in world["mine"][:2]:
        assert f'name="ids" value="{firm.id}" aria-label="选择 {firm.name}" checked>' in html
    third = world["mine"][2]
    assert f'name="ids" value="{third.id}" aria-label="选择 {third.name}">' in html
    assert _visits(db_session) == 0


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "请填写计划走访日期"),
    ({"planned_on": "2026-02-30"}, "日期“2026-02-30”不存在"),
    ({"planned_on": "明天"}, "无法识别的日期“明天”"),
    ({"planned_on": "FAR", "note": ""}, "计划走访日期不能晚于两年之后"),
    ({"planned_on": "SOON", "note": "长" * 501}, "备注不超过500个字（现有 501 个）"),
])
def test_bad_plan_fields_are_refused_in_chinese(auth, client, db_session, world, fields, message):
    auth.login(world["me"])
    replace = {"FAR": (clock.today() + timedelta(days=800)).isoformat(),
               "SOON": (clock.today() + timedelta(days=1)).isoformat()}
    fields = {k: replace.get(v, v) for k, v in fields.items()}
    response = _bulk(auth, "visits", world["mine"], **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _visits(db_session) == 0


@pytest.mark.parametrize(("ids", "message"), [
    ([], "请先勾选要处理的企业"),
    (["abc"], "所选企业有误"),
    (["9" * 30], "所选企业有误"),
    ([str(i) for i in range(1, MAX_SELECTION + 2)],
     f"一次最多处理 {MAX_SELECTION} 家企业（已选 501 家）"),
])
def test_an_empty_bad_or_oversized_selection_is_refused(auth, client, db_session, world, ids,
                                                       message):
    auth.login("admin")
    for action in ("visits", "export", "assign"):
        response = _bulk(auth, action, ids, planned_on=clock.today().isoformat(),
                         advisor="bulkme")
        assert response.status_code == 422, action
        assert message in response.get_data(as_text=True)
    assert _visits(db_session) == 0


def test_an_admin_assigns_the_ticked_firms_with_handover_history(auth, client, db_session,
                                                                 world):
    auth.login("admin")
    ticked = [world["theirs"], world["free"], world["mine"][0]]
    response = _bulk(auth, "assign", ticked, page="candidates", advisor="bulkme")
    assert response.status_code == 303
    assert "/screening/candidates" in response.headers["Location"]
    rows = db_session.scalars(select(PortfolioAssignment).where(
        PortfolioAssignment.enterprise_id == world["theirs"].id)
        .order_by(PortfolioAssignment.id)).all()
    assert [(r.advisor_id, r.ended_on) for r in rows] == [
        (world["other"].id, clock.today()), (world["me"].id, None)]
    open_rows = db_session.scalars(select(PortfolioAssignment.enterprise_id).where(
        PortfolioAssignment.advisor_id == world["me"].id,
        PortfolioAssignment.ended_on.is_(None))).all()
    assert set(open_rows) >= {f.id for f in ticked}
    assigned = db_session.scalars(select(AuditLog.enterprise_id).where(
        AuditLog.entity_type == "portfolio")).all()
    assert sorted(assigned) == sorted([world["theirs"].id, world["free"].id])
    assert "已将 2 家企业分配给 我自己，另有 1 家原本就由其联系" in \
        client.get(response.headers["Location"]).get_data(as_text=True)


def test_assigning_is_for_admins_and_needs_an_active_advisor(auth, client, db_session, world,
                                                            make_user):
    before = db_session.scalar(select(func.count()).select_from(PortfolioAssignment))
    auth.login(world["me"])
    refused = _bulk(auth, "assign", world["mine"], advisor="bulkother")
    assert refused.status_code == 403
    assert "只有管理员可以批量分配科技指导员" in refused.get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    leader = make_user("leader")
    db_session.commit()
    for name in ("", "nobody", leader.username):
        response = _bulk(auth, "assign", [world["free"]], advisor=name)
        assert response.status_code == 422
        assert "请选择要分配给的科技指导员" in response.get_data(as_text=True)
    # One deleted firm among the ticked: nobody is reassigned.
    from cultivation.enterprises.services import delete_enterprise

    delete_enterprise(db_session, world["free"], actor=leader, now=clock.now())
    db_session.commit()
    response = _bulk(auth, "assign", [world["theirs"], world["free"]], advisor="bulkme")
    assert response.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(PortfolioAssignment)) == before
    assert db_session.scalar(select(PortfolioAssignment.advisor_id).where(
        PortfolioAssignment.enterprise_id == world["theirs"].id,
        PortfolioAssignment.ended_on.is_(None))) == world["other"].id


def test_leaders_export_but_do_not_plan(auth, client, db_session, world):
    auth.login("leader")
    refused = _bulk(auth, "visits", world["mine"], planned_on=clock.today().isoformat())
    assert refused.status_code == 403
    assert "只读账号不能计划走访" in refused.get_data(as_text=True)
    exported = _bulk(auth, "export", [world["theirs"], world["mine"][1]])
    assert exported.status_code == 200
    assert exported.mimetype.endswith("spreadsheetml.sheet")
    text = response_text(exported)
    assert world["theirs"].name in text
    assert world["mine"][1].name in text
    assert world["mine"][0].name not in text
    assert world["free"].name not in text


def test_an_advisor_exports_the_ticked_firms_of_the_portfolio(auth, client, world):
    auth.login(world["me"])
    exported = _bulk(auth, "export", world["mine"][:2], page="candidates")
    assert exported.status_code == 200
    text = response_text(exported)
    assert [n in text for n in (f.name for f in world["mine"])] == [True, True, False]
    assert "bulkme" in text  # the advisor column, as the list export writes it


def test_the_list_shows_tick_boxes_only_for_firms_whose_details_are_visible(auth, client,
                                                                            world):
    auth.login(world["me"])
    html = client.get("/enterprises?scope=all").get_data(as_text=True)
    assert f'name="ids" value="{world["mine"][0].id}"' in html
    assert f'name="ids" value="{world["theirs"].id}"' not in html
    assert 'value="assign"' not in html
    assert 'value="visits"' in html
    auth.logout()
    auth.login("leader")
    html = client.get("/enterprises").get_data(as_text=True)
    assert f'name="ids" value="{world["theirs"].id}"' in html
    assert 'value="visits"' not in html
    assert 'value="export"' in html


def test_a_bulk_post_without_the_csrf_token_is_refused(auth, client, db_session, world):
    auth.login(world["me"])
    response = client.post("/bulk/enterprises", data={
        "action": "visits", "ids": [str(world["mine"][0].id)],
        "planned_on": clock.today().isoformat()})
    assert response.status_code == 400
    assert _visits(db_session) == 0


@pytest.mark.parametrize("action", ["visits", "assign"])
def test_a_bulk_action_issues_the_same_statements_for_5_and_40_firms(
        auth, client, db_session, make_enterprise, make_user, action):
    advisor = make_user("advisor", username="counted")
    firms = [make_enterprise(advisor=make_user("advisor") if i % 2 else None)
             for i in range(45)]
    auth.login("admin")
    counts = []
    for chunk in (firms[:5], firms[5:45]):
        page = client.get("/enterprises")
        from testkit import csrf_from

        token = csrf_from(page.get_data(as_text=True))
        with count_queries(db.engine) as queries:
            response = client.post("/bulk/enterprises", data={
                "action": action, "ids": [str(f.id) for f in chunk], "csrf_token": token,
                "planned_on": (clock.today() + timedelta(days=1)).isoformat(),
                "advisor": advisor.username})
        assert response.status_code == 303
        counts.append(queries.count)
    print(f"\n{action}: statements for 5 firms {counts[0]}, for 40 firms {counts[1]}")
    assert counts[0] == counts[1]
