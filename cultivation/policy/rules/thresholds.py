"""Threshold checks for R&D institutions and 领军 (docs/domain.md §4; every value UNCONFIRMED).

Rule sets and criterion ids:

- ``provincial-hnte-center`` 省级高新技术企业研究开发中心: hnte_tenure, municipal_center,
  rd_expense_ratio, rd_expense_amount (both banded by last year's sales), rd_staff (30 for a
  software enterprise), rd_staff_ratio, site_area, equipment_value, ip_items (Ⅰ类 or Ⅱ类
  held at last year end), conversions (summed over the lookback years).
  From 浙经信高新〔2025〕169号 (``provincial_hnte_center.programme_closed`` in force) a
  failing ``programme_open`` comes first: the centres joined the 研究院 series.
- ``provincial-institute`` 省级企业研究院, to 2024: sales_revenue, rd_expense (ratio or amount),
  rd_staff, site_area, equipment_value, existing_institution. From 2025 (169号; the keys
  ``provincial_institute.rd_intensity_bands`` … in force): rd_intensity (banded by last year's
  sales: below 5,000 万 ratio AND amount, above that ratio OR amount), innovation_score (the
  province's 创新能力评价得分, ``null`` until entered) and the soft municipal_institution
  ("原则上应建有市级企业研发机构": shown, never failing the verdict on its own).
- ``leading`` 浙江省创新型领军企业: hnte_valid, rd_expense_ratio (summed over the lookback
  years), rd_staff, core_product_share, sales_revenue.

"Last year" is the fiscal year before the as-of year; R&D staff means full-time R&D staff.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cultivation.policy.bands import COMBINE_WORDS, Band
from cultivation.policy.facts import Facts
from cultivation.policy.numbers import (
    RATE_DIGITS,
    JSONValue,
    decimal_to_json,
    money_up,
    percent,
    plain,
    points_up,
    ratio,
    ratio_to_json,
    share_floor,
)
from cultivation.policy.parameters import ParameterTable
from cultivation.policy.rules.base import (
    ParameterLookup,
    Quantity,
    figure,
    lookback_years,
    previous_year,
    total,
)
from cultivation.policy.rules.criteria import (
    age_criterion,
    any_of,
    flag_criterion,
    minimum_criterion,
    missing_criterion,
    share_criterion,
)
from cultivation.policy.verdicts import Criterion, Verdict, decide_outcome

SOFTWARE_UNKNOWN = "未说明是否软件企业；软件企业要求更多研发人员"
CLOSED = "已并入省企业研究院序列，不再单独认定"


def evaluate_provincial_hnte_center(facts: Facts, as_of: date, params: ParameterTable) -> Verdict:
    """Check the 省级高新技术企业研究开发中心 thresholds as of ``as_of``."""
    p = ParameterLookup(params, as_of)
    year = previous_year(as_of)

    def number(name: str) -> Decimal:
        return p.number(f"provincial_hnte_center.{name}")

    staff_minimum = number("rd_staff_min_software" if facts.software_enterprise else "rd_staff_min")
    window = lookback_years(
        as_of, facts.registered_on, p.integer("provincial_hnte_center.lookback_years")
    )
    criteria = (
        _hnte_tenure(facts, as_of, p.integer("provincial_hnte_center.hnte_min_days")),
        flag_criterion(
            "municipal_center",
            "已有市级高新技术企业研究开发中心",
            facts.municipal_hnte_center,
            expected=True,
            missing="是否已有市级研发中心",
            fix="需先建有市级高新技术企业研究开发中心",
        ),
        *_banded_rd(facts, year, p),
        minimum_criterion(
            "rd_staff",
            "全职研发人员",
            figure(facts, year, "rd_staff"),
            staff_minimum,
            "人",
            years=(year,),
            note=None if facts.software_enterprise is not None else SOFTWARE_UNKNOWN,
        ),
        share_criterion(
            "rd_staff_ratio",
            "研发人员占职工总数比例",
            facts,
            (year,),
            "rd_staff",
            "employees",
            number("rd_staff_ratio_min"),
        ),
        _facility(
            "site_area", "研发场地面积", facts.rd_site_area, number("site_area_min"), "平方米"
        ),
        _facility(
            "equipment_value",
            "研发设备原值",
            facts.rd_equipment_value,
            number("equipment_value_min"),
            "万元",
        ),
        any_of(
            "ip_items",
            "近三年知识产权",
            (
                minimum_criterion(
                    "ip_class_i",
                    "Ⅰ类知识产权",
                    figure(facts, year, "ip_class_i"),
                    number("ip_class_i_min"),
                    "项",
                    years=(year,),
                ),
                minimum_criterion(
                    "ip_class_ii",
                    "Ⅱ类知识产权",
                    figure(facts, year, "ip_class_ii"),
                    number("ip_class_ii_min"),
                    "项",
                    years=(year,),
                ),
            ),
        ),
        minimum_criterion(
            "conversions",
            "近三年成果转化",
            total(facts, window, "conversions"),
            number("conversions_min"),
            "项",
            years=window,
        ),
    )
    if p.in_force("provincial_hnte_center.programme_closed") and p.number(
        "provincial_hnte_center.programme_closed"
    ):
        closed = Criterion(
            id="programme_open",
            label="省高新技术企业研究开发中心仍单独认定",
            passed=False,
            actual=False,
            required=True,
            gap=CLOSED,
            note="可按省企业研究院条件评估（规则集 provincial-institute）",
        )
        return _verdict("provincial-hnte-center", as_of, (closed, *criteria), p)
    return _verdict("provincial-hnte-center", as_of, criteria, p)


def evaluate_provincial_institute(facts: Facts, as_of: date, params: ParameterTable) -> Verdict:
    """Check the 省级企业研究院 thresholds as of ``as_of``."""
    p = ParameterLookup(params, as_of)
    year = previous_year(as_of)
    if p.in_force("provincial_institute.rd_intensity_bands"):
        return _verdict("provincial-institute", as_of, _institute_2025(facts, year, p), p)

    def number(name: str) -> Decimal:
        return p.number(f"provincial_institute.{name}")

    criteria = (
        minimum_criterion(
            "sales_revenue",
            "上年销售收入",
            figure(facts, year, "sales_revenue"),
            number("sales_revenue_min"),
            "万元",
            years=(year,),
        ),
        any_of(
            "rd_expense",
            "研发投入（占比或金额）",
            (
                share_criterion(
                    "rd_expense_ratio",
                    "研发费用占销售收入比例",
                    facts,
                    (year,),
                    "rd_expense",
                    "sales_revenue",
                    number("rd_ratio_min"),
                ),
                minimum_criterion(
                    "rd_expense_amount",
                    "研发费用",
                    figure(facts, year, "rd_expense"),
                    number("rd_amount_min"),
                    "万元",
                    years=(year,),
                ),
            ),
        ),
        minimum_criterion(
            "rd_staff",
            "全职研发人员",
            figure(facts, year, "rd_staff"),
            number("rd_staff_min"),
            "人",
            years=(year,),
        ),
        _facility(
            "site_area", "研发场地面积", facts.rd_site_area, number("site_area_min"), "平方米"
        ),
        _facility(
            "equipment_value",
            "研发设备原值",
            facts.rd_equipment_value,
            number("equipment_value_min"),
            "万元",
        ),
        flag_criterion(
            "existing_institution",
            "已有省级研发机构",
            facts.provincial_rd_institution,
            expected=True,
            missing="是否已有省级研发机构",
            fix="需先建有省级研发机构（如省高新研发中心）",
        ),
    )
    return _verdict("provincial-institute", as_of, criteria, p)


def evaluate_leading(facts: Facts, as_of: date, params: ParameterTable) -> Verdict:
    """Check the 浙江省创新型领军企业 thresholds as of ``as_of``."""
    p = ParameterLookup(params, as_of)
    year = previous_year(as_of)
    years = lookback_years(as_of, facts.registered_on, p.integer("leading.lookback_years"))
    criteria = (
        flag_criterion(
            "hnte_valid",
            "有效期内的高新技术企业",
            facts.holds_valid_hnte,
            expected=True,
            missing="是否持有有效高企证书",
            fix="需为有效期内的高新技术企业",
        ),
        share_criterion(
            "rd_expense_ratio",
            "近三年研发费用占销售收入比例",
            facts,
            years,
            "rd_expense",
            "sales_revenue",
            p.number("leading.rd_ratio_min"),
        ),
        minimum_criterion(
            "rd_staff",
            "全职研发人员",
            figure(facts, year, "rd_staff"),
            p.number("leading.rd_staff_min"),
            "人",
            years=(year,),
        ),
        share_criterion(
            "core_product_share",
            "核心产品收入占销售收入比例",
            facts,
            (year,),
            "core_product_revenue",
            "sales_revenue",
            p.number("leading.core_product_share_min"),
        ),
        minimum_criterion(
            "sales_revenue",
            "上年销售收入",
            figure(facts, year, "sales_revenue"),
            p.number("leading.sales_revenue_min"),
            "万元",
            years=(year,),
            note="高成长企业可放宽（以当年通知为准）",
        ),
    )
    return _verdict("leading", as_of, criteria, p)


def _institute_2025(facts: Facts, year: int, p: ParameterLookup) -> tuple[Criterion, ...]:
    """The 169号 criteria: banded R&D test, provincial evaluation score, municipal institution."""
    minimum = p.number("provincial_institute.innovation_score_min")
    score = facts.provincial_innovation_score
    return (
        _rd_intensity(facts, year, p),
        minimum_criterion(
            "innovation_score",
            "创新能力评价得分（省企业研究院评价）",
            Quantity(score, () if score is not None else ("创新能力评价得分",)),
            minimum,
            "分",
            note="省经信部门组织的创新能力评价，不是高企创新能力评价",
        ),
        _soft_flag(
            "municipal_institution",
            "建有市级企业研发机构（原则上）",
            facts.municipal_rd_institution,
            missing="是否建有市级及以上企业研发机构",
            fix="原则上应建有市级企业研发机构（不单独作为否决条件）",
        ),
    )


def _rd_intensity(facts: Facts, year: int, p: ParameterLookup) -> Criterion:
    """R&D intensity and amount, banded by last year's sales, combined AND or OR per band."""
    cid, label = "rd_intensity", "研发强度与研发费用（按上年销售收入分段）"
    sales = figure(facts, year, "sales_revenue")
    expense = figure(facts, year, "rd_expense")
    missing = sales.missing + expense.missing
    if sales.value is None or expense.value is None:
        return missing_criterion(cid, label, missing, years=(year,))
    band = p.bands("provincial_institute.rd_intensity_bands").find(sales.value)
    assert band.rate is not None  # an rd_test band carries a rate,
    assert band.amount is not None  # an amount
    assert band.combine is not None  # and how they combine
    rule = _band_rule(band)
    required = f"{rule}（{year} 年销售收入 {plain(sales.value)} 万元，{_band_name(band)}）"
    share = ratio(expense.value, sales.value)
    ratio_ok = share is not None and share >= band.rate
    amount_ok = expense.value >= band.amount
    passed = (ratio_ok and amount_ok) if band.combine == "all" else (ratio_ok or amount_ok)
    actual: dict[str, JSONValue] = {
        "rd_expense_ratio": ratio_to_json(share) if share is not None else None,
        "rd_expense_amount": decimal_to_json(expense.value),
    }
    note = f"按 {year} 年销售收入 {plain(sales.value)} 万元（{_band_name(band)}）适用：{rule}"
    if passed:
        return Criterion(
            id=cid,
            label=label,
            passed=True,
            actual=actual,
            required=required,
            years=(year,),
            note=note,
        )
    for_ratio = max(band.rate * sales.value - expense.value, Decimal(0))
    for_amount = max(band.amount - expense.value, Decimal(0))
    both = band.combine == "all"
    increase = money_up(max(for_ratio, for_amount) if both else min(for_ratio, for_amount))
    intensity = "—" if share is None else share_floor(share)
    parts = []
    if not ratio_ok:
        points = (band.rate - (share or Decimal(0))) * 100
        parts.append(f"研发强度 {intensity}，还差 {plain(points_up(points))} 个百分点")
    if not amount_ok and both:
        parts.append(
            f"研发费用 {plain(expense.value)} 万元，还差 {plain(money_up(for_amount))} 万元"
        )
    if both:
        gap = "，且".join(parts) + f"；研发费用再增加 {plain(increase)} 万元可同时满足"
    else:
        gap = f"{parts[0]}，或研发费用再增加 {plain(increase)} 万元"
    return Criterion(
        id=cid,
        label=label,
        passed=False,
        actual=actual,
        required=required,
        gap=f"{_band_name(band)}（{rule}）：{gap}",
        gap_value=float(increase),
        unit="万元",
        years=(year,),
        note=note,
    )


