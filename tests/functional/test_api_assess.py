"""POST /api/v1/assess/<rules> and GET /api/v1/enterprises/<code>/verdicts: verdicts whose
numbers are checked by hand, 422 for malformed facts, 404 / 403 as the contract says."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from api_support import Api
from screening_support import STRONG_FIELDS, strong_years

from cultivation.parameters.services import add_parameter_value

BASE: dict[str, Any] = {
    "registered_on": "2019-05-01", "as_of": "2026-06-30", "tech_domain": "电子信息",
    "core_ip_owned": True, "ip_self_developed": True, "major_incident_last_year": False,
    "led_standard": False, "holds_valid_hnte": False, "provincial_rd_institution": False,
    "national_award_5y": False,
    "self_assessment": {"tech_advancement": 6, "core_support": 6, "rd_management": 14},
}


@pytest.fixture
def api(client, db_session) -> Api:
    return Api(client, db_session)


def year(y: int, **changes: Any) -> dict[str, Any]:
    figures = {"year": y, "employees": 120, "tech_staff": 18, "sales_revenue": 4300,
               "total_revenue": 4400, "high_tech_revenue": 3100, "rd_expense": 270,
               "rd_expense_domestic": 265, "total_cost": 3900, "total_assets": 9000,
               "net_assets": 5200, "ip_class_i": 2, "ip_class_ii": 5, "conversions": 5}
    return {**figures, **changes}


def facts(**changes: Any) -> dict[str, Any]:
    """The example firm of docs/architecture.md's Facts JSON: the same figures for 2023–2025."""
    body = {**copy.deepcopy(BASE), "fiscal_years": [year(y) for y in (2023, 2024, 2025)]}
    body.update(changes)
    return body


def criterion(verdict: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in verdict["criteria"] if c["id"] == cid)


def failing(verdict: dict[str, Any]) -> list[str]:
    return [c["id"] for c in verdict["criteria"] if c["passed"] is False]


@pytest.fixture
def user_api(api, make_user):  # type: ignore[no-untyped-def]
    return api.as_user(make_user("advisor"))


def test_assessing_needs_a_token(api):
    assert api.post("/assess/hnte", json=facts()).status_code == 401


def test_the_design_example_misses_hnte_by_one_point(user_api):
    # By hand: IP 6+6+(7..8)+(1..6)+0 = 20..26; conversions 5/yr: 25..30; management 14;
    # growth 0 (flat figures) → 59..70 < 71. Every hard criterion passes.
    response = user_api.post("/assess/hnte", json=facts())
    assert response.status_code == 200
    verdict = response.get_json()
    assert verdict["rules"] == "hnte"
    assert verdict["as_of"] == "2026-06-30"
    assert verdict["outcome"] == "ineligible"
    assert failing(verdict) == ["innovation_score"]
    assert (verdict["score"]["min"], verdict["score"]["max"]) == (59, 70)
    parts = verdict["score"]["parts"]
    assert {k: (v["min"], v["max"]) for k, v in parts.items()} == {
        "ip": (20, 26), "conversion": (25, 30), "rd_management": (14, 14), "growth": (0, 0)}
    ratio = criterion(verdict, "rd_expense_ratio")
    assert ratio["required"] == 0.05
    assert ratio["years"] == [2023, 2024, 2025]
    assert ratio["actual"] == pytest.approx(810 / 12900, abs=1e-6)
    assert criterion(verdict, "tech_staff_ratio")["actual"] == 0.15
    assert criterion(verdict, "registration_age")["actual"] == (date(2026, 6, 30)
                                                                - date(2019, 5, 1)).days
    assert criterion(verdict, "innovation_score")["gap"] == "创新能力评价最高估计 70 分，还差 1 分"
    sources = {p["key"]: p["source"] for p in verdict["parameters"]}
    assert sources["hnte.rd_expense_ratio_bands"].startswith("国科发火〔2016〕32号")


def test_growth_makes_the_same_firm_borderline(user_api):
    # Net assets 4000→4600→5300: ½(1.15 + 1.1522) − 1 = 15.1 % → 5–6; sales 3500→3900→4300:
    # 10.8 % → 3–4. Growth 8..10, so the score is 67..80: it straddles 71.
    body = facts(fiscal_years=[year(2023, net_assets=4000, sales_revenue=3500),
                               year(2024, net_assets=4600, sales_revenue=3900),
                               year(2025, net_assets=5300)])
    verdict = user_api.post("/assess/hnte", json=body).get_json()
    assert verdict["outcome"] == "borderline"
    assert failing(verdict) == []
    assert (verdict["score"]["min"], verdict["score"]["max"]) == (67, 80)
    assert criterion(verdict, "innovation_score")["passed"] is None


