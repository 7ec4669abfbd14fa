"""The firm page's one activity timeline: 走访, certificates (added, revoked, deleted), figure
changes and imports merged newest first, a page at a time with 更多, in a fixed number of
statements, and only for those who may see the firm's details."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from import_support import run, write_csv
from registry_support import quick_user
from reports_support import count_statements

from cultivation.enterprises import services as registry
from cultivation.enterprises.activity import firm_activity
from cultivation.qualifications import services as qualifications
from cultivation.visits import services as visits
from cultivation.web.clock import zone

LOCAL = timedelta(hours=8)  # Asia/Shanghai


def at(day: str, hour: int) -> datetime:
    """A local (UTC+8) hour of ``day`` as an aware UTC instant."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC) - LOCAL


@pytest.fixture
def history(db_session: Any, make_enterprise: Any, tmp_path: Any) -> dict[str, Any]:
    """A firm with one of everything, each written through its service (so audited)."""
    advisor = quick_user(db_session, "advisor", display_name="王指导员")
    admin = quick_user(db_session, "admin", display_name="赵管理员")
    firm = make_enterprise(advisor=advisor, name="仙居动态测试有限公司")
    registry.record_figures(db_session, firm, 2025, {"employees": 80, "rd_expense": 120},
                            actor=advisor, now=at("2026-05-02", 10))
    hnte = qualifications.add_qualification(db_session, firm, {
        "kind": "hnte", "number": "GR202333001234", "valid_from": date(2023, 12, 1),
        "valid_to": date(2026, 11, 30)}, actor=admin, now=at("2026-05-03", 9))
    # Typed in a week later: it still sits on the day of the visit.
    visits.log_visit(db_session, firm, {"visited_on": date(2026, 5, 4),
                                        "notes": "走访：核对研发费用辅助账",
                                        "next_follow_up_on": date(2026, 6, 1)},
                     actor=advisor, now=at("2026-05-11", 9))
    registry.record_figures(db_session, firm, 2025, {"employees": 80, "rd_expense": 150},
                            actor=advisor, now=at("2026-05-05", 16))
    qualifications.update_qualification(db_session, hnte, {
        "status": "revoked", "revoked_on": date(2026, 5, 6)}, actor=admin,
        now=at("2026-05-06", 11))
    path = write_csv(tmp_path / "2025年报.csv", [
        ["统一社会信用代码", "企业名称", "年份", "职工总数", "研发费用（万元）"],
        [firm.credit_code, firm.name, 2025, 95, 150],
    ])
    report = run(db_session, path, commit=True, user=admin)  # import_support.NOW: 06-30 10:00
    assert report.updated == 1
    wrong = qualifications.add_qualification(db_session, firm, {
        "kind": "zj_tech_sme", "valid_from": date(2026, 1, 1)}, actor=admin,
        now=at("2026-07-01", 9))
    qualifications.delete_qualification(db_session, wrong, actor=admin, now=at("2026-07-01", 10))
    db_session.flush()
    return {"firm": firm, "advisor": advisor, "admin": admin}


NEWEST_FIRST = [
    ("certificate", "删除资质", "浙江省科技型中小企业"),
    ("certificate", "新增资质", "浙江省科技型中小企业 2026年1月1日 至"),
    ("import", "导入", "年度数据 文件 2025年报.csv（新增 0，修改 1）"),
    ("figures", "修改年度数据", "职工总数 80 → 95 人"),
    ("certificate", "撤销资质",
     "高新技术企业 2023年12月1日 至 2026年11月30日，编号 GR202333001234，2026年5月6日 撤销"),
    ("figures", "修改年度数据", "2025年度：研发费用 120 → 150 万元"),
    ("visit", "走访", ""),
    ("certificate", "新增资质", "高新技术企业 2023年12月1日 至 2026年11月30日"),
    ("figures", "录入年度数据", "2025年度：职工总数 80 人；研发费用 120 万元"),
]


def test_the_timeline_merges_visits_certificates_figures_and_imports_newest_first(
        app: Any, db_session: Any, history: dict[str, Any]) -> None:
    with app.test_request_context():
        page = firm_activity(db_session, history["firm"].id, zone=zone(),
                             now=at("2026-07-02", 9))
    assert not page.has_older
    got = [(e.kind, e.what) for e in page.entries]
    assert got == [(kind, what) for kind, what, _ in NEWEST_FIRST]
    for entry, (_, _, detail) in zip(page.entries, NEWEST_FIRST, strict=True):
        assert detail in entry.detail, (entry.what, entry.detail)
    visit = page.entries[6]
    assert (visit.day, visit.who, visit.notes) == (date(2026, 5, 4), "王指导员",
                                                   "走访：核对研发费用辅助账")
    assert page.entries[0].who == "赵管理员"


