"""Threshold checks: 省高新研发中心, 省级企业研究院 and 领军, at their edges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cultivation.policy import evaluate

AS_OF = date(2026, 6, 30)  # last year = 2025; three years = 2023–2025


def center_years(**latest: object) -> dict[int, dict[str, object]]:
    """A firm meeting every 省高新研发中心 threshold, with 2025 figures changed."""
    year: dict[str, object] = {
        "employees": 150,
        "rd_staff": 20,
        "sales_revenue": 4000,
        "rd_expense": 200,
        "ip_class_i": 1,
        "ip_class_ii": 0,
        "conversions": 5,
    }
    years = {y: dict(year) for y in (2023, 2024, 2025)}
    years[2025].update(latest)
    return years


CENTER_FACTS = {
    "holds_valid_hnte": True,
    "hnte_certified_on": date(2024, 12, 1),
    "municipal_hnte_center": True,
    "software_enterprise": False,
    "rd_site_area": 600,
    "rd_equipment_value": 600,
}


def center(make_facts, params, *, fields=None, **latest):
    facts = make_facts(years=center_years(**latest), **{**CENTER_FACTS, **(fields or {})})
    return evaluate("provincial-hnte-center", facts, AS_OF, params)


def test_a_firm_meeting_every_center_threshold_is_eligible(make_facts, params):
    verdict = center(make_facts, params)
    assert verdict.outcome == "eligible", [(c.id, c.passed, c.gap) for c in verdict.criteria]


@pytest.mark.parametrize(
    ("sales", "rate", "amount"),
    [
        ("4999.99", 0.05, 100),
        ("5000", 0.04, 250),  # "< 5,000 万: 5 %", so 5,000 belongs to the middle band
        ("20000", 0.04, 250),
        ("20000.01", 0.03, 800),
    ],
)
def test_center_rd_thresholds_follow_last_years_sales_band(make_facts, params, sales, rate, amount):
    verdict = center(make_facts, params, sales_revenue=sales)
    assert verdict.criterion("rd_expense_ratio").required == rate
    assert verdict.criterion("rd_expense_amount").required == amount


def test_center_rd_amount_below_the_floor_fails_with_the_gap(make_facts, params):
    verdict = center(make_facts, params, sales_revenue=1000, rd_expense="99.5")
    criterion = verdict.criterion("rd_expense_amount")
    assert (criterion.passed, criterion.gap) == (False, "上年研发费用还差 0.5 万元")


def test_a_software_enterprise_needs_thirty_rd_staff(make_facts, params):
    verdict = center(make_facts, params, fields={"software_enterprise": True})
    assert verdict.criterion("rd_staff").passed is False
    assert verdict.criterion("rd_staff").required == 30


@pytest.mark.parametrize(
    ("fields", "passed"),
    [
        ({"hnte_certified_on": AS_OF - timedelta(days=365)}, True),
        ({"hnte_certified_on": AS_OF - timedelta(days=364)}, False),
        ({"holds_valid_hnte": False}, False),
        ({"hnte_certified_on": None}, None),
    ],
)
def test_center_needs_a_year_as_hnte(make_facts, params, fields, passed):
    verdict = center(make_facts, params, fields=fields)
    assert verdict.criterion("hnte_tenure").passed is passed


@pytest.mark.parametrize(
    ("class_i", "class_ii", "passed"), [(1, 0, True), (0, 6, True), (0, 5, False)]
)
def test_center_ip_needs_one_class_one_or_six_class_two(
    make_facts, params, class_i, class_ii, passed
):
    verdict = center(make_facts, params, ip_class_i=class_i, ip_class_ii=class_ii)
    assert verdict.criterion("ip_items").passed is passed


def test_center_conversions_are_summed_over_three_years(make_facts, params):
    verdict = center(make_facts, params, conversions=4)  # 5 + 5 + 4 = 14 < 15
    criterion = verdict.criterion("conversions")
    assert (criterion.passed, criterion.years, criterion.gap) == (
        False,
        (2023, 2024, 2025),
        "近三年成果转化还差 1 项",
    )


def test_center_site_unknown_leaves_the_verdict_incomplete(make_facts, params):
    verdict = center(make_facts, params, fields={"rd_site_area": None})
    assert verdict.criterion("site_area").passed is None
    assert verdict.outcome == "incomplete"


INSTITUTE_FACTS = {
    "provincial_rd_institution": True,
    "rd_site_area": 1000,
    "rd_equipment_value": 1000,
}


@pytest.mark.parametrize(
    ("sales", "rd_expense", "passed"),
    [
        ("10000", "300", True),  # exactly 3 %
        ("10000", "299.99", False),
        ("40000", "1000", True),  # 2.5 %, but 1,000 万 of R&D
        ("40000", "999.99", False),
    ],
)
def test_institute_rd_needs_three_percent_or_ten_million(
    make_facts, params, sales, rd_expense, passed
):
    years = {2025: {"sales_revenue": sales, "rd_expense": rd_expense, "rd_staff": 50}}
    verdict = evaluate(
        "provincial-institute", make_facts(years=years, **INSTITUTE_FACTS), AS_OF, params
    )
    assert verdict.criterion("rd_expense").passed is passed


@pytest.mark.parametrize(("sales", "outcome"), [("10000", "eligible"), ("9999.99", "ineligible")])
def test_institute_needs_a_hundred_million_of_sales(make_facts, params, sales, outcome):
    years = {2025: {"sales_revenue": sales, "rd_expense": 400, "rd_staff": 50}}
    verdict = evaluate(
        "provincial-institute", make_facts(years=years, **INSTITUTE_FACTS), AS_OF, params
    )
    assert verdict.outcome == outcome


def leading_years(**latest: object) -> dict[int, dict[str, object]]:
    year: dict[str, object] = {
        "sales_revenue": 50000,
        "rd_expense": 2000,
        "rd_staff": 50,
        "core_product_revenue": 35000,
    }
    years = {y: dict(year) for y in (2023, 2024, 2025)}
    years[2025].update(latest)
    return years


@pytest.mark.parametrize(
    ("latest", "failing"),
    [
        ({}, None),  # 4 % R&D, 70 % core products, 5 亿 sales: all exactly at the line
        ({"core_product_revenue": "34999.99"}, "core_product_share"),
        ({"sales_revenue": "49999.99"}, "sales_revenue"),  # 35,000 is still ≥ 70 %
        ({"rd_expense": "1999.99"}, "rd_expense_ratio"),
        ({"rd_staff": 49}, "rd_staff"),
    ],
)
def test_leading_thresholds_at_their_edges(make_facts, params, latest, failing):
    facts = make_facts(years=leading_years(**latest), holds_valid_hnte=True)
    verdict = evaluate("leading", facts, AS_OF, params)
    failed = [c.id for c in verdict.criteria if c.passed is False]
    assert failed == ([] if failing is None else [failing])
    assert verdict.outcome == ("eligible" if failing is None else "ineligible")


def test_leading_needs_a_valid_hnte_certificate(make_facts, params):
    facts = make_facts(years=leading_years(), holds_valid_hnte=False)
    assert evaluate("leading", facts, AS_OF, params).criterion("hnte_valid").passed is False


@pytest.mark.parametrize("rules", ["provincial-hnte-center", "provincial-institute", "leading"])
def test_threshold_parameters_are_all_flagged_unconfirmed(make_facts, params, rules):
    verdict = evaluate(rules, make_facts(), AS_OF, params)
    assert verdict.parameters
    assert not any(p.confirmed for p in verdict.parameters)
