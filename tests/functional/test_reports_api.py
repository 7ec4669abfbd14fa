"""/api/v1/reports: funnel and coverage JSON, checked against firms built through the API."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Api, code, firm_body

PATHS = ["/reports/funnel", "/reports/coverage"]


@pytest.fixture
def api(client: Any, db_session: Any) -> Api:
    return Api(client, db_session)


def _tiers(body: dict[str, Any]) -> dict[str, int]:
    return {t["tier"]: t["count"] for t in body["tiers"]}


@pytest.fixture
def admin(api: Any, make_user: Any) -> Any:
    return api.as_user(make_user("admin"))


def _firm(admin: Any, n: int, **overrides: Any) -> str:
    response = admin.post("/enterprises", json=firm_body(n, **overrides))
    assert response.status_code == 201, response.get_json()
    return code(n)


def _qual(admin: Any, credit: str, **body: Any) -> None:
    response = admin.post(f"/enterprises/{credit}/qualifications", json=body)
    assert response.status_code == 201, response.get_json()


def _inst(admin: Any, credit: str, **body: Any) -> None:
    response = admin.post(f"/enterprises/{credit}/institutions", json=body)
    assert response.status_code == 201, response.get_json()


def test_the_funnel_at_two_dates_matches_counts_worked_out_by_hand(admin: Any) -> None:
    a = _firm(admin, 1, town="横溪镇")
    b = _firm(admin, 2)
    c = _firm(admin, 3)
    _firm(admin, 4)
    _qual(admin, a, kind="zj_tech_sme", valid_from="2022-12-28", valid_to="2023-12-27")
    _qual(admin, a, kind="hnte", valid_from="2023-12-01", valid_to="2026-11-30")
    _qual(admin, b, kind="tech_sme", valid_from="2023-05-01", valid_to="2024-04-30")
    _qual(admin, c, kind="startup", valid_from="2021-01-01")
    _qual(admin, c, kind="leading", valid_from="2024-03-01")

    early = admin.get("/reports/funnel?as_of=2023-06-30")
    assert early.status_code == 200
    assert _tiers(early.get_json()) == {"none": 1, "startup": 1, "tech_sme": 2, "hnte": 0,
                                        "leading": 0}
    late = admin.get("/reports/funnel?as_of=2024-06-30").get_json()
    assert late["as_of"] == "2024-06-30"
    assert _tiers(late) == {"none": 2, "startup": 0, "tech_sme": 0, "hnte": 1, "leading": 1}
    assert _tiers(late["previous_year"]) == _tiers(early.get_json())
    town = admin.get("/reports/funnel?as_of=2024-06-30&town=横溪镇").get_json()
    assert _tiers(town)["hnte"] == 1
    assert sum(_tiers(town).values()) == 1
    assert town["filters"]["town"] == "横溪镇"


def test_coverage_matches_counts_worked_out_by_hand(admin: Any) -> None:
    listed = _firm(admin, 1, listed=True, above_scale=False)
    hnte = _firm(admin, 2, above_scale=True)
    sme = _firm(admin, 3, above_scale=True)
    _firm(admin, 4, above_scale=True)  # no tier: in no population
    _inst(admin, listed, kind="provincial_institute", name="省级企业研究院",
          recognized_on="2022-11-23")
    _qual(admin, hnte, kind="hnte", valid_from="2023-12-01", valid_to="2026-11-30")
    _inst(admin, hnte, kind="tech_center", level="municipal", name="技术中心",
          recognized_on="2022-11-23")
    _qual(admin, sme, kind="zj_tech_sme", valid_from="2023-12-28")
    body = admin.get("/reports/coverage?as_of=2024-06-30").get_json()
    assert body["listed"] == {"population": 1, "covered": 1, "rate": 1.0, "uncovered": []}
    assert body["above_scale_hnte"] == {"population": 1, "covered": 0, "rate": 0.0,
                                        "uncovered": [hnte]}
    assert body["above_scale_tech"]["population"] == 2
    assert body["above_scale_tech"]["covered"] == 1
    assert body["above_scale_tech"]["uncovered"] == [sme]
    before = admin.get("/reports/coverage?as_of=2022-01-01").get_json()
    assert before["listed"]["covered"] == 0
    assert before["above_scale_hnte"]["rate"] is None


@pytest.mark.parametrize("role", ["admin", "leader", "advisor"])
@pytest.mark.parametrize("path", PATHS)
def test_every_role_may_read_reports(api: Any, make_user: Any, role: str, path: str) -> None:
    assert api.as_user(make_user(role)).get(path).status_code == 200


@pytest.mark.parametrize("path", PATHS)
def test_reports_need_a_token(api: Any, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 401
    assert "令牌" in response.get_json()["message"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01", "2023-02-29", "1800-01-01"])
def test_a_bad_as_of_is_422_with_a_chinese_message(admin: Any, path: str, bad: str) -> None:
    response = admin.get(f"{path}?as_of={bad}")
    assert response.status_code == 422
    body = response.get_json()
    assert "统计日期" in body["message"]
    assert "as_of" in body["errors"]


@pytest.mark.parametrize(("query", "field"), [
    ("advisor=nobody", "advisor"), ("town=火星镇", "town"), ("industry=航天", "industry")])
def test_unknown_filters_are_422(admin: Any, make_user: Any, query: str, field: str) -> None:
    make_user("leader", username="boss")
    response = admin.get(f"/reports/funnel?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert admin.get("/reports/funnel?advisor=boss").status_code == 422  # not an advisor


def test_the_advisor_filter_uses_that_advisors_portfolio(admin: Any, make_user: Any,
                                                          make_enterprise: Any) -> None:
    advisor = make_user("advisor", username="wang")
    make_enterprise(advisor=advisor, tier="hnte")
    make_enterprise(tier="hnte")
    body = admin.get("/reports/funnel?advisor=wang&as_of=2024-01-01").get_json()
    assert _tiers(body)["hnte"] == 1
    assert body["filters"]["advisor"] == "wang"


def test_the_default_as_of_is_today(admin: Any) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    body = admin.get("/reports/funnel").get_json()
    assert body["as_of"] == datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert len(body["tiers"]) == 5


def test_both_reports_are_in_the_openapi_document(api: Any) -> None:
    paths = api.get("/openapi.json").get_json()["paths"]
    assert "/api/v1/reports/funnel" in paths
    assert "/api/v1/reports/coverage" in paths


def test_a_past_funnel_is_unchanged_by_later_qualifications_added_through_the_api(
    admin: Any
) -> None:
    a, b = _firm(admin, 1), _firm(admin, 2)
    _qual(admin, a, kind="zj_tech_sme", valid_from="2023-12-28", valid_to="2024-12-27")
    before = admin.get("/reports/funnel?as_of=2024-06-30").get_json()
    _qual(admin, a, kind="hnte", valid_from="2024-12-01", valid_to="2027-11-30")
    _qual(admin, b, kind="startup", valid_from="2024-07-01")
    _inst(admin, b, kind="in_house", name="研发部", recognized_on="2024-08-01")
    assert admin.get("/reports/funnel?as_of=2024-06-30").get_json() == before
    after = admin.get("/reports/funnel?as_of=2025-06-30").get_json()
    assert _tiers(after) == {"none": 0, "startup": 1, "tech_sme": 0, "hnte": 1, "leading": 0}
