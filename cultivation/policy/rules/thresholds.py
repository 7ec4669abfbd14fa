"""Threshold checks for R&D institutions and 领军 (docs/domain.md §4; every value UNCONFIRMED).

Rule sets and criterion ids:

- ``provincial-hnte-center`` 省级高新技术企业研究开发中心: hnte_tenure, municipal_center,
  rd_expense_ratio, rd_expense_amount (both banded by last year's sales), rd_staff (30 for a
  software enterprise), rd_staff_ratio, site_area, equipment_value, ip_items (Ⅰ类 or Ⅱ类
  held at last year end), conversions (summed over the lookback years).
- ``provincial-institute`` 省级企业研究院: sales_revenue, rd_expense (ratio or amount),
  rd_staff, site_area, equipment_value, existing_institution.
- ``leading`` 浙江省创新型领军企业: hnte_valid, rd_expense_ratio (summed over the lookback
  years), rd_staff, core_product_share, sales_revenue.

"Last year" is the fiscal year before the as-of year; R&D staff means full-time R&D staff.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cultivation.policy.facts import Facts
from cultivation.policy.numbers import percent, plain
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
    return _verdict("provincial-hnte-center", as_of, criteria, p)


def evaluate_provincial_institute(facts: Facts, as_of: date, params: ParameterTable) -> Verdict:
    """Check the 省级企业研究院 thresholds as of ``as_of``."""
    p = ParameterLookup(params, as_of)
    year = previous_year(as_of)

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
            note=f"{basis}适用 {percent(rate.rate)}",
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