def _band_rule(band: Band) -> str:
    assert band.rate is not None
    assert band.amount is not None
    word = COMBINE_WORDS[band.combine or "any"]
    rate = percent(band.rate, RATE_DIGITS)
    return f"研发强度 ≥ {rate} {word}研发费用 ≥ {plain(band.amount)} 万元"


def _band_name(band: Band) -> str:
    """ "销售收入 5000 万元以下" / "5000 万元（含）至 20000 万元（含）" / "20000 万元以上"."""
    low = None if band.lower is None else f"{plain(band.lower)} 万元"
    high = None if band.upper is None else f"{plain(band.upper)} 万元"
    if low is None and high is not None:
        return f"销售收入 {high}{'及' if band.upper_inclusive else ''}以下"
    if high is None and low is not None:
        return f"销售收入 {low}{'及' if band.lower_inclusive else ''}以上"
    inc = ("（含）", "（不含）")
    return (
        f"销售收入 {low}{inc[0] if band.lower_inclusive else inc[1]}至"
        f" {high}{inc[0] if band.upper_inclusive else inc[1]}"
    )


def _soft_flag(cid: str, label: str, value: bool | None, *, missing: str, fix: str) -> Criterion:
    """A condition shown for information ("原则上"): never decides the outcome."""
    if value is None:
        return Criterion(
            id=cid,
            label=label,
            passed=None,
            required=True,
            gap="缺少数据：" + missing,
            note="原则上的条件，不单独作为否决条件",
            soft=True,
        )
    return Criterion(
        id=cid,
        label=label,
        passed=value,
        actual=value,
        required=True,
        gap=None if value else fix,
        note="原则上的条件，不单独作为否决条件",
        soft=True,
    )


