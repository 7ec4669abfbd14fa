"""Threshold checks: 省高新研发中心, 省级企业研究院 and 领军, at their edges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cultivation.policy import evaluate

AS_OF = date(2026, 6, 30)  # last year = 2025; three years = 2023–2025
# The 省高新研发中心 checks and the pre-2025 省企业研究院 criteria, as of a date they apply to.
OLD_AS_OF = date(2024, 6, 30)  # last year = 2023; three years = 2021–2023


def center_years(**latest: object) -> dict[int, dict[str, object]]:
    """A firm meeting every 省高新研发中心 threshold as of 2024, with 2023 figures changed."""
    year: dict[str, object] = {
        "employees": 150,
        "rd_staff": 20,
        "sales_revenue": 4000,
        "rd_expense": 200,
        "ip_class_i": 1,
        "ip_class_ii": 0,
        "conversions": 5,
    }
    years = {y: dict(year) for y in (2021, 2022, 2023)}
    years[2023].update(latest)
    return years


CENTER_FACTS = {
    "holds_valid_hnte": True,
    "hnte_certified_on": date(2022, 12, 1),
    "municipal_hnte_center": True,
    "software_enterprise": False,
    "rd_site_area": 600,
    "rd_equipment_value": 600,
}


def center(make_facts, params, *, fields=None, as_of=OLD_AS_OF, **latest):
    facts = make_facts(years=center_years(**latest), **{**CENTER_FACTS, **(fields or {})})
    return evaluate("provincial-hnte-center", facts, as_of, params)


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
        ({"hnte_certified_on": OLD_AS_OF - timedelta(days=365)}, True),
        ({"hnte_certified_on": OLD_AS_OF - timedelta(days=364)}, False),
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
        (2021, 2022, 2023),
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
    years = {2023: {"sales_revenue": sales, "rd_expense": rd_expense, "rd_staff": 50}}
    verdict = evaluate(
        "provincial-institute", make_facts(years=years, **INSTITUTE_FACTS), OLD_AS_OF, params
    )
    assert verdict.criterion("rd_expense").passed is passed


@pytest.mark.parametrize(("sales", "outcome"), [("10000", "eligible"), ("9999.99", "ineligible")])
def test_institute_needs_a_hundred_million_of_sales(make_facts, params, sales, outcome):
    years = {2023: {"sales_revenue": sales, "rd_expense": 400, "rd_staff": 50}}
    verdict = evaluate(
        "provincial-institute", make_facts(years=years, **INSTITUTE_FACTS), OLD_AS_OF, params
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


@pytest.mark.parametrize("as_of", [OLD_AS_OF, AS_OF])
@pytest.mark.parametrize("rules", ["provincial-hnte-center", "provincial-institute", "leading"])
def test_threshold_parameters_are_all_flagged_unconfirmed(make_facts, params, rules, as_of):
    verdict = evaluate(rules, make_facts(), as_of, params)
    assert verdict.parameters
    assert not any(p.confirmed for p in verdict.parameters)


# ---- 浙经信高新〔2025〕169号: the 研发中心 closes, the 研究院 gets a banded AND/OR R&D test ----


def test_from_2025_the_center_carries_a_failing_programme_open(make_facts, params):
    verdict = center(
        make_facts, params, as_of=AS_OF, fields={"hnte_certified_on": date(2024, 1, 1)}
    )
    closed = verdict.criterion("programme_open")
    assert (closed.passed, closed.gap) == (False, "已并入省企业研究院序列，不再单独认定")
    assert verdict.criteria[0] is closed
    assert verdict.outcome == "ineligible"
    assert "provincial_hnte_center.programme_closed" in {p.key for p in verdict.parameters}


@pytest.mark.parametrize(
    ("as_of", "closed"),
    [(date(2024, 12, 31), False), (date(2025, 1, 1), True)],
)
def test_the_center_closes_on_the_notices_date(make_facts, params, as_of, closed):
    verdict = center(make_facts, params, as_of=as_of)
    assert ("programme_open" in {c.id for c in verdict.criteria}) is closed


def institute(make_facts, params, sales, rd_expense, **fields):
    years = {2025: {"sales_revenue": sales, "rd_expense": rd_expense}}
    facts = make_facts(
        years=years,
        **{"provincial_innovation_score": 60, "municipal_rd_institution": True, **fields},
    )
    return evaluate("provincial-institute", facts, AS_OF, params)


def test_from_2025_the_institute_has_the_new_criteria(make_facts, params):
    verdict = institute(make_facts, params, 4000, 200)
    assert [c.id for c in verdict.criteria] == [
        "rd_intensity",
        "innovation_score",
        "municipal_institution",
    ]
    assert verdict.outcome == "eligible"


@pytest.mark.parametrize(
    ("sales", "rd_expense", "passed"),
    [
        # below 5,000 万: ≥ 5 % AND ≥ 100 万
        ("4999.99", "250", True),
        ("4999.99", "249.99", False),  # 100 万 but 4.9999… %
        ("1900", "100", True),  # 5.26 % and exactly 100 万
        ("1900", "99.99", False),  # 5.26 % but below 100 万
        # 5,000 万 (inclusive) – 2 亿 (inclusive): ≥ 4 % OR ≥ 250 万
        ("5000", "200", True),  # exactly 4 %: 5,000 belongs to the middle band
        ("5000", "199.99", False),
        ("10000", "250", True),  # 2.5 % but exactly 250 万
        ("10000", "249.99", False),
        ("20000", "250", True),  # 1.25 % but 250 万: 2 亿 is still the middle band
        ("20000", "249.99", False),
        # above 2 亿: ≥ 3 % OR ≥ 800 万
        ("20000.01", "250", False),  # the middle band's 250 万 no longer suffices
        ("20000.01", "600", False),  # 2.99999… %
        ("20000.01", "600.01", True),  # 3.00005 %
        ("40000", "800", True),  # 2 % but exactly 800 万
        ("30000", "900", True),  # exactly 3 %
        ("40000", "799.99", False),
    ],
)
def test_institute_rd_intensity_at_every_band_edge(make_facts, params, sales, rd_expense, passed):
    criterion = institute(make_facts, params, sales, rd_expense).criterion("rd_intensity")
    assert criterion.passed is passed, criterion.gap


def test_the_or_gap_names_the_band_and_both_ways(make_facts, params):
    criterion = institute(make_facts, params, 6000, 228).criterion("rd_intensity")
    assert criterion.passed is False
    assert criterion.gap == (
        "销售收入 5000 万元（含）至 20000 万元（含）（研发强度 ≥ 4% 或研发费用 ≥ 250 万元）："
        "研发强度 3.8%，还差 0.2 个百分点，或研发费用再增加 12 万元"
    )
    assert (criterion.gap_value, criterion.unit) == (12.0, "万元")


def test_the_and_gap_needs_both(make_facts, params):
    criterion = institute(make_facts, params, 1800, 80).criterion("rd_intensity")
    assert criterion.gap == (
        "销售收入 5000 万元以下（研发强度 ≥ 5% 且研发费用 ≥ 100 万元）："
        "研发强度 4.4%，还差 0.6 个百分点，且研发费用 80 万元，还差 20 万元；"
        "研发费用再增加 20 万元可同时满足"
    )


def test_the_rd_intensity_needs_the_years_figures(make_facts, params):
    criterion = institute(make_facts, params, None, 100).criterion("rd_intensity")
    assert criterion.passed is None
    assert criterion.gap == "缺少数据：2025 年销售收入"


@pytest.mark.parametrize(("score", "passed"), [(60, True), ("59.99", False), (None, None)])
def test_the_provincial_innovation_score_needs_sixty(make_facts, params, score, passed):
    from decimal import Decimal

    value = None if score is None else Decimal(str(score))
    verdict = institute(make_facts, params, 4000, 200, provincial_innovation_score=value)
    criterion = verdict.criterion("innovation_score")
    assert criterion.passed is passed
    if score is None:
        assert criterion.gap == "缺少数据：创新能力评价得分"
        assert verdict.outcome == "incomplete"


@pytest.mark.parametrize("has_one", [False, None])
def test_the_municipal_institution_is_shown_but_never_fails_alone(make_facts, params, has_one):
    verdict = institute(make_facts, params, 4000, 200, municipal_rd_institution=has_one)
    soft = verdict.criterion("municipal_institution")
    assert soft.soft
    assert soft.passed is has_one
    assert verdict.outcome == "eligible"
    from cultivation.policy import verdict_to_json

    data = verdict_to_json(verdict)
    assert data["criteria"][2]["soft"] is True  # type: ignore[index]
    assert "soft" not in data["criteria"][0]  # type: ignore[index,operator]
