"""Verdict JSON as people read it: percentages, units, alternatives, badges, sources."""

from __future__ import annotations

from datetime import date

from cultivation.policy import evaluate, facts_from_json, load_parameters, verdict_to_json
from cultivation.screening.presenters import (
    criterion_view,
    parameter_value_text,
    verdict_view,
)


def test_ratios_show_as_percentages_against_their_minimum():
    row = criterion_view({"id": "rd_expense_ratio", "label": "研发费用占销售收入比例",
                          "passed": False, "actual": 0.049, "required": 0.05, "unit": "万元",
                          "gap": "研发费用还差 38.5 万元", "years": [2023, 2024, 2025]})
    assert (row.actual, row.required, row.status) == ("4.9%", "≥ 5%", "未通过")
    assert row.years == "2023、2024、2025"
    assert row.gap == "研发费用还差 38.5 万元"


def test_limits_ranges_and_missing_data_read_naturally():
    limit = criterion_view({"id": "employees_limit", "label": "职工总数不超过上限",
                            "passed": True, "actual": 120, "required": 500, "unit": "人"})
    assert (limit.actual, limit.required) == ("120 人", "≤ 500 人")
    score = criterion_view({"id": "innovation_score", "label": "创新能力评价得分",
                            "passed": None, "actual": [67, 80], "required": 71, "unit": "分",
                            "gap": "最低估计 67 分，还差 4 分；最高估计 80 分"})
    assert (score.actual, score.required, score.status) == ("67–80 分", "≥ 71 分", "待专家评分")
    missing = criterion_view({"id": "rd_expense_ratio", "label": "x", "passed": None,
                              "gap": "缺少数据：2024 年研发费用"})
    assert (missing.actual, missing.status) == ("—", "数据不全")


def test_alternatives_are_labelled_in_chinese_with_their_operator():
    row = criterion_view({"id": "sme_size", "label": "属于中小企业", "passed": True,
                          "actual": {"employees": 27, "sales_revenue": 2699.98},
                          "required": {"employees": 1000, "sales_revenue": 40000}})
    assert row.actual == "从业人员 27 人；营业收入 2,699.98 万元"
    assert row.required == "从业人员 < 1,000 人，或营业收入 < 40,000 万元"
    spending = criterion_view({"id": "innovation_spending", "label": "有研发投入",
                               "passed": True, "actual": 159.31, "required": 0, "unit": "万元"})
    assert spending.required == "> 0 万元"


def test_band_tables_show_bounds_with_units():
    bands = [{"max": 5000, "max_inclusive": True, "rate": 0.05},
             {"min": 5000, "min_inclusive": False, "max": 20000, "max_inclusive": True,
              "rate": 0.04}, {"min": 20000, "min_inclusive": False, "rate": 0.03}]
    assert parameter_value_text("hnte.rd_expense_ratio_bands", bands) == (
        "≤5,000 万元：5%；>5,000且≤20,000 万元：4%；>20,000 万元：3%")
    assert parameter_value_text("hnte.tech_staff_ratio_min", 0.1) == "10%"
    assert parameter_value_text("tech_sme.employees_max", 500) == "500 人"


def test_a_verdict_card_flags_unconfirmed_parameters_and_states_the_pass_mark():
    facts = facts_from_json({"registered_on": "2019-05-01", "fiscal_years": [
        {"year": y, "net_assets": 100, "sales_revenue": 100} for y in (2023, 2024, 2025)]})
    verdict = verdict_to_json(evaluate("hnte", facts, date(2026, 6, 30), load_parameters()))
    card = verdict_view(verdict)
    assert card.title == "高新技术企业"
    assert (card.outcome_label, card.badge) == ("数据不全", "text-bg-secondary")
    assert card.score.endswith("（需 > 70 分）")
    assert card.unconfirmed == sum(1 for p in verdict["parameters"] if not p["confirmed"]) > 0
    growth = next(p for p in card.parameters if p.key == "hnte.score.growth_bands")
    assert growth.confirmed is False
    assert growth.source.startswith("国科发火〔2016〕195号")


def test_a_soft_criterion_is_shown_as_a_hint_not_a_failure():
    view = criterion_view({"id": "municipal_institution", "label": "建有市级企业研发机构（原则上）",
                           "passed": False, "soft": True, "required": True, "actual": False,
                           "gap": "原则上应建有市级企业研发机构（不单独作为否决条件）"})
    assert (view.status, view.status_class) == ("提示（不影响结论）", "text-warning")


def test_rd_test_bands_read_as_and_or():
    from cultivation.screening.presenters import parameter_value_text

    text = parameter_value_text("provincial_institute.rd_intensity_bands", [
        {"max": 5000, "max_inclusive": False, "rate": 0.05, "amount": 100, "combine": "all"},
        {"min": 5000, "max": 20000, "max_inclusive": True, "rate": 0.04, "amount": 250,
         "combine": "any"}])
    assert "研发强度 ≥ 5% 且研发费用 ≥ 100 万元" in text
    assert "研发强度 ≥ 4% 或研发费用 ≥ 250 万元" in text