def test_the_firm_page_shows_the_timeline_instead_of_two_lists(
        client: Any, auth: Any, history: dict[str, Any]) -> None:
    auth.login(history["advisor"])
    html = client.get(f"/enterprises/{history['firm'].credit_code}").get_data(as_text=True)
    section = html.split('id="activity"')[1].split("</section>")[0]
    assert re.findall(r'data-kind="(\w+)"', section) == [k for k, _, _ in NEWEST_FIRST]
    assert "研发费用 120 → 150 万元" in section
    assert "2025年报.csv" in section
    assert "走访：核对研发费用辅助账" in section
    assert 'id="visits"' not in html
    assert 'id="audit"' not in html
    assert "更多（更早的动态）" not in html


def test_older_entries_are_a_page_away(client: Any, auth: Any, db_session: Any,
                                       make_enterprise: Any) -> None:
    advisor = quick_user(db_session, "advisor")
    firm = make_enterprise(advisor=advisor)
    for n in range(23):
        visits.log_visit(db_session, firm, {"visited_on": date(2026, 1, 1) + timedelta(days=n),
                                            "notes": f"第{n + 1:02d}次走访"},
                         actor=advisor, now=datetime(2026, 3, 1, tzinfo=UTC))
    db_session.flush()
    auth.login(advisor)
    html = client.get(f"/enterprises/{firm.credit_code}").get_data(as_text=True)
    notes = re.findall(r"第(\d\d)次走访", html)
    assert notes == [f"{n:02d}" for n in range(23, 3, -1)]  # the newest 20
    more = f'/enterprises/{firm.credit_code}/activity?page=2'
    assert f'href="{more}"' in html
    older = client.get(more).get_data(as_text=True)
    assert re.findall(r"第(\d\d)次走访", older) == ["03", "02", "01"]
    assert "更早</a>" not in older
    assert "较新</a>" in older
    beyond = client.get(f"/enterprises/{firm.credit_code}/activity?page=9")
    assert beyond.status_code == 200
    assert "没有更早的记录了" in beyond.get_data(as_text=True)


def test_a_page_takes_the_same_few_statements_however_long_the_history(
        app: Any, db_session: Any, history: dict[str, Any]) -> None:
    firm, advisor = history["firm"], history["advisor"]
    with app.test_request_context():
        with count_statements() as short:
            firm_activity(db_session, firm.id, zone=zone(), now=at("2026-07-02", 9))
        for n in range(30):
            registry.record_figures(db_session, firm, 2010 + n % 10, {"employees": 10 + n},
                                    actor=advisor, now=at("2026-08-01", 9))
        db_session.flush()
        with count_statements() as long:
            page = firm_activity(db_session, firm.id, zone=zone(), now=at("2026-08-02", 9))
    assert page.has_older
    assert len(page.entries) == 20
    assert short.count <= 5
    assert long.count <= 5


def test_an_advisor_reads_no_timeline_of_another_portfolio(
        client: Any, auth: Any, db_session: Any, history: dict[str, Any]) -> None:
    other = quick_user(db_session, "advisor")
    auth.login(other)
    code = history["firm"].credit_code
    page = client.get(f"/enterprises/{code}").get_data(as_text=True)
    assert "核对研发费用辅助账" not in page
    assert "2025年报.csv" not in page
    for url in (f"/enterprises/{code}/activity", f"/enterprises/{code}/activity?page=2"):
        response = client.get(url)
        assert response.status_code == 403
        body = response.get_data(as_text=True)
        assert "核对研发费用辅助账" not in body
        assert "GR202333001234" not in body


def test_a_planned_visit_shows_when_it_was_planned_and_for_which_day(
        client: Any, auth: Any, db_session: Any, history: dict[str, Any]) -> None:
    """A 走访 planned from the lists (no visit date yet) is an entry of the day it was planned,
    labelled 计划走访 with its planned day — the page must not break on the missing date."""
    firm = history["firm"]
    visits.plan_visits(db_session, [firm.id], {"planned_on": date(2026, 7, 20),
                                               "note": "计划：核对高企申报材料"},
                       actor=history["advisor"], now=at("2026-07-02", 9))
    db_session.commit()
    page = firm_activity(db_session, firm.id, zone=zone("Asia/Shanghai"),
                         now=at("2026-07-03", 9))
    first = page.entries[0]
    assert (first.what, first.planned, first.day, first.follow_up) == (
        "计划走访", True, date(2026, 7, 2), date(2026, 7, 20))
    auth.login(history["advisor"])
    response = client.get(f"/enterprises/{firm.credit_code}")
    assert response.status_code == 200
    section = response.get_data(as_text=True).split('id="activity"')[1].split("</section>")[0]
    assert "计划走访" in section
    assert "计划日期：2026年7月20日" in section
