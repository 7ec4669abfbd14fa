"""科技型中小企业评价: size limits, every score band edge, the 科技人员 rule and direct passes."""

from __future__ import annotations

from datetime import date

import pytest

from cultivation.policy import evaluate, verdict_to_json

AS_OF = date(2026, 6, 30)  # evaluates fiscal year 2025


def sme_year(**figures: object) -> dict[int, dict[str, object]]:
    """Fiscal year 2025 of a small firm scoring 20 + 50 + 0 = 70, with ``figures`` changed."""
    year: dict[str, object] = {
        "employees": 100,
        "tech_staff": 30,
        "sales_revenue": 1000,
        "total_revenue": 1000,
        "rd_expense": 60,
        "total_cost": 900,
        "total_assets": 1000,
        "ip_class_i": 0,
        "ip_class_ii": 0,
    }
    year.update(figures)
    return {2025: year}


def score_of(make_facts, params, **figures):
    verdict = evaluate("tech-sme", make_facts(years=sme_year(**figures)), AS_OF, params)
    assert verdict.score is not None
    return verdict.score


def test_the_example_firm_is_eligible_with_its_score_parts(make_facts, params):
    verdict = evaluate("tech-sme", make_facts(), AS_OF, params)
    assert verdict.outcome == "eligible"
    assert verdict.score == {"total": 88, "tech_staff": 8, "rd_investment": 50, "achievements": 30}
    assert verdict.direct_pass is None


def test_figures_come_from_the_fiscal_year_before_the_as_of_year(make_facts, params):
    facts = make_facts(years={2024: sme_year()[2025]})
    verdict = evaluate("tech-sme", facts, AS_OF, params)
    assert verdict.criterion("employees_limit").years == (2025,)
    assert verdict.outcome == "incomplete"


@pytest.mark.parametrize(
    ("figure", "value", "criterion_id", "passed"),
    [
        ("employees", 500, "employees_limit", True),
        ("employees", 501, "employees_limit", False),
        ("sales_revenue", "20000", "revenue_limit", True),
        ("sales_revenue", "20000.01", "revenue_limit", False),
        ("total_assets", "20000", "assets_limit", True),
        ("total_assets", "20000.01", "assets_limit", False),
    ],
)
def test_size_limits_are_inclusive(make_facts, params, figure, value, criterion_id, passed):
    facts = make_facts(years=sme_year(**{figure: value}))
    criterion = evaluate("tech-sme", facts, AS_OF, params).criterion(criterion_id)
    assert criterion.passed is passed


def test_a_size_limit_gap_says_how_far_over_the_firm_is(make_facts, params):
    facts = make_facts(years=sme_year(employees=501))
    criterion = evaluate("tech-sme", facts, AS_OF, params).criterion("employees_limit")
    assert (criterion.gap, criterion.gap_value) == ("职工总数超出上限 1 人", 1.0)


@pytest.mark.parametrize(
    ("tech_staff", "points"),
    [(999, 0), (1000, 4), (1499, 4), (1500, 8), (2000, 12), (2500, 16), (2999, 16), (3000, 20)],
)
def test_tech_staff_points_have_inclusive_lower_bounds(make_facts, params, tech_staff, points):
    score = score_of(make_facts, params, employees=10000, tech_staff=tech_staff)
    assert score["tech_staff"] == points


@pytest.mark.parametrize(
    ("rd_expense", "points"),
    [("19.99", 0), ("20", 10), ("30", 20), ("40", 30), ("50", 40), ("59.99", 40), ("60", 50)],
)
def test_rd_to_sales_points_have_inclusive_lower_bounds(make_facts, params, rd_expense, points):
    score = score_of(make_facts, params, rd_expense=rd_expense, total_cost=100000)
    assert score["rd_investment"] == points


@pytest.mark.parametrize(
    ("rd_expense", "points"),
    [("99.99", 0), ("100", 10), ("150", 20), ("200", 30), ("250", 40), ("299.99", 40), ("300", 50)],
)
def test_rd_to_total_cost_points_have_inclusive_lower_bounds(
    make_facts, params, rd_expense, points
):
    score = score_of(
        make_facts, params, rd_expense=rd_expense, sales_revenue=20000, total_cost=1000
    )
    assert score["rd_investment"] == points


def test_rd_investment_takes_the_better_of_the_two_measures(make_facts, params):
    # 40 / 1,000 = 4 % of sales → 30; 40 / 160 = 25 % of total cost → 40
    score = score_of(make_facts, params, rd_expense=40, total_cost=160)
    assert score["rd_investment"] == 40


@pytest.mark.parametrize(
    ("class_i", "class_ii", "points"),
    [(1, 0, 30), (1, 4, 30), (0, 4, 24), (0, 3, 18), (0, 2, 12), (0, 1, 6), (0, 0, 0)],
)
def test_achievement_points_by_ip_class(make_facts, params, class_i, class_ii, points):
    score = score_of(make_facts, params, ip_class_i=class_i, ip_class_ii=class_ii)
    assert score["achievements"] == points


