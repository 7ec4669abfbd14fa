"""Shares read the same everywhere: one decimal ("22.2%"), never the raw fraction, through one
formatter (``policy.numbers.percent``) behind the Jinja ``percent`` filter, the verdict tables
(firm page, 自测, 培育库) and the engine's own text; policy rates keep the digits their document
writes; exports keep full precision (they write numbers, not text)."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from cultivation.policy.numbers import RATE_DIGITS, percent, points_up, share_floor
from cultivation.screening.presenters import criterion_view, parameter_value_text, verdict_view
from cultivation.web import filters


def test_a_share_has_one_decimal_and_no_fraction() -> None:
    assert percent(0.222222) == "22.2%"
    assert percent(Decimal(2) / Decimal(9)) == "22.2%"
    assert percent(0.05) == "5%"  # whole percents as the policy texts write them
    assert percent(1) == "100%"
    assert percent(0.66666) == "66.7%"
    assert percent(None) == "—"
    assert percent(0.0125, RATE_DIGITS) == "1.25%"  # a policy rate is never rounded away
    assert percent(0.59996, rounding=ROUND_FLOOR) == "59.9%"


def test_a_share_short_of_a_minimum_never_reads_as_reached() -> None:
    assert share_floor(Decimal("0.59996")) == "59.9%"
    assert share_floor(Decimal(80) / Decimal(1800)) == "4.4%"
    assert points_up(Decimal("0.556")) == Decimal("0.6")  # 4.4% + 0.6 = 5%
    assert points_up(Decimal("0.001")) == Decimal("0.1")


def test_the_jinja_filter_is_the_same_formatter() -> None:
    for value in (0.222222, 0.05, 0.333333, None, 1):
        assert filters.percent(value) == percent(value)
    assert filters.percent(2 / 3, 0) == "67%"


def test_verdict_tables_show_shares_with_one_decimal() -> None:
    passed = criterion_view({"id": "tech_staff_ratio", "passed": True, "actual": 0.222222,
                             "required": 0.1})
    assert (passed.actual, passed.required) == ("22.2%", "≥ 10%")
    short = criterion_view({"id": "high_tech_revenue_share", "passed": False,
                            "actual": 0.599962, "required": 0.6})
    assert (short.actual, short.required) == ("59.9%", "≥ 60%")  # not "60%" against "≥ 60%"
    assert parameter_value_text("hnte.tech_staff_ratio_min", 0.1) == "10%"
    view = verdict_view({"rules": "hnte", "outcome": "ineligible", "criteria": [
        {"id": "rd_expense_ratio", "passed": False, "actual": 0.045678, "required": 0.05}]})
    assert view.criteria[0].actual == "4.5%"
    assert "（0." not in view.criteria[0].actual