def test_the_design_example_passes_tech_sme_with_88_points(user_api):
    # 2025: staff 18/120 = 15 % → 8; R&D 270/4300 = 6.3 % → 50; one Ⅰ类 → 30.
    verdict = user_api.post("/assess/tech-sme", json=facts()).get_json()
    assert verdict["outcome"] == "eligible"
    assert failing(verdict) == []
    assert verdict["score"] == {"total": 88, "tech_staff": 8, "rd_investment": 50,
                                "achievements": 30}
    assert verdict["direct_pass"] is None
    assert [c["id"] for c in verdict["criteria"]] == [
        "employees_limit", "revenue_limit", "assets_limit", "compliance", "tech_staff_score",
        "score_total"]


def test_a_tech_staff_score_of_zero_fails_tech_sme_whatever_the_total(user_api):
    body = facts(fiscal_years=[year(2025, tech_staff=11)])  # 9.2 % → 0 points
    verdict = user_api.post("/assess/tech_sme", json=body).get_json()
    assert verdict["rules"] == "tech-sme"
    assert verdict["score"]["tech_staff"] == 0
    assert verdict["score"]["total"] == 80
    assert verdict["outcome"] == "ineligible"
    assert failing(verdict) == ["tech_staff_score"]


@pytest.mark.parametrize(("sales", "rate"), [
    (4999.99, 0.05), (5000, 0.05), (5000.01, 0.04), (20000, 0.04), (20000.01, 0.03)])
def test_the_rd_rate_required_follows_the_latest_sales_band(user_api, sales, rate):
    body = facts(fiscal_years=[year(2023), year(2024), year(2025, sales_revenue=sales,
                                                               total_revenue=sales + 100)])
    verdict = user_api.post("/assess/hnte", json=body).get_json()
    assert criterion(verdict, "rd_expense_ratio")["required"] == rate


def test_as_of_comes_from_the_body_then_the_query_then_today(user_api):
    body = facts()
    del body["as_of"]
    verdict = user_api.post("/assess/hnte?as_of=2025-06-30", json=body).get_json()
    assert verdict["as_of"] == "2025-06-30"
    ratio = criterion(verdict, "rd_expense_ratio")
    assert ratio["years"] == [2022, 2023, 2024]
    assert ratio["passed"] is None
    assert user_api.post("/assess/hnte?as_of=2025-06-30", json=facts()).get_json()["as_of"] == (
        "2026-06-30")
    before = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    answered = user_api.post("/assess/hnte", json=body).get_json()["as_of"]
    assert answered in {before, datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()}


def test_unknown_rule_sets_are_404_in_chinese(user_api):
    response = user_api.post("/assess/nope", json=facts())
    assert response.status_code == 404
    assert "未知的规则集" in response.get_json()["message"]


@pytest.mark.parametrize(("body", "field"), [
    ([1, 2], "_body"),
    ("facts", "_body"),
    ({"registered_on": 20190501}, "registered_on"),
    ({"registered_on": "2019-02-30"}, "registered_on"),
    ({"core_ip_owned": "yes"}, "core_ip_owned"),
    ({"tech_domain": 7}, "tech_domain"),
    ({"fiscal_years": {"year": 2025}}, "fiscal_years"),
    ({"fiscal_years": [{"year": 2025, "sales_revenue": -1}]}, "fiscal_years[0].sales_revenue"),
    ({"fiscal_years": [{"year": 2025, "rd_expense": "270"}]}, "fiscal_years[0].rd_expense"),
    ({"fiscal_years": [{"year": 2025, "ip_class_i": 1.5}]}, "fiscal_years[0].ip_class_i"),
    ({"fiscal_years": [{"sales_revenue": 1}]}, "fiscal_years[0].year"),
    ({"fiscal_years": [{"year": 2025, "tech_staff": 30, "employees": 20}]},
     "fiscal_years[0].tech_staff"),
    ({"self_assessment": {"tech_advancement": -1}}, "self_assessment.tech_advancement"),
    ({"surprise": 1}, "surprise"),
])
def test_malformed_facts_are_422_with_chinese_errors_by_field(user_api, body, field):
    response = user_api.post("/assess/hnte", json=body)
    assert response.status_code == 422
    data = response.get_json()
    assert data["message"]
    assert field in data["errors"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in data["errors"][field])


