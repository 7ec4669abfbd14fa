"""Report pages: every role reads them, every table exports to xlsx with a title block, bad
parameters give Chinese errors, and each page issues a bounded number of SQL statements."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook
from reports_support import count_statements, institute, qualify
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.reports.models import ManualActual, PlanPeriod, Target
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.visits.models import Visit

PAGES = ["/reports/", "/reports/funnel", "/reports/flows", "/reports/coverage",
         "/reports/targets", "/reports/workload", "/"]
EXPORTS = [
    ("/reports/funnel?as_of=2024-06-30&format=xlsx", "科技企业梯次漏斗"),
    ("/reports/flows?format=xlsx", "梯次流转（按年）"),
    ("/reports/flows?format=xlsx&table=cohorts", "科小升高企队列转化"),
    ("/reports/flows?format=xlsx&table=time", "各梯次停留时间"),
    ("/reports/coverage?format=xlsx", "三覆盖未覆盖企业名单"),
    ("/reports/coverage?format=xlsx&table=summary", "三覆盖情况汇总"),
    ("/reports/coverage?format=xlsx&table=towns", "三覆盖分乡镇统计"),
    ("/reports/coverage?format=xlsx&table=advisors", "三覆盖分指导员统计"),
    ("/reports/targets?format=xlsx", "主要指标完成情况"),
    ("/reports/targets?format=xlsx&table=scoped", "目标分解完成情况"),
    ("/reports/workload?format=xlsx", "科技指导员工作量"),
    ("/reports/workload?format=xlsx&table=stale", "长期未走访企业名单"),
]


def populate(session: Session, make_enterprise: Any, make_user: Any, n: int) -> None:
    """``n`` firms with tiers, institutions, visits and evaluations: every report has rows."""
    advisor = make_user("advisor")
    run = ScreeningRun(as_of=date(2024, 6, 1))
    session.add(run)
    session.flush()
    for i in range(n):
        firm = make_enterprise(advisor=advisor, above_scale=i % 2 == 0, listed=i % 5 == 0,
                               town="横溪镇" if i % 3 else "安洲街道",
                               figures={2023: {"rd_expense": 100 + i, "sales_revenue": 4000}})
        qualify(session, firm, "zj_tech_sme", date(2019 + i % 4, 12, 28), None)
        if i % 3 == 0:
            qualify(session, firm, "hnte", date(2021 + i % 3, 12, 1), date(2024 + i % 3, 11, 30))
        if i % 4 == 0:
            institute(session, firm, "municipal_hnte_center", date(2022, 11, 1))
        session.add(Visit(enterprise_id=firm.id, advisor_id=advisor.id,
                          visited_on=date(2024, 5, 1), notes="走访",
                          next_follow_up_on=date(2024, 6, 1)))
        session.add(Evaluation(run_id=run.id, enterprise_id=firm.id, rules="hnte",
                               as_of=run.as_of, outcome="eligible" if i % 2 else "ineligible",
                               details={}))
    session.flush()


@pytest.fixture
def data(db_session: Session, make_enterprise: Any, make_user: Any, seeded: None) -> None:
    populate(db_session, make_enterprise, make_user, 6)


@pytest.mark.parametrize("role", ["admin", "leader", "advisor"])
@pytest.mark.parametrize("path", PAGES)
def test_every_role_reads_every_report_page(auth: Any, client: Any, data: None, role: str,
                                            path: str) -> None:
    auth.login(role)
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    assert 'lang="zh-CN"' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES[:-1])
def test_report_pages_need_a_login(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/reports/funnel", "/reports/flows", "/reports/coverage",
                                  "/reports/targets", "/reports/workload"])
def test_chart_pages_load_the_vendored_echarts_and_print_styles(auth: Any, client: Any,
                                                                data: None, path: str) -> None:
    auth.login("leader")
    html = client.get(path).get_data(as_text=True)
    assert "/static/vendor/echarts-6.1.0/echarts.min.js" in html
    assert "cdn" not in html.lower()
    assert "@media print" in html
    assert "print-header" in html


@pytest.mark.parametrize(("url", "title"), EXPORTS)
def test_every_table_exports_to_xlsx_with_a_title_block(auth: Any, client: Any, data: None,
                                                       url: str, title: str) -> None:
    auth.login("leader")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert ".xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert title in sheet["A1"].value
    assert "：" in sheet["A2"].value  # filters / as-of line
    assert sheet["A3"].value.startswith("生成时间：")
    assert sheet["A4"].value
    assert sheet.freeze_panes == "A5"
    assert sheet.max_row >= 5


def test_the_funnel_export_carries_the_as_of_date_filters_and_counts(
    auth: Any, client: Any, data: None
) -> None:
    auth.login("admin")
    response = client.get("/reports/funnel?as_of=2024-06-30&town=横溪镇&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert "2024年6月30日" in sheet["A2"].value
    assert "横溪镇" in sheet["A2"].value
    rows = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(5, sheet.max_row + 1)}
    page = client.get("/api/v1/reports/funnel")  # no token: the JSON API is separate
    assert page.status_code == 401
    assert rows["合计"] == 4  # 横溪镇 holds 4 of the 6 firms


@pytest.mark.parametrize("url", [
    "/reports/funnel?as_of=2024-02-30", "/reports/funnel?advisor=nobody",
    "/reports/flows?town=火星镇", "/reports/coverage?as_of=abc",
    "/reports/coverage?kind=martians", "/reports/workload?days=0",
    "/reports/workload?from=2025-01-01&to=2024-01-01", "/reports/workload?days=abc",
])
def test_bad_parameters_give_a_chinese_422_page(auth: Any, client: Any, url: str) -> None:
    auth.login("leader")
    response = client.get(url)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text.split("<main", 1)[1][:400])


def test_the_coverage_page_lists_uncovered_firms_with_town_and_advisor(
    auth: Any, client: Any, db_session: Session, make_enterprise: Any, make_user: Any
) -> None:
    adv = make_user("advisor", display_name="赵指导")
    firm = make_enterprise(listed=True, town="白塔镇", advisor=adv, name="白塔上市公司")
    auth.login("leader")
    html = client.get("/reports/coverage?kind=listed").get_data(as_text=True)
    assert f'data-code="{firm.credit_code}"' in html
    assert "白塔上市公司" in html
    assert "赵指导" in html
    assert "白塔镇" in html


def test_the_coverage_page_shows_a_bounded_uncovered_list_and_points_to_the_xlsx(
    auth: Any, client: Any, db_session: Session, make_enterprise: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cultivation.reports import views

    monkeypatch.setattr(views, "UNCOVERED_SHOWN", 2)
    firms = [make_enterprise(listed=True, name=f"上市{i}") for i in range(3)]
    auth.login("leader")
    html = client.get("/reports/coverage").get_data(as_text=True)
    assert "未覆盖企业名单（3 家）" in html
    assert sum(f'data-code="{f.credit_code}"' in html for f in firms) == 2
    assert "仅显示前 2 家，共 3 家" in html
    book = load_workbook(io.BytesIO(client.get("/reports/coverage?format=xlsx").data))
    codes = {c.value for row in book.active.iter_rows() for c in row}
    assert {f.credit_code for f in firms} <= codes


def test_the_uncovered_list_pages_through_every_firm_once(
    auth: Any, client: Any, db_session: Session, make_enterprise: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cultivation.reports import views

    monkeypatch.setattr(views, "UNCOVERED_SHOWN", 2)
    firms = sorted((make_enterprise(listed=True, name=f"上市{i}") for i in range(5)),
                   key=lambda f: f.name)
    auth.login("leader")
    seen = []
    for number in (1, 2, 3):
        html = client.get(f"/reports/coverage?kind=listed&upage={number}").get_data(as_text=True)
        assert "未覆盖企业名单（5 家）" in html
        seen.append([f.credit_code for f in firms if f'data-code="{f.credit_code}"' in html])
        assert ('rel="next"' in html) == (number < 3)
        assert ('rel="prev"' in html) == (number > 1)
    assert seen == [[f.credit_code for f in firms[i:i + 2]] for i in (0, 2, 4)]
    assert "第 3—4 家，共 5 家" in client.get("/reports/coverage?upage=2").get_data(as_text=True)
    assert client.get("/reports/coverage?upage=0").status_code == 422
    assert client.get("/reports/coverage?upage=x").status_code == 422


def test_the_targets_page_shows_the_seeded_14th_plan(auth: Any, client: Any,
                                                     seeded: None) -> None:
    auth.login("leader")
    html = client.get("/reports/targets").get_data(as_text=True)
    assert "“十四五”科技创新发展规划" in html
    assert 'data-indicator="hnte_count"' in html
    assert "高新技术企业数" in html
    assert "新增规划" not in html  # leaders read only


def test_the_targets_page_notes_the_closed_center_and_shows_the_institute_series(
        auth: Any, client: Any, seeded: None) -> None:
    auth.login("leader")  # today (the app clock) is after 浙经信高新〔2025〕169号
    html = client.get("/reports/targets").get_data(as_text=True)
    row = html[html.index('data-indicator="provincial_hnte_center_count"'):]
    row = row[:row.index("</tr>")]
    assert "data-closed" in row
    assert "无法再通过新认定增长" in row
    series = html[html.index('data-indicator="provincial_rd_series_count"'):]
    series = series[:series.index("</tr>")]
    assert "省级企业研究院（含原省高新研发中心）" in series
    assert "63" in series  # 15 + 48


def test_admins_add_a_plan_a_decomposed_target_and_a_manual_actual(
    auth: Any, client: Any, db_session: Session, make_user: Any, seeded: None
) -> None:
    advisor = make_user("advisor", username="li")
    admin = auth.login("admin")
    response = auth.post("/reports/targets/plans", {
        "p-code": "15th", "p-name": "“十五五”科技创新规划", "p-start_year": "2026",
        "p-end_year": "2030", "p-baseline_year": "2025"}, form_url="/reports/targets")
    assert response.status_code == 302
    response = auth.post("/reports/targets/targets", {
        "t-plan": "15th", "t-indicator": "hnte_count", "t-scope_kind": "advisor",
        "t-scope_value": advisor.username, "t-year": "2027", "t-value": "12"},
        form_url="/reports/targets")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    response = auth.post("/reports/targets/actuals", {
        "a-indicator": "rd_gdp_ratio", "a-year": "2024", "a-value": "2.41", "a-note": "统计公报"},
        form_url="/reports/targets")
    assert response.status_code == 302
    plan = db_session.scalar(select(PlanPeriod).where(PlanPeriod.code == "15th"))
    target = db_session.scalar(select(Target).where(Target.plan_id == plan.id))
    assert (target.scope_kind, target.scope_value, target.year, target.value) == (
        "advisor", "li", 2027, 12)
    actual = db_session.scalar(select(ManualActual))
    assert (actual.value, actual.entered_by_id) == (2.41, admin.id)
    html = client.get("/reports/targets?plan=14th").get_data(as_text=True)
    assert "统计公报" in html
    assert "2.41" in html


def test_a_bad_target_is_refused_in_chinese_and_nothing_is_saved(
    auth: Any, client: Any, db_session: Session, seeded: None
) -> None:
    auth.login("admin")
    before = db_session.scalar(select(Target.id).order_by(Target.id.desc()))
    response = auth.post("/reports/targets/targets", {
        "t-plan": "14th", "t-indicator": "hnte_count", "t-scope_kind": "town",
        "t-scope_value": "火星镇", "t-year": "二〇二五", "t-value": "abc"},
        form_url="/reports/targets")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "不是有效的数字" in html
    assert db_session.scalar(select(Target.id).order_by(Target.id.desc())) == before
    response = auth.post("/reports/targets/targets", {
        "t-plan": "14th", "t-indicator": "hnte_count", "t-scope_kind": "town",
        "t-scope_value": "火星镇", "t-year": "2025", "t-value": "3"}, form_url="/reports/targets")
    assert response.status_code == 422
    assert "未知的乡镇（街道）：火星镇" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/reports/targets/plans", "/reports/targets/targets",
                                 "/reports/targets/actuals"])
def test_only_admins_may_change_targets(auth: Any, client: Any, url: str) -> None:
    auth.login("leader")
    response = auth.post(url, {}, form_url="/reports/targets")
    assert response.status_code == 403


def test_the_leader_dashboard_shows_headline_cards_linking_to_reports(
    auth: Any, client: Any, db_session: Session, make_enterprise: Any, seeded: None
) -> None:
    make_enterprise(tier="hnte")
    make_enterprise(tier="tech_sme")
    auth.login("leader")
    html = client.get("/").get_data(as_text=True)
    assert 'data-card="hnte_count"' in html
    assert 'data-card="zj_tech_sme_count"' in html
    assert "/ 目标 90 家" in html
    assert 'href="/reports/targets"' in html
    assert 'href="/reports/coverage"' in html
    assert 'data-card="new_candidates"' in html
    assert "dash-funnel" in html


def test_advisors_get_their_panel_without_the_leader_cards(auth: Any, client: Any) -> None:
    auth.login("advisor")
    html = client.get("/").get_data(as_text=True)
    assert "leader-panel" not in html
    assert "echarts" not in html


def test_new_candidates_compare_the_latest_run_with_one_a_month_older(
    auth: Any, client: Any, db_session: Session, make_enterprise: Any
) -> None:
    a, b, c = make_enterprise(), make_enterprise(), make_enterprise()
    old, new = ScreeningRun(as_of=date(2024, 5, 1)), ScreeningRun(as_of=date(2024, 6, 15))
    db_session.add_all([old, new])
    db_session.flush()
    for run, firm, outcome in [(old, a, "eligible"), (old, b, "ineligible"),
                               (new, a, "eligible"), (new, b, "borderline"),
                               (new, c, "eligible")]:
        db_session.add(Evaluation(run_id=run.id, enterprise_id=firm.id, rules="hnte",
                                  as_of=run.as_of, outcome=outcome, details={}))
    db_session.flush()
    from cultivation.dashboard.queries import new_candidates

    result = new_candidates(db_session, date(2024, 6, 30))
    assert (result.count, result.latest_on, result.baseline_on) == (2, date(2024, 6, 15),
                                                                    date(2024, 5, 1))
    assert new_candidates(db_session, date(2024, 5, 20)).count is None


PAGE_QUERIES = ["/reports/funnel?as_of=2024-06-30", "/reports/flows", "/reports/coverage",
                "/reports/targets", "/reports/workload", "/",
                "/reports/coverage?format=xlsx", "/reports/targets?format=xlsx&table=scoped"]


@pytest.mark.parametrize("url", PAGE_QUERIES)
def test_each_page_issues_the_same_number_of_statements_for_5_or_50_firms(
    auth: Any, client: Any, db_session: Session, make_enterprise: Any, make_user: Any,
    url: str, seeded: None
) -> None:
    auth.login("admin")
    client.get("/reports/targets")  # a first request outside the count

    def statements_for(n: int) -> int:
        populate(db_session, make_enterprise, make_user, n)
        with count_statements() as log:
            assert client.get(url).status_code == 200
        return log.count

    small, large = statements_for(5), statements_for(45)
    assert small == large
    assert small <= 25
