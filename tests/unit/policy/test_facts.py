"""Facts JSON: the documented example parses, and every kind of bad input is named in Chinese."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from cultivation.policy import Facts, FactsError, FiscalYear, facts_from_json

EXAMPLE = {
    "registered_on": "2019-05-01",
    "as_of": "2026-06-30",
    "tech_domain": "电子信息",
    "core_ip_owned": True,
    "ip_self_developed": True,
    "major_incident_last_year": False,
    "led_standard": False,
    "holds_valid_hnte": False,
    "provincial_rd_institution": False,
    "national_award_5y": False,
    "self_assessment": {"tech_advancement": 6, "core_support": 6, "rd_management": 14},
    "fiscal_years": [
        {
            "year": 2025,
            "employees": 120,
            "tech_staff": 18,
            "sales_revenue": 4300,
            "total_revenue": 4400,
            "high_tech_revenue": 3100,
            "rd_expense": 270.1,
            "rd_expense_domestic": 265,
            "total_cost": 3900,
            "total_assets": 9000,
            "net_assets": 5200,
            "ip_class_i": 2,
            "ip_class_ii": 5,
            "conversions": 5,
        },
        {"year": 2024, "sales_revenue": 3900},
    ],
}


def errors_for(data):
    with pytest.raises(FactsError) as caught:
        facts_from_json(data)
    return caught.value.errors


def with_year(**figures):
    data = copy.deepcopy(EXAMPLE)
    data["fiscal_years"][0].update(figures)
    return data


def test_the_documented_example_parses_into_exact_decimals():
    facts = facts_from_json(EXAMPLE)
    assert facts.registered_on == date(2019, 5, 1)
    assert facts.self_assessment.rd_management == 14
    assert [fy.year for fy in facts.fiscal_years] == [2024, 2025]  # sorted by year
    latest = facts.year(2025)
    assert latest is not None
    assert latest.rd_expense == Decimal("270.1")  # not 270.10000000000002
    assert latest.ip_class_ii == 5


def test_an_empty_object_is_valid_and_every_fact_is_missing():
    assert facts_from_json({}) == Facts()


def test_null_means_missing():
    facts = facts_from_json(
        {"registered_on": None, "fiscal_years": [{"year": 2025, "employees": None}]}
    )
    assert facts.registered_on is None
    assert facts.fiscal_years == (FiscalYear(year=2025),)


@pytest.mark.parametrize("body", [[], "facts", 3, None])
def test_a_body_that_is_not_an_object_is_refused(body):
    assert errors_for(body) == {"_schema": ["请求体必须是 JSON 对象"]}


@pytest.mark.parametrize(
    ("figures", "field", "message"),
    [
        ({"rd_expense": -1}, "fiscal_years[0].rd_expense", "必须是非负数"),
        ({"sales_revenue": "4300"}, "fiscal_years[0].sales_revenue", "必须是非负数"),
        ({"total_assets": True}, "fiscal_years[0].total_assets", "必须是非负数"),
        ({"net_assets": "x"}, "fiscal_years[0].net_assets", "必须是数字"),
        ({"ip_class_i": 1.5}, "fiscal_years[0].ip_class_i", "必须是非负整数"),
        ({"conversions": -2}, "fiscal_years[0].conversions", "必须是非负整数"),
        ({"year": "2025"}, "fiscal_years[0].year", "必须是四位整数年份"),
        ({"year": None}, "fiscal_years[0].year", "必须填写年份"),
        ({"revenue": 1}, "fiscal_years[0].revenue", "未知字段"),
        ({"tech_staff": 121}, "fiscal_years[0].tech_staff", "科技人员不能多于职工总数"),
        (
            {"rd_expense_domestic": 271},
            "fiscal_years[0].rd_expense_domestic",
            "境内研发费用不能大于研发费用总额",
        ),
        (
            {"high_tech_revenue": 4401},
            "fiscal_years[0].high_tech_revenue",
            "高新技术产品（服务）收入不能大于总收入",
        ),
    ],
)
def test_bad_figures_are_named_by_their_path(figures, field, message):
    assert errors_for(with_year(**figures)) == {field: [message]}


def test_negative_net_assets_are_allowed_because_liabilities_can_exceed_assets():
    facts = facts_from_json(with_year(net_assets=-300))
    assert facts.fiscal_years[-1].net_assets == Decimal(-300)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("registered_on", "2019-13-01", "必须是 YYYY-MM-DD 格式的日期"),
        ("registered_on", "2019/05/01", "必须是 YYYY-MM-DD 格式的日期"),
        ("as_of", 20260630, "必须是 YYYY-MM-DD 格式的日期"),
        ("core_ip_owned", "yes", "必须是 true 或 false"),
        ("holds_valid_hnte", 1, "必须是 true 或 false"),
        ("tech_domain", 7, "必须是非空文本"),
        ("tech_domain", "  ", "必须是非空文本"),
        ("rd_site_area", -5, "必须是非负数"),
        ("fiscal_years", {"year": 2025}, "必须是数组"),
        ("self_assessment", [6, 6, 14], "必须是 JSON 对象"),
        ("turnover", 100, "未知字段"),
    ],
)
def test_bad_top_level_fields_are_named(field, value, message):
    assert errors_for({**EXAMPLE, field: value}) == {field: [message]}


@pytest.mark.parametrize(
    ("assessment", "field", "message"),
    [
        ({"tech_advancement": -1}, "self_assessment.tech_advancement", "必须是非负整数"),
        ({"rd_management": 12.5}, "self_assessment.rd_management", "必须是非负整数"),
        ({"growth": 3}, "self_assessment.growth", "未知字段"),
    ],
)
def test_bad_self_assessment_items_are_named(assessment, field, message):
    assert errors_for({"self_assessment": assessment}) == {field: [message]}


def test_a_year_given_twice_is_refused_at_the_second():
    data = {"fiscal_years": [{"year": 2025}, {"year": 2024}, {"year": 2025}]}
    assert errors_for(data) == {"fiscal_years[2].year": ["年份重复：2025"]}


def test_a_year_that_is_not_an_object_is_refused():
    assert errors_for({"fiscal_years": [2025]}) == {"fiscal_years[0]": ["必须是 JSON 对象"]}


def test_every_problem_is_reported_at_once():
    data = {
        "registered_on": "soon",
        "fiscal_years": [{"year": 2025, "employees": -1, "rd_expense": "many"}],
    }
    assert set(errors_for(data)) == {
        "registered_on",
        "fiscal_years[0].employees",
        "fiscal_years[0].rd_expense",
    }


def test_facts_built_in_code_from_floats_become_exact_decimals():
    fiscal_year = FiscalYear(year=2025, sales_revenue=4999.99, employees=12)  # type: ignore[arg-type]
    facts = Facts(rd_site_area=500.5)  # type: ignore[arg-type]
    assert fiscal_year.sales_revenue == Decimal("4999.99")
    assert fiscal_year.employees == Decimal(12)
    assert facts.rd_site_area == Decimal("500.5")


def test_facts_built_in_code_refuse_text_instead_of_dropping_it():
    with pytest.raises(TypeError, match="sales_revenue"):
        FiscalYear(year=2025, sales_revenue="4300")  # type: ignore[arg-type]