def test_a_body_that_is_not_json_is_422(user_api):
    response = user_api.request("POST", "/assess/hnte", data=b"{not json",
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 422


def test_a_bad_as_of_query_is_422(user_api):
    response = user_api.post("/assess/hnte?as_of=30.06.2026", json={})
    assert response.status_code == 422
    assert "as_of" in response.get_json()["errors"]


def test_a_date_before_any_parameter_is_422_not_500(user_api):
    response = user_api.post("/assess/hnte", json=facts(as_of="2010-06-30"))
    assert response.status_code == 422
    assert "as_of" in response.get_json()["errors"]


def test_empty_facts_are_incomplete_not_an_error(user_api):
    verdict = user_api.post("/assess/zj-tech-sme", json={"as_of": "2026-06-30"}).get_json()
    assert verdict["outcome"] == "incomplete"
    assert all(c["passed"] is None for c in verdict["criteria"])


def test_assessment_uses_the_stored_parameters_as_of_the_date(user_api, db_session, make_user):
    add_parameter_value(db_session, "hnte.tech_staff_ratio_min", 0.2, date(2027, 1, 1),
                        "测试文号", None, False, actor=make_user("admin"),
                        now=datetime(2026, 7, 1, tzinfo=UTC))
    body = facts(fiscal_years=[year(y) for y in (2024, 2025, 2026)], as_of="2027-01-01")
    later = user_api.post("/assess/hnte", json=body).get_json()
    assert criterion(later, "tech_staff_ratio")["required"] == 0.2
    assert criterion(user_api.post("/assess/hnte", json=facts()).get_json(),
                     "tech_staff_ratio")["required"] == 0.1
    used = {p["key"]: p for p in later["parameters"]}
    assert used["hnte.tech_staff_ratio_min"]["confirmed"] is False


def firm_with_advisor(make_enterprise, make_user):  # type: ignore[no-untyped-def]
    advisor = make_user("advisor")
    firm = make_enterprise(advisor=advisor, figures=strong_years(), **STRONG_FIELDS)
    return firm, advisor


def test_a_firms_verdicts_are_computed_from_its_stored_figures(api, make_enterprise, make_user):
    firm, advisor = firm_with_advisor(make_enterprise, make_user)
    url = f"/enterprises/{firm.credit_code}/verdicts?as_of=2026-06-30"
    response = api.as_user(advisor).get(url)
    assert response.status_code == 200
    data = response.get_json()
    assert data["credit_code"] == firm.credit_code
    assert data["as_of"] == "2026-06-30"
    assert [(v["rules"], v["outcome"]) for v in data["verdicts"]] == [
        ("hnte", "eligible"), ("tech-sme", "eligible"), ("zj-tech-sme", "eligible")]
    assert data["verdicts"][0]["score"]["min"] == 77


def test_verdicts_can_be_asked_for_one_rule_set(api, make_enterprise, make_user):
    firm, _ = firm_with_advisor(make_enterprise, make_user)
    admin = api.as_user(make_user("admin"))
    data = admin.get(f"/enterprises/{firm.credit_code.lower()}/verdicts?rules=tech_sme").get_json()
    assert [v["rules"] for v in data["verdicts"]] == ["tech-sme"]


def test_an_advisor_outside_the_portfolio_gets_403(api, make_enterprise, make_user):
    firm, _ = firm_with_advisor(make_enterprise, make_user)
    other = api.as_user(make_user("advisor"))
    response = other.get(f"/enterprises/{firm.credit_code}/verdicts")
    assert response.status_code == 403
    assert "联系企业" in response.get_json()["message"]
    leader = api.as_user(make_user("leader"))
    assert leader.get(f"/enterprises/{firm.credit_code}/verdicts").status_code == 200


def test_an_unknown_firm_is_404_and_a_bad_query_422(api, make_enterprise, make_user):
    firm, _ = firm_with_advisor(make_enterprise, make_user)
    admin = api.as_user(make_user("admin"))
    assert admin.get("/enterprises/91331024MA2XXXXXXX/verdicts").status_code == 404
    bad = admin.get(f"/enterprises/{firm.credit_code}/verdicts?rules=hnte,nope&as_of=2026")
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"rules", "as_of"}


def test_the_routes_are_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "post" in doc["paths"]["/api/v1/assess/{rules}"]
    assert "get" in doc["paths"]["/api/v1/enterprises/{credit_code}/verdicts"]
    assert {"Facts", "Verdict", "FirmVerdicts"} <= set(doc["components"]["schemas"])
