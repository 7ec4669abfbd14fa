"""The pages where users meet the policy engine: 培育库, 自测, the firm page's verdict cards
and the 政策参数 admin pages — logged in as each role."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import g
from openpyxl import load_workbook
from screening_support import AS_OF, STRONG_FIELDS, StatementCounter, four_firms, strong_years
from sqlalchemy import func, select

from cultivation.audit.models import AuditLog
from cultivation.enterprises.models import FiscalYearFigures
from cultivation.parameters.models import PolicyParameter
from cultivation.screening.services import run_screening
from cultivation.screening.views import firm_verdicts
from testkit import response_text

NOW = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)


def firms_in_order(html: str) -> list[str]:
    return re.findall(r'<tr data-firm="([0-9A-Z]{18})"', html)


@pytest.fixture
def screened(db_session, make_enterprise, make_user):  # type: ignore[no-untyped-def]
    """Four firms of the advisor, one other firm, and a screening run as of AS_OF."""
    advisor = make_user("advisor")
    firms = four_firms(make_enterprise, advisor=advisor)
    firms["other"] = make_enterprise(town="白塔镇", figures=strong_years(), **STRONG_FIELDS)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    return advisor, firms


# 培育库 --------------------------------------------------------------------------------------

def test_the_candidate_list_ranks_eligible_borderline_incomplete_ineligible(auth, client,
                                                                            screened):
    _, firms = screened
    auth.login("admin")
    html = client.get("/screening/candidates").get_data(as_text=True)
    order = firms_in_order(html)
    assert order[0] in {firms["eligible"].credit_code, firms["other"].credit_code}
    assert order[2:] == [firms["borderline"].credit_code, firms["incomplete"].credit_code,
                         firms["ineligible"].credit_code]
    assert "近一年无重大安全、质量事故或严重环境违法行为" in html  # the ineligible firm's gap


def test_advisors_see_the_verdicts_of_their_portfolio_only(auth, client, screened):
    advisor, firms = screened
    auth.login(advisor)
    mine = firms_in_order(client.get("/screening/candidates").get_data(as_text=True))
    assert firms["other"].credit_code not in mine
    assert len(mine) == 4
    # A verdict comes from a firm's figures: a detail, not shown for others' firms at all.
    for query in ("?scope=all", "?scope=all&advisor=none", "?town=白塔镇",
                  "?scope=all&format=xlsx"):
        body = response_text(client.get(f"/screening/candidates{query}"))
        assert firms["other"].credit_code not in body
        assert firms["other"].name not in body


def test_the_leader_sees_the_list_for_each_rule_set(auth, client, screened):
    auth.login("leader")
    for rules in ("hnte", "tech-sme", "zj-tech-sme"):
        response = client.get(f"/screening/candidates?rules={rules}")
        assert response.status_code == 200
        assert len(firms_in_order(response.get_data(as_text=True))) == 5


def test_filters_narrow_the_list(auth, client, screened):
    _, firms = screened
    auth.login("admin")
    by_town = firms_in_order(client.get("/screening/candidates?town=白塔镇").get_data(as_text=True))
    assert by_town == [firms["other"].credit_code]
    by_outcome = client.get("/screening/candidates?outcome=incomplete").get_data(as_text=True)
    assert firms_in_order(by_outcome) == [firms["incomplete"].credit_code]
    junk = client.get("/screening/candidates?rules=x&outcome=y&town=z&page=abc")
    assert junk.status_code == 200


def test_new_and_dropped_since_the_last_screening(auth, client, screened, db_session):
    _, firms = screened
    row = db_session.scalar(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firms["incomplete"].id, FiscalYearFigures.year == 2024))
    row.rd_expense = 200
    firms["eligible"].major_incident_last_year = True
    db_session.flush()
    run_screening(db_session, as_of=AS_OF, now=NOW)
    auth.login("admin")
    html = client.get("/screening/candidates").get_data(as_text=True)
    assert "只看新增 1" in html
    assert "只看退出 1" in html
    new = client.get("/screening/candidates?change=new").get_data(as_text=True)
    assert firms_in_order(new) == [firms["incomplete"].credit_code]
    dropped = client.get("/screening/candidates?change=dropped").get_data(as_text=True)
    assert firms_in_order(dropped) == [firms["eligible"].credit_code]
    assert "上次：符合" in dropped


def test_the_list_exports_to_xlsx(auth, client, screened):
    _, firms = screened
    auth.login("admin")
    response = client.get("/screening/candidates?format=xlsx&rules=tech-sme")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["序号", "企业名称", "统一社会信用代码"]
    codes = [sheet.cell(row=r, column=3).value for r in range(5, sheet.max_row + 1)]
    assert len(codes) == 5
    assert codes[-1] == firms["ineligible"].credit_code  # the accident fails 科小 too


def test_without_a_run_the_list_says_how_screening_happens(auth, client):
    auth.login("advisor")
    html = client.get("/screening/candidates").get_data(as_text=True)
    assert "尚未进行过筛选" in html


def test_anonymous_users_are_sent_to_login(client):
    for url in ("/screening/candidates", "/screening/selftest", "/admin/parameters"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


# 自测 ----------------------------------------------------------------------------------------

def test_the_selftest_page_opens_blank_for_every_role(auth, client):
    for role in ("admin", "leader", "advisor"):
        auth.login(role)
        html = client.get("/screening/selftest").get_data(as_text=True)
        assert "自测" in html
        last_year = datetime.now(ZoneInfo("Asia/Shanghai")).year - 1
        assert f'name="fy2_year" value="{last_year}"' in html
        auth.logout()


def test_a_firms_stored_figures_fill_the_form(auth, client, screened):
    advisor, firms = screened
    auth.login(advisor)
    code = firms["eligible"].credit_code
    html = client.get(f"/screening/selftest?code={code}").get_data(as_text=True)
    assert 'value="4300"' in html  # 2025 sales
    assert 'id="verdict-hnte"' in html


def test_an_advisor_picks_the_firm_by_name_from_a_searchable_box(auth, client, screened):
    advisor, firms = screened
    auth.login(advisor)
    firm = firms["eligible"]
    html = client.get("/screening/selftest").get_data(as_text=True)
    assert 'list="firm-options"' in html
    assert 'id="pick" name="code"' not in html  # no 154-item dropdown
    assert f'<option value="{firm.name}">{firm.credit_code}</option>' in html
    html = client.get("/screening/selftest",
                      query_string={"firm": firm.name}).get_data(as_text=True)
    assert 'value="4300"' in html
    missing = client.get("/screening/selftest", query_string={"firm": "别人家的公司"})
    assert missing.status_code == 404
    assert "您联系的企业中没有" in missing.get_data(as_text=True)


def test_an_advisor_cannot_load_another_advisors_firm(auth, client, screened, make_user):
    _, firms = screened
    auth.login(make_user("advisor"))
    code = firms["eligible"].credit_code
    assert client.get(f"/screening/selftest?code={code}").status_code == 403
    assert client.get("/screening/selftest?code=91331024MA0000000X").status_code == 404


def selftest_form(firm_values: dict[str, str] | None = None) -> dict[str, str]:
    data = {"as_of": "2026-06-30", "registered_on": "2019-05-01", "tech_domain": "电子信息",
            "core_ip_owned": "1", "ip_self_developed": "1", "led_standard": "0",
            "major_incident_last_year": "0", "self_tech_advancement": "8",
            "self_core_support": "8", "self_rd_management": "20"}
    for i, (year, figures) in enumerate(strong_years().items()):
        data[f"fy{i}_year"] = str(year)
        for name, value in figures.items():
            data[f"fy{i}_{name}"] = str(value)
    data.update(firm_values or {})
    return data


def outcome_of(html: str, rules: str) -> str:
    match = re.search(rf'data-rules="{rules}" data-outcome="(\w+)"', html)
    assert match, f"no {rules} verdict on the page"
    return match.group(1)


def test_posting_the_form_recomputes_without_saving(auth, client, screened, db_session):
    advisor, firms = screened
    auth.login(advisor)
    code = firms["eligible"].credit_code
    url = f"/screening/selftest?code={code}"
    response = auth.post("/screening/selftest", selftest_form({"code": code}), form_url=url)
    assert response.status_code == 200
    assert outcome_of(response.get_data(as_text=True), "hnte") == "eligible"
    worse = auth.post("/screening/selftest", selftest_form({"code": code, "fy2_tech_staff": "11"}),
                      form_url=url)
    html = worse.get_data(as_text=True)
    assert outcome_of(html, "hnte") == "ineligible"
    assert "科技人员还差 1 人" in html
    stored = db_session.scalar(select(FiscalYearFigures.tech_staff).where(
        FiscalYearFigures.enterprise_id == firms["eligible"].id, FiscalYearFigures.year == 2025))
    assert stored == 18


@pytest.mark.parametrize(("field", "value", "message"), [
    ("fy2_sales_revenue", "四千三", "不是有效的数字"),
    ("fy2_rd_expense", "-5", "必须是非负数"),
    ("fy2_tech_staff", "500", "科技人员不能多于职工总数"),
    ("registered_on", "2019-02-30", "不存在"),
    ("fy2_ip_class_i", "1.5", "应为整数"),
    ("self_rd_management", "-1", "必须是非负整数"),
    ("fy2_year", "2024", "年份重复"),
    ("core_ip_owned", "maybe", "应填"),
])
def test_bad_input_shows_chinese_field_errors_and_no_verdict(auth, client, field, value,
                                                             message):
    auth.login("admin")
    response = auth.post("/screening/selftest", selftest_form({field: value}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert re.search(rf'is-invalid"[^>]*name="{field}"', html)
    assert 'data-rules="hnte"' not in html


def test_a_figure_without_its_year_is_an_error(auth, client):
    auth.login("admin")
    response = auth.post("/screening/selftest", selftest_form({"fy3_employees": "10"}))
    assert response.status_code == 422
    assert "请同时填写年度" in response.get_data(as_text=True)


def test_a_blank_form_gives_incomplete_verdicts(auth, client):
    auth.login("leader")
    response = auth.post("/screening/selftest", {"as_of": "2026-06-30"})
    assert response.status_code == 200
    assert outcome_of(response.get_data(as_text=True), "hnte") == "incomplete"


def test_the_selftest_needs_the_csrf_token(auth, client):
    auth.login("admin")
    assert client.post("/screening/selftest", data=selftest_form()).status_code == 400


# Firm page -----------------------------------------------------------------------------------

def test_the_firm_page_shows_a_verdict_card_per_rule_set(auth, client, screened):
    advisor, firms = screened
    auth.login(advisor)
    html = client.get(f"/enterprises/{firms['borderline'].credit_code}").get_data(as_text=True)
    assert outcome_of(html, "hnte") == "borderline"
    assert outcome_of(html, "tech-sme") == "eligible"
    assert outcome_of(html, "zj-tech-sme") == "eligible"
    assert "研发费用占销售收入比例" in html
    assert "国科发火〔2016〕32号" in html  # the sources used
    assert "待确认" in html  # the growth bands are UNCONFIRMED
    assert "自测：修改数字试算" in html


def test_other_advisors_see_no_verdicts(auth, client, screened, make_user):
    _, firms = screened
    auth.login(make_user("advisor"))
    html = client.get(f"/enterprises/{firms['eligible'].credit_code}").get_data(as_text=True)
    assert 'id="verdicts"' not in html


def test_the_firm_cards_issue_a_bounded_number_of_statements(app, auth, client, screened,
                                                            db_session):
    _, firms = screened
    admin = auth.login("admin")
    with app.test_request_context("/"):
        from flask_login import login_user

        login_user(admin)
        firm_verdicts(firms["eligible"])  # warm: parameters seeded and cached per request
        g.pop("policy_parameters")
        with StatementCounter(db_session.connection()) as counter:
            cards = firm_verdicts(firms["eligible"])
    assert [c.outcome for c in cards] == ["eligible", "eligible", "eligible"]
    assert counter.count <= 8  # access 1, facts 4, parameters 2


# 政策参数 ------------------------------------------------------------------------------------

def test_admins_and_leaders_see_every_parameter_with_unconfirmed_flagged(auth, client, seeded):
    for role in ("admin", "leader"):
        auth.login(role)
        html = client.get("/admin/parameters").get_data(as_text=True)
        assert "hnte.rd_expense_ratio_bands" in html
        assert "国科发政〔2017〕115号" in html
        assert 'data-key="hnte.score.growth_bands" class="unconfirmed"' in html
        assert "待确认" in html
        auth.logout()


def test_advisors_cannot_open_the_parameter_pages(auth, client):
    auth.login("advisor")
    assert client.get("/admin/parameters").status_code == 403
    assert client.get("/admin/parameters/hnte.lookback_years").status_code == 403


def test_the_detail_page_shows_history_and_only_admins_get_the_form(auth, client):
    auth.login("leader")
    html = client.get("/admin/parameters/hnte.rd_expense_ratio_bands").get_data(as_text=True)
    assert "取值历史" in html
    assert 'id="add-value"' not in html
    auth.logout()
    auth.login("admin")
    html = client.get("/admin/parameters/hnte.rd_expense_ratio_bands").get_data(as_text=True)
    assert 'id="add-value"' in html
    assert "max_inclusive" in html  # the current bands prefill the value field
    assert client.get("/admin/parameters/no.such.key").status_code == 404


def parameter_count(db_session) -> int:  # type: ignore[no-untyped-def]
    return db_session.scalar(select(func.count()).select_from(PolicyParameter)) or 0


def test_an_admin_adds_a_dated_value(auth, client, db_session):
    auth.login("admin")
    url = "/admin/parameters/hnte.tech_staff_ratio_min"
    response = auth.post(url, {"valid_from": "2027-01-01", "value": "0.12",
                               "source": "国科发火〔2027〕1号", "note": "", "confirmed": ""})
    assert response.status_code == 302
    rows = db_session.scalars(select(PolicyParameter).where(
        PolicyParameter.key == "hnte.tech_staff_ratio_min").order_by(PolicyParameter.valid_from))
    assert [(r.valid_to, r.value, r.confirmed) for r in rows] == [
        (datetime(2026, 12, 31).date(), 0.1, True), (None, 0.12, False)]
    assert db_session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity_type == "policy_parameter")) == 2
    page = client.get(url).get_data(as_text=True)
    assert "2027年1月1日 起" in page
    assert "未生效" in page


@pytest.mark.parametrize(("data", "field_id", "message"), [
    ({"value": "- {max: 5000, rate: 0.05}\n- {min: 6000, rate: 0.04}"}, "value", "分段不连续"),
    ({"value": "[{max: 5000"}, "value", "无法解析取值"),
    ({"value": "0.05"}, "value", "分段表必须是非空列表"),
    ({"valid_from": "2027-02-30"}, "valid_from", "不存在"),
    ({"valid_from": "2016-01-01"}, "valid_from", "已有取值"),
    ({"source": ""}, "source", "请填写来源"),
])
def test_malformed_input_is_a_field_error_and_nothing_is_saved(auth, client, db_session, data,
                                                               field_id, message, seeded):
    auth.login("admin")
    url = "/admin/parameters/hnte.rd_expense_ratio_bands"
    before = parameter_count(db_session)
    form = {"valid_from": "2027-01-01", "source": "测试文号",
            "value": "- {max: 5000, max_inclusive: true, rate: 0.06}\n"
                     "- {min: 5000, min_inclusive: false, rate: 0.04}", **data}
    response = auth.post(url, form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert re.search(rf'id="{field_id}"[^>]*is-invalid|is-invalid[^>]*id="{field_id}"|'
                     rf'class="[^"]*is-invalid[^"]*" id="{field_id}"', html)
    assert parameter_count(db_session) == before


def test_leaders_cannot_post_a_value(auth, client, db_session):
    auth.login("admin")
    client.get("/admin/parameters")
    auth.logout()
    auth.login("leader")
    before = parameter_count(db_session)
    response = auth.post("/admin/parameters/hnte.tech_staff_ratio_min",
                         {"valid_from": "2027-01-01", "value": "0.2", "source": "x"},
                         form_url="/admin/parameters")
    assert response.status_code == 403
    assert parameter_count(db_session) == before


def test_selftest_shows_shares_with_one_decimal(auth, client):
    auth.login("admin")
    response = auth.post("/screening/selftest", selftest_form({"fy2_employees": "90",
                                                               "fy2_tech_staff": "20"}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "科技人员占比 22.2%" in html  # 20 of 90
    assert re.search(r'data-criterion="tech_staff_ratio">.*?22\.2%', html, re.S)
    assert re.findall(r"\d\.\d{2,}%", html) == []  # no "22.22%", no "（0.222222）"
    assert "（0." not in html
