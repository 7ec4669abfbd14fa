"""The 2025–26 rules (issue 10) through every door: POST /api/v1/assess/{rules}, the screening
job and the 自测 page, as of 2026-06-30 — and the 2024 answers as of 2024-06-30."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from api_support import Api
from screening_support import STRONG_FIELDS, strong_years
from sqlalchemy import select

from cultivation.screening.models import Evaluation
from cultivation.screening.services import run_screening

AS_OF = "2026-06-30"  # last fiscal year 2025


@pytest.fixture
def api(client, db_session) -> Api:
    return Api(client, db_session)


@pytest.fixture
def admin_api(api, make_user) -> Api:  # type: ignore[no-untyped-def]
    return api.as_user(make_user("admin"))


def institute_facts(as_of: str = AS_OF, **changes: Any) -> dict[str, Any]:
    last = int(as_of[:4]) - 1
    body: dict[str, Any] = {
        "as_of": as_of, "registered_on": "2015-01-01", "provincial_innovation_score": 61.5,
        "municipal_rd_institution": True, "provincial_rd_institution": True,
        "rd_site_area": 1200, "rd_equipment_value": 1500,
        "fiscal_years": [{"year": last, "sales_revenue": 6000, "rd_expense": 228,
                          "rd_staff": 60}],
    }
    body.update(changes)
    return body


def criterion(verdict: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in verdict["criteria"] if c["id"] == cid)


def test_the_api_applies_the_banded_institute_test_from_2025(admin_api):
    verdict = admin_api.post("/assess/provincial-institute", json=institute_facts()).get_json()
    assert [c["id"] for c in verdict["criteria"]] == [
        "rd_intensity", "innovation_score", "municipal_institution"]
    rd = criterion(verdict, "rd_intensity")
    assert rd["passed"] is False
    assert rd["gap"].endswith("研发强度 3.8%，还差 0.2 个百分点，或研发费用再增加 12 万元")
    assert "5000 万元（含）至 20000 万元（含）" in rd["gap"]
    assert criterion(verdict, "municipal_institution")["soft"] is True
    keys = {p["key"]: p["confirmed"] for p in verdict["parameters"]}
    assert keys["provincial_institute.rd_intensity_bands"] is False


def test_the_api_keeps_the_2024_institute_criteria_for_2024(admin_api):
    body = institute_facts("2024-06-30")
    verdict = admin_api.post("/assess/provincial-institute", json=body).get_json()
    assert [c["id"] for c in verdict["criteria"]] == [
        "sales_revenue", "rd_expense", "rd_staff", "site_area", "equipment_value",
        "existing_institution"]


def test_the_api_fails_the_closed_center_from_2025_only(admin_api):
    new = admin_api.post("/assess/provincial-hnte-center", json=institute_facts()).get_json()
    assert criterion(new, "programme_open")["gap"] == "已并入省企业研究院序列，不再单独认定"
    assert new["outcome"] == "ineligible"
    old = admin_api.post("/assess/provincial-hnte-center",
                         json=institute_facts("2024-06-30")).get_json()
    assert "programme_open" not in {c["id"] for c in old["criteria"]}


@pytest.mark.parametrize(("sector", "passed", "gap"), [
    (None, None, "缺少数据：行业门类"),
    ("industry", True, None),
    ("software_it", False,
     "从业人员需低于 300 人（现为 400）；或营业收入需低于 10000 万元（现为 12000）"),
])
def test_the_api_sizes_a_firm_by_its_sector(admin_api, sector, passed, gap):
    body: dict[str, Any] = {"as_of": AS_OF, "fiscal_years": [
        {"year": 2025, "employees": 400, "tech_staff": 40, "sales_revenue": 12000}]}
    if sector:
        body["sector"] = sector
    size = criterion(admin_api.post("/assess/zj-tech-sme", json=body).get_json(), "sme_size")
    assert (size["passed"], size["gap"]) == (passed, gap)


def test_the_api_refuses_an_unknown_sector_and_a_score_above_100(admin_api):
    response = admin_api.post("/assess/zj-tech-sme", json={
        "sector": "mining", "provincial_innovation_score": 101})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "行业门类" in errors["sector"][0]
    assert errors["provincial_innovation_score"] == ["必须在 0 到 100 之间"]


def test_the_api_states_the_hnte_mark_as_above_seventy(admin_api):
    body = {"as_of": AS_OF}
    verdict = admin_api.post("/assess/hnte", json=body).get_json()
    assert criterion(verdict, "innovation_score")["required"] == "> 70"
    old = admin_api.post("/assess/hnte", json={"as_of": "2024-06-30"}).get_json()
    assert criterion(old, "innovation_score")["required"] == 71


def test_the_screening_job_follows_the_2025_rules(db_session, make_enterprise, make_institution):
    fields = {**STRONG_FIELDS, "sector": "software_it", "provincial_innovation_score": 59}
    firm = make_enterprise(figures=strong_years(), **fields)
    make_institution(firm, "municipal_hnte_center", level="municipal")
    bare = make_enterprise(figures=strong_years(), **{**STRONG_FIELDS, "sector": None})
    run = run_screening(db_session, as_of=date(2026, 6, 30),
                        now=datetime(2026, 6, 30, 18, tzinfo=UTC),
                        rules=["zj-tech-sme", "provincial-institute", "provincial-hnte-center"])
    rows = {(e.enterprise_id, e.rules): e for e in db_session.scalars(
        select(Evaluation).where(Evaluation.run_id == run.id))}
    institute = rows[(firm.id, "provincial-institute")].details
    ids = {c["id"]: c for c in institute["criteria"]}
    assert list(ids) == ["rd_intensity", "innovation_score", "municipal_institution"]
    assert ids["innovation_score"]["passed"] is False  # 59 < 60
    assert ids["municipal_institution"]["passed"] is True  # a 市级 centre is on record
    assert rows[(firm.id, "provincial-institute")].failed == ["innovation_score"]
    center = rows[(firm.id, "provincial-hnte-center")]
    assert center.failed[0] == "programme_open"
    assert rows[(firm.id, "zj-tech-sme")].outcome == "eligible"  # 120 staff < 300
    bare_size = next(c for c in rows[(bare.id, "zj-tech-sme")].details["criteria"]
                     if c["id"] == "sme_size")
    assert (bare_size["passed"], bare_size["gap"]) == (None, "缺少数据：行业门类")
    bare_institute = next(c for c in rows[(bare.id, "provincial-institute")].details["criteria"]
                          if c["id"] == "municipal_institution")
    assert bare_institute["passed"] is False  # shown, but it does not fail the firm
    assert "municipal_institution" not in rows[(bare.id, "provincial-institute")].failed


def _selftest(auth, **fields: str) -> str:  # type: ignore[no-untyped-def]
    data = {"as_of": AS_OF, "registered_on": "2015-01-01", "fy0_year": "2025",
            "fy0_employees": "400", "fy0_tech_staff": "40", "fy0_sales_revenue": "6000",
            "fy0_rd_expense": "228", **fields}
    response = auth.post("/screening/selftest", data)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _row(html: str, rules: str, cid: str) -> str:
    card = html[html.index(f'data-rules="{rules}"'):]
    return card[card.index(f'data-criterion="{cid}"'):][:1500]


def test_the_selftest_follows_the_2025_rules(auth, client):
    auth.login("admin")
    html = _selftest(auth, sector="software_it", provincial_innovation_score="61",
                     municipal_rd_institution="1")
    assert "研发强度 3.8%，还差 0.2 个百分点，或研发费用再增加 12 万元" in _row(
        html, "provincial-institute", "rd_intensity")
    assert "已并入省企业研究院序列，不再单独认定" in _row(
        html, "provincial-hnte-center", "programme_open")
    assert "软件和信息技术服务业划型标准" in _row(html, "zj-tech-sme", "sme_size")
    assert re.search(r'<option value="software_it" selected', html)
    blank = _selftest(auth)
    assert "缺少数据：行业门类" in _row(blank, "zj-tech-sme", "sme_size")
    assert "缺少数据：创新能力评价得分" in _row(blank, "provincial-institute", "innovation_score")


def test_the_selftest_refuses_a_score_above_100(auth, client):
    auth.login("admin")
    response = auth.post("/screening/selftest", {"as_of": AS_OF,
                                                 "provincial_innovation_score": "120"})
    assert response.status_code == 422
    assert "必须在 0 到 100 之间" in response.get_data(as_text=True)
