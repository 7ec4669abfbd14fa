"""浙江省科技型中小企业: registration, IP, 10 % tech staff, some R&D, SME size."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cultivation.policy import evaluate, verdict_to_json

AS_OF = date(2026, 6, 30)  # evaluates fiscal year 2025


def zj_year(**figures: object) -> dict[int, dict[str, object]]:
    year: dict[str, object] = {
        "employees": 50,
        "tech_staff": 5,
        "sales_revenue": 800,
        "rd_expense": 20,
        "ip_class_i": 0,
        "ip_class_ii": 1,
    }
    year.update(figures)
    return {2025: year}


def test_a_small_firm_with_ip_and_ten_percent_tech_staff_is_eligible(make_facts, params):
    verdict = evaluate("zj-tech-sme", make_facts(years=zj_year()), AS_OF, params)
    assert verdict.outcome == "eligible"
    assert [c.id for c in verdict.criteria] == [
        "registration_age",
        "ip_owned",
        "tech_staff_ratio",
        "innovation_spending",
        "sme_size",
    ]
    assert "score" in verdict_to_json(verdict)
    assert verdict.score is None


@pytest.mark.parametrize(("tech_staff", "passed"), [(5, True), ("4.99", False)])
def test_tech_staff_needs_ten_percent(make_facts, params, tech_staff, passed):
    facts = make_facts(years=zj_year(tech_staff=tech_staff))
    assert (
        evaluate("zj-tech-sme", facts, AS_OF, params).criterion("tech_staff_ratio").passed is passed
    )


@pytest.mark.parametrize(("rd_expense", "passed"), [("0.01", True), (0, False)])
def test_some_rd_spending_is_required(make_facts, params, rd_expense, passed):
    facts = make_facts(years=zj_year(rd_expense=rd_expense))
    criterion = evaluate("zj-tech-sme", facts, AS_OF, params).criterion("innovation_spending")
    assert criterion.passed is passed


@pytest.mark.parametrize(
    ("employees", "sales", "passed"),
    [
        (999, "50000", True),  # under the staff line
        (1200, "39999.99", True),  # under the revenue line
        (1000, "40000", False),  # a large industrial firm: neither line
    ],
)
def test_sme_size_needs_staff_or_revenue_below_the_industrial_line(
    make_facts, params, employees, sales, passed
):
    facts = make_facts(years=zj_year(employees=employees, tech_staff=200, sales_revenue=sales))
    assert evaluate("zj-tech-sme", facts, AS_OF, params).criterion("sme_size").passed is passed


@pytest.mark.parametrize(
    ("core_ip", "class_ii", "led_standard", "passed"),
    [
        (False, 0, False, False),
        (False, 0, True, True),  # a led standard counts
        (True, 0, False, True),
        (False, 1, False, True),
        (None, 0, None, None),  # unknown: cannot decide
    ],
)
def test_ip_standard_or_result_is_required(
    make_facts, params, core_ip, class_ii, led_standard, passed
):
    facts = make_facts(
        years=zj_year(ip_class_ii=class_ii), core_ip_owned=core_ip, led_standard=led_standard
    )
    assert evaluate("zj-tech-sme", facts, AS_OF, params).criterion("ip_owned").passed is passed


@pytest.mark.parametrize(("age_days", "passed"), [(365, True), (364, False)])
def test_registration_needs_a_year(make_facts, params, age_days, passed):
    facts = make_facts(years=zj_year(), registered_on=AS_OF - timedelta(days=age_days))
    verdict = evaluate("zj-tech-sme", facts, AS_OF, params)
    assert verdict.criterion("registration_age").passed is passed


def test_the_sme_line_is_flagged_as_unconfirmed(make_facts, params):
    verdict = evaluate("zj-tech-sme", make_facts(years=zj_year()), AS_OF, params)
    confirmed = {p.key: p.confirmed for p in verdict.parameters}
    assert confirmed["zj_tech_sme.sme_employees_below"] is False
    assert confirmed["zj_tech_sme.tech_staff_ratio_min"] is True
