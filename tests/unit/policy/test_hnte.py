"""高企 rule set: the eight conditions at their band edges, the score range and outcomes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cultivation.policy import ParameterTable, ParameterValue, SelfAssessment, evaluate
from cultivation.policy.rules.base import ParameterLookup
from cultivation.policy.rules.hnte import _innovation_score, _score_threshold
from cultivation.policy.rules.hnte_score import Part, ScoreRange, growth_rate

AS_OF = date(2026, 6, 30)
NO_SELF_ASSESSMENT = SelfAssessment()
YEARS = (2023, 2024, 2025)  # the strong firm's fiscal years, used as of AS_OF


def flat_years(sales: str, rd_rate: str, **figures: object) -> dict[int, dict[str, object]]:
    """Three equal years 2023–2025 with R&D exactly ``rd_rate`` of sales."""
    rd = Decimal(sales) * Decimal(rd_rate)
    year = {
        "employees": 100,
        "tech_staff": 20,
        "sales_revenue": sales,
        "total_revenue": sales,
        "high_tech_revenue": Decimal(sales) * Decimal("0.8"),
        "rd_expense": rd,
        "rd_expense_domestic": rd,
        "total_assets": 9000,
        "net_assets": 5000,
        "ip_class_i": 2,
        "ip_class_ii": 5,
        "conversions": 5,
        **figures,
    }
    return {y: dict(year) for y in (2023, 2024, 2025)}


def test_the_strong_firm_is_eligible_with_every_criterion_passed(make_facts, params):
    verdict = evaluate("hnte", make_facts(), AS_OF, params)
    assert verdict.outcome == "eligible"
    assert [c.id for c in verdict.criteria] == [
        "registration_age",
        "core_ip",
        "tech_domain",
        "tech_staff_ratio",
        "rd_expense_ratio",
        "domestic_rd_share",
        "high_tech_revenue_share",
        "innovation_score",
        "compliance",
    ]
    assert all(c.passed is True for c in verdict.criteria)


def test_the_three_fiscal_years_are_those_before_the_as_of_year(make_facts, params):
    verdict = evaluate("hnte", make_facts(), AS_OF, params)
    assert verdict.criterion("rd_expense_ratio").years == (2023, 2024, 2025)
    assert verdict.criterion("tech_staff_ratio").years == (2025,)


@pytest.mark.parametrize(
    ("latest_sales", "required_rate"),
    [
        ("4999.99", 0.05),
        ("5000", 0.05),  # ≤ 5,000 万 inclusive
        ("5000.01", 0.04),
        ("20000", 0.04),  # ≤ 2 亿 inclusive
        ("20000.01", 0.03),
    ],
)
def test_the_rd_rate_required_follows_the_latest_years_sales_band(
    make_facts, params, latest_sales, required_rate
):
    facts = make_facts(change={2025: {"sales_revenue": latest_sales}})
    criterion = evaluate("hnte", facts, AS_OF, params).criterion("rd_expense_ratio")
    assert criterion.required == required_rate


@pytest.mark.parametrize(
    ("sales", "rd_rate", "passed"),
    [
        ("4999.99", "0.05", True),  # exactly at the rate passes
        ("4999.99", "0.0499", False),
        ("5000", "0.05", True),
        ("5000", "0.0499", False),  # 5,000 万 is still in the 5 % band
        ("5000.01", "0.04", True),
        ("5000.01", "0.0399", False),
        ("20000", "0.04", True),
        ("20000.01", "0.03", True),
        ("20000.01", "0.0299", False),
    ],
)
def test_rd_ratio_exactly_at_the_rate_passes_and_just_below_fails(
    make_facts, params, sales, rd_rate, passed
):
    facts = make_facts(years=flat_years(sales, rd_rate))
    assert evaluate("hnte", facts, AS_OF, params).criterion("rd_expense_ratio").passed is passed


def test_rd_ratio_gap_says_how_many_wan_yuan_of_rd_are_missing(make_facts, params):
    years = flat_years("4000", "0.05")
    years[2025]["rd_expense"] = Decimal("161.5")  # 5 % of 12,000 is 600; 561.5 spent
    criterion = evaluate("hnte", make_facts(years=years), AS_OF, params).criterion(
        "rd_expense_ratio"
    )
    assert criterion.passed is False
    assert criterion.gap == "研发费用还差 38.5 万元"
    assert (criterion.gap_value, criterion.unit) == (38.5, "万元")


@pytest.mark.parametrize(
    ("tech_staff", "employees", "passed", "gap"),
    [
        (10, 100, True, None),  # exactly 10 %
        (999, 10000, False, "科技人员还差 1 人"),  # 9.99 %
        (100, 1001, False, "科技人员还差 1 人"),
        (3, 100, False, "科技人员还差 7 人"),
    ],
)
def test_tech_staff_share_of_the_latest_year_needs_ten_percent(
    make_facts, params, tech_staff, employees, passed, gap
):
    facts = make_facts(change={2025: {"tech_staff": tech_staff, "employees": employees}})
    criterion = evaluate("hnte", facts, AS_OF, params).criterion("tech_staff_ratio")
    assert (criterion.passed, criterion.gap) == (passed, gap)


@pytest.mark.parametrize(("domestic", "passed"), [("162", True), ("161.99", False)])
def test_domestic_rd_needs_sixty_percent_of_all_rd(make_facts, params, domestic, passed):
    years = flat_years("3000", "0.09")  # 270 of R&D per year
    for figures in years.values():
        figures["rd_expense_domestic"] = domestic  # 162 / 270 = 60 %
    criterion = evaluate("hnte", make_facts(years=years), AS_OF, params).criterion(
        "domestic_rd_share"
    )
    assert criterion.passed is passed


@pytest.mark.parametrize(("high_tech", "passed"), [("2640", True), ("2639.99", False)])
def test_high_tech_revenue_needs_sixty_percent_of_the_latest_years_total(
    make_facts, params, high_tech, passed
):
    facts = make_facts(change={2025: {"high_tech_revenue": high_tech}})  # of 4,400
    verdict = evaluate("hnte", facts, AS_OF, params)
    assert verdict.criterion("high_tech_revenue_share").passed is passed


@pytest.mark.parametrize(("age_days", "passed"), [(365, True), (364, False)])
def test_registration_needs_365_days_before_the_as_of_date(make_facts, params, age_days, passed):
    facts = make_facts(registered_on=AS_OF - timedelta(days=age_days))
    criterion = evaluate("hnte", facts, AS_OF, params).criterion("registration_age")
    assert criterion.passed is passed
    if not passed:
        assert criterion.gap == "还需 1 天（2026-07-01 起满足）"


def test_a_two_year_old_firm_uses_only_the_years_since_registration(make_facts, params):
    years = {y: v for y, v in flat_years("3000", "0.04").items() if y >= 2024}
    years[2024]["rd_expense"] = 180  # (180 + 120) / 6,000 = 5 %
    facts = make_facts(years=years, registered_on=date(2024, 3, 1))
    verdict = evaluate("hnte", facts, AS_OF, params)
    criterion = verdict.criterion("rd_expense_ratio")
    assert (criterion.years, criterion.passed, criterion.actual) == ((2024, 2025), True, 0.05)
    assert verdict.score is not None
    assert verdict.score["parts"]["conversion"]["average"] == 5.0


def test_missing_rd_figure_makes_the_verdict_incomplete_and_names_it(make_facts, params):
    facts = make_facts(change={2024: {"rd_expense": None}})
    verdict = evaluate("hnte", facts, AS_OF, params)
    criterion = verdict.criterion("rd_expense_ratio")
    assert criterion.passed is None
    assert criterion.gap is not None
    assert "2024 年研发费用" in criterion.gap
    assert verdict.outcome == "incomplete"


def test_a_failing_criterion_outweighs_missing_data(make_facts, params):
    facts = make_facts(change={2024: {"rd_expense": None}}, major_incident_last_year=True)
    assert evaluate("hnte", facts, AS_OF, params).outcome == "ineligible"


@pytest.mark.parametrize(
    ("domain", "passed"), [("电子信息", True), ("新材料 / 高分子材料", True), ("房地产", False)]
)
def test_core_technology_must_be_in_a_supported_domain(make_facts, params, domain, passed):
    verdict = evaluate("hnte", make_facts(tech_domain=domain), AS_OF, params)
    assert verdict.criterion("tech_domain").passed is passed


def test_an_accident_in_the_last_year_makes_the_firm_ineligible(make_facts, params):
    verdict = evaluate("hnte", make_facts(major_incident_last_year=True), AS_OF, params)
    assert verdict.criterion("compliance").passed is False
    assert verdict.outcome == "ineligible"


def test_a_valid_certificate_does_not_change_the_verdict(make_facts, params):
    without = evaluate("hnte", make_facts(holds_valid_hnte=False), AS_OF, params)
    with_certificate = evaluate("hnte", make_facts(holds_valid_hnte=True), AS_OF, params)
    assert without.criteria == with_certificate.criteria


def test_without_self_assessment_the_score_straddling_71_is_borderline(make_facts, params):
    verdict = evaluate("hnte", make_facts(self_assessment=NO_SELF_ASSESSMENT), AS_OF, params)
    assert verdict.score is not None
    assert (verdict.score["min"], verdict.score["max"]) == (41, 90)
    assert verdict.criterion("innovation_score").passed is None
    assert verdict.outcome == "borderline"


def test_self_assessment_turns_judged_parts_into_points(make_facts, params):
    assessment = SelfAssessment(tech_advancement=5, core_support=4, rd_management=12)
    verdict = evaluate("hnte", make_facts(self_assessment=assessment), AS_OF, params)
    assert verdict.score is not None
    parts = verdict.score["parts"]
    assert parts["ip"]["tech_advancement"] == [5, 5]
    assert parts["rd_management"]["min"] == parts["rd_management"]["max"] == 12


def test_score_whose_maximum_is_below_71_fails_with_the_points_missing(make_facts, params):
    change = {y: {"ip_class_i": 0, "ip_class_ii": 0, "conversions": 0} for y in YEARS}
    facts = make_facts(change=change, self_assessment=NO_SELF_ASSESSMENT)
    verdict = evaluate("hnte", facts, AS_OF, params)
    criterion = verdict.criterion("innovation_score")
    assert criterion.actual == [8, 30]  # growth 8–10, rd management 0–20, no IP, no conversions
    assert (criterion.passed, criterion.gap_value) == (False, 41.0)
    assert verdict.outcome == "ineligible"


def test_straddling_score_with_missing_figures_is_incomplete_not_borderline(make_facts, params):
    change = {y: {"conversions": None} for y in YEARS}
    facts = make_facts(change=change, self_assessment=NO_SELF_ASSESSMENT)
    verdict = evaluate("hnte", facts, AS_OF, params)
    assert verdict.criterion("innovation_score").passed is None
    assert verdict.outcome == "incomplete"


def test_a_firm_without_class_one_ip_is_told_one_more_would_help(make_facts, params):
    facts = make_facts(change={2025: {"ip_class_i": 0, "ip_class_ii": 2}})
    criterion = evaluate("hnte", facts, AS_OF, params).criterion("innovation_score")
    assert criterion.note is not None
    assert "再需 1 项Ⅰ类知识产权，知识产权数量可得 7–8 分" in criterion.note


@pytest.mark.parametrize(
    ("values", "rate"),
    [
        (["100", "110", "121"], Decimal("0.1")),
        (["0", "100", "150"], Decimal("0.5")),  # first year 0 → y3 / y2 − 1
        (["100", "0", "150"], None),  # second year 0 → 0 points
        (["100", "90", "81"], Decimal("-0.1")),
        (["100", "105"], Decimal("0.05")),  # a two-year-old firm
        (["0", "105"], None),
        (["100"], None),
        (["-50", "100", "150"], None),  # a negative base has no meaningful ratio
    ],
)
def test_growth_rate_follows_the_guideline_formula(values, rate):
    assert growth_rate([Decimal(v) for v in values])[0] == rate


@pytest.mark.parametrize(
    ("net_assets", "points"),
    [
        (("100", "90", "81"), [0, 0]),  # negative growth scores 0
        (("100", "0", "150"), [0, 0]),
        (("0", "100", "135"), [9, 10]),  # 35 % exactly
        (("100", "100", "100"), [0, 0]),
        (("100", "101", "102.01"), [1, 2]),
    ],
)
def test_net_assets_growth_points_at_the_band_edges(make_facts, params, net_assets, points):
    change = {y: {"net_assets": v} for y, v in zip(YEARS, net_assets, strict=True)}
    verdict = evaluate("hnte", make_facts(change=change), AS_OF, params)
    assert verdict.score is not None
    assert verdict.score["parts"]["growth"]["net_assets_points"] == points


def test_growth_of_exactly_five_percent_scores_three_to_four_with_a_note(make_facts, params):
    change = {y: {"net_assets": v} for y, v in zip(YEARS, ("100", "105", "110.25"), strict=True)}
    verdict = evaluate("hnte", make_facts(change=change), AS_OF, params)
    assert verdict.score is not None
    growth = verdict.score["parts"]["growth"]
    assert growth["net_assets_points"] == [3, 4]
    assert any("恰为 5%" in note for note in growth["notes"])


def test_a_parameter_dated_2027_changes_verdicts_only_from_that_date(make_facts, params):
    key = "hnte.tech_staff_ratio_min"
    (seed,) = params.history(key)
    stricter = ParameterTable(
        [
            *(v for v in params.all_values() if v.key != key),
            replace(seed, valid_to=date(2026, 12, 31)),
            ParameterValue(key, Decimal("0.15"), date(2027, 1, 1), None, source="测试用文号"),
        ]
    )
    year = flat_years("4000", "0.06", tech_staff=12, employees=100)[2025]
    years = {y: dict(year) for y in range(2022, 2027)}
    facts = make_facts(years=years)
    before = evaluate("hnte", facts, date(2026, 12, 31), stricter)
    after = evaluate("hnte", facts, date(2027, 1, 1), stricter)
    assert before.criterion("tech_staff_ratio").passed is True
    assert after.criterion("tech_staff_ratio").passed is False
    assert [p.source for p in after.parameters if p.key == key] == ["测试用文号"]


def test_verdict_lists_every_parameter_it_used_with_its_source(make_facts, params):
    verdict = evaluate("hnte", make_facts(), AS_OF, params)
    keys = {p.key for p in verdict.parameters}
    assert {"hnte.rd_expense_ratio_bands", "hnte.innovation_score_above"} <= keys
    assert "hnte.innovation_score_min" not in keys
    assert all(p.source for p in verdict.parameters)


# ---- the pass mark: "70 分以上（不含 70 分）" from 2025, the earlier "≥ 71" reading before ----


def _score(low: int, high: int) -> ScoreRange:
    return ScoreRange({"ip": Part(low, high)})


@pytest.mark.parametrize(
    ("low", "high", "passed"),
    [(71, 71, True), (70, 70, False), (70, 71, None), (69, 70, False), (71, 90, True)],
)
@pytest.mark.parametrize("as_of", [date(2024, 12, 31), date(2025, 1, 1)])
def test_the_score_must_be_above_seventy_on_both_sides(params, low, high, passed, as_of):
    threshold = _score_threshold(ParameterLookup(params, as_of))
    criterion = _innovation_score(_score(low, high), (2024,), threshold)
    assert criterion.passed is passed


def test_from_2025_the_mark_reads_above_seventy(params):
    threshold = _score_threshold(ParameterLookup(params, date(2025, 1, 1)))
    failed = _innovation_score(_score(60, 70), (2024,), threshold)
    assert failed.required == "> 70"
    assert failed.label == "创新能力评价得分（> 70 分）"
    assert failed.gap == "创新能力评价最高估计 70 分，还差 1 分"
    assert failed.note is not None
    assert "70 分以上（不含 70 分）" in failed.note
    old = _innovation_score(
        _score(60, 70), (2023,), _score_threshold(ParameterLookup(params, date(2024, 12, 31)))
    )
    assert (old.required, old.label, old.gap) == (71, "创新能力评价得分", failed.gap)


def test_the_strict_mark_is_strict_for_fractional_scores():
    from cultivation.policy.rules.hnte import _ScoreThreshold

    mark = _ScoreThreshold(70, strict=True)
    assert not mark.met(70)
    assert mark.met(71)
    assert mark.met(Decimal("70.5"))  # type: ignore[arg-type]  # an average above 70 passes