@pytest.mark.parametrize(
    ("tech_staff", "outcome", "total"),
    [(30, "eligible", 60), (25, "ineligible", 56)],  # 20 + 40 + 0 and 16 + 40 + 0
)
def test_total_score_needs_sixty(make_facts, params, tech_staff, outcome, total):
    facts = make_facts(years=sme_year(tech_staff=tech_staff, rd_expense=50))
    verdict = evaluate("tech-sme", facts, AS_OF, params)
    assert (verdict.outcome, verdict.criterion("score_total").actual) == (outcome, total)
    if outcome == "ineligible":
        assert verdict.criterion("score_total").gap == "评价得分还差 4 分"


def test_zero_tech_staff_points_fail_even_with_a_score_above_sixty(make_facts, params):
    facts = make_facts(years=sme_year(tech_staff=9, ip_class_i=1))  # 0 + 50 + 30 = 80
    verdict = evaluate("tech-sme", facts, AS_OF, params)
    assert verdict.criterion("score_total").passed is True
    staff = verdict.criterion("tech_staff_score")
    assert (staff.passed, staff.gap) == (False, "科技人员还差 1 人（占比需达到 10%）")
    assert verdict.outcome == "ineligible"


@pytest.mark.parametrize(
    "reason", ["holds_valid_hnte", "national_award_5y", "provincial_rd_institution", "led_standard"]
)
def test_a_direct_pass_replaces_the_score_conditions(make_facts, params, reason):
    facts = make_facts(years=sme_year(tech_staff=0, rd_expense=0), **{reason: True})
    verdict = evaluate("tech-sme", facts, AS_OF, params)
    assert verdict.direct_pass == reason
    assert verdict.criterion("tech_staff_score").passed is True
    score_total = verdict.criterion("score_total")
    assert score_total.passed is True
    assert score_total.note is not None
    assert score_total.note.startswith("直通")
    assert verdict.outcome == "eligible"


def test_a_direct_pass_still_needs_the_size_limits(make_facts, params):
    facts = make_facts(years=sme_year(employees=501), holds_valid_hnte=True)
    assert evaluate("tech-sme", facts, AS_OF, params).outcome == "ineligible"


def test_a_direct_pass_still_needs_compliance(make_facts, params):
    facts = make_facts(years=sme_year(), holds_valid_hnte=True, major_incident_last_year=True)
    assert evaluate("tech-sme", facts, AS_OF, params).outcome == "ineligible"


def test_missing_total_cost_leaves_the_score_open_when_it_could_matter(make_facts, params):
    facts = make_facts(years=sme_year(rd_expense=30, total_cost=None))  # 20 + (20..50) + 0
    verdict = evaluate("tech-sme", facts, AS_OF, params)
    assert verdict.score is not None
    assert verdict.score["rd_investment"] is None
    assert verdict.criterion("score_total").passed is None
    assert verdict.outcome == "incomplete"


def test_missing_total_cost_does_not_matter_when_rd_to_sales_already_scores_full(
    make_facts, params
):
    score = score_of(make_facts, params, total_cost=None)  # 60 / 1,000 = 6 %
    assert score["rd_investment"] == 50


def test_a_score_that_cannot_reach_sixty_fails_despite_missing_figures(make_facts, params):
    facts = make_facts(years=sme_year(tech_staff=10, rd_expense=0, total_cost=None))
    # 4 + (0..50) + 0 < 60 whatever the missing measure would give
    assert evaluate("tech-sme", facts, AS_OF, params).criterion("score_total").passed is False


def test_verdict_json_has_the_tech_sme_shape(make_facts, params):
    data = verdict_to_json(evaluate("tech-sme", make_facts(), AS_OF, params))
    assert set(data) == {
        "rules",
        "as_of",
        "outcome",
        "criteria",
        "score",
        "parameters",
        "direct_pass",
    }
    assert set(data["score"]) == {"total", "tech_staff", "rd_investment", "achievements"}
    assert [c["id"] for c in data["criteria"]] == [
        "employees_limit",
        "revenue_limit",
        "assets_limit",
        "compliance",
        "tech_staff_score",
        "score_total",
    ]


def test_the_tech_staff_share_is_stated_as_a_percentage_only(make_facts, params):
    facts = make_facts(years=sme_year(tech_staff=20, employees=90))
    note = evaluate("tech-sme", facts, AS_OF, params).criterion("tech_staff_score").note
    assert note is not None
    assert note.startswith("科技人员占比 ")
    assert note == "科技人员占比 22.2%"  # 20 of 90: one decimal, not "22.22%（0.222222）"