def _verdict(
    rules: str, as_of: date, criteria: tuple[Criterion, ...], p: ParameterLookup
) -> Verdict:
    outcome = decide_outcome(criteria)
    return Verdict(rules, as_of, outcome, criteria, parameters=p.used())


def _hnte_tenure(facts: Facts, as_of: date, min_days: int) -> Criterion:
    cid, label = "hnte_tenure", "认定为高新技术企业满一年"
    if facts.holds_valid_hnte is False:
        return Criterion(
            id=cid,
            label=label,
            passed=False,
            actual=False,
            required=True,
            gap="需为有效期内的高新技术企业",
        )
    return age_criterion(
        cid, label, facts.hnte_certified_on, as_of, min_days, missing="高企认定日期"
    )


def _banded_rd(facts: Facts, year: int, p: ParameterLookup) -> tuple[Criterion, Criterion]:
    ratio_id, ratio_label = "rd_expense_ratio", "上年研发费用占销售收入比例"
    amount_id, amount_label = "rd_expense_amount", "上年研发费用"
    sales = figure(facts, year, "sales_revenue")
    if sales.value is None:
        return (
            missing_criterion(ratio_id, ratio_label, sales.missing, years=(year,)),
            missing_criterion(amount_id, amount_label, sales.missing, years=(year,)),
        )
    rate = p.bands("provincial_hnte_center.rd_rate_bands").find(sales.value)
    amount = p.bands("provincial_hnte_center.rd_amount_bands").find(sales.value)
    assert rate.rate is not None  # rate tables always carry rates
    assert amount.amount is not None  # amount tables always carry amounts
    basis = f"按 {year} 年销售收入 {plain(sales.value)} 万元（{rate.describe()}）"
    return (
        share_criterion(
            ratio_id,
            ratio_label,
            facts,
            (year,),
            "rd_expense",
            "sales_revenue",
            rate.rate,
            note=f"{basis}适用 {percent(rate.rate, RATE_DIGITS)}",
        ),
        minimum_criterion(
            amount_id,
            amount_label,
            figure(facts, year, "rd_expense"),
            amount.amount,
            "万元",
            years=(year,),
            note=f"{basis}适用 {plain(amount.amount)} 万元",
        ),
    )


def _facility(
    cid: str, label: str, value: Decimal | None, minimum: Decimal, unit: str
) -> Criterion:
    quantity = Quantity(value, () if value is not None else (label,))
    return minimum_criterion(cid, label, quantity, minimum, unit)
