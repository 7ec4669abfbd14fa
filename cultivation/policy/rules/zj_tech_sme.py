"""浙江省科技型中小企业 (浙科发高〔2016〕88号): rule set ``zj-tech-sme``.

Criteria (ids): registration_age, ip_owned, tech_staff_ratio, innovation_spending, sme_size.

There is no score. Figures are those of the fiscal year before the as-of year. ``ip_owned``
passes on core IP, any valid Ⅰ/Ⅱ类 item or a led standard (the 办法 also counts patent
applications and recognised results, which the facts do not carry). ``innovation_spending``
asks for some R&D expense (> 0; the 办法 sets no ratio). ``sme_size`` applies the national SME
classification (工信部联企业〔2011〕300号): not large = any measure below its line. To 2024 the
tracker applied the industrial line (staff 1,000 / revenue 40,000 万) to every firm (the keys
``zj_tech_sme.sme_*_below``); from 2025 it uses the line of the firm's ``sector``
(``zj_tech_sme.sme.<sector>.<measure>_below``: staff, revenue or total assets), and a firm
without a sector gets ``null`` ("缺少数据：行业门类"), not the industrial line.
Registration in Zhejiang is assumed (the tracker holds one county's firms).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cultivation.policy.facts import Facts
from cultivation.policy.parameters import ParameterError, ParameterTable
from cultivation.policy.rules.base import ParameterLookup, Quantity, figure, previous_year
from cultivation.policy.rules.criteria import (
    age_criterion,
    any_of,
    bound_criterion,
    flag_criterion,
    missing_criterion,
    share_criterion,
)
from cultivation.policy.sectors import SECTORS, SME_LINES, SME_MEASURES, sector_label
from cultivation.policy.verdicts import Criterion, Verdict, decide_outcome

RULES = "zj-tech-sme"


def evaluate_zj_tech_sme(facts: Facts, as_of: date, params: ParameterTable) -> Verdict:
    """Check the 浙江省科技型中小企业 conditions as of ``as_of``."""
    p = ParameterLookup(params, as_of)
    year = previous_year(as_of)
    criteria = (
        age_criterion(
            "registration_age",
            "注册成立满一年",
            facts.registered_on,
            as_of,
            p.integer("zj_tech_sme.registration_min_days"),
            missing="注册成立日期",
        ),
        _ip_owned(facts, year),
        share_criterion(
            "tech_staff_ratio",
            "科技人员占职工总数比例",
            facts,
            (year,),
            "tech_staff",
            "employees",
            p.number("zj_tech_sme.tech_staff_ratio_min"),
        ),
        bound_criterion(
            "innovation_spending",
            "有研发（创新）投入",
            figure(facts, year, "rd_expense"),
            Decimal(0),
            upper=False,
            inclusive=False,
            unit="万元",
            noun="研发费用",
            years=(year,),
        ),
        _sme_size(facts, year, p),
    )
    return Verdict(
        rules=RULES,
        as_of=as_of,
        outcome=decide_outcome(criteria),
        criteria=criteria,
        parameters=p.used(),
    )


def _ip_owned(facts: Facts, year: int) -> Criterion:
    class_i, class_ii = figure(facts, year, "ip_class_i"), figure(facts, year, "ip_class_ii")
    items = Quantity(None, class_i.missing + class_ii.missing)
    if class_i.value is not None and class_ii.value is not None:
        items = Quantity(class_i.value + class_ii.value)
    return any_of(
        "ip_owned",
        "拥有知识产权、标准或科技成果",
        (
            flag_criterion(
                "core_ip",
                "拥有核心知识产权",
                facts.core_ip_owned,
                expected=True,
                missing="是否拥有核心知识产权",
                fix="需拥有自主知识产权",
            ),
            bound_criterion(
                "ip_items",
                "有效知识产权项数",
                items,
                Decimal(1),
                upper=False,
                unit="项",
                noun="知识产权",
                years=(year,),
            ),
            flag_criterion(
                "led_standard",
                "主导制定标准",
                facts.led_standard,
                expected=True,
                missing="是否主导制定标准",
                fix="或主导制定标准",
            ),
        ),
    )


SME_LABEL = "属于中小企业（国家中小企业划型标准）"
_MEASURE_FIGURES = {"employees": "employees", "revenue": "sales_revenue", "assets": "total_assets"}
_MEASURE_UNITS = {"employees": "人", "revenue": "万元", "assets": "万元"}
_INDUSTRY_WIDE = ("zj_tech_sme.sme_employees_below", "zj_tech_sme.sme_revenue_below")
# The per-sector table is in force when its catch-all line (其他未列明行业) is.
_PER_SECTOR = "zj_tech_sme.sme.other.employees_below"


def _sme_size(facts: Facts, year: int, p: ParameterLookup) -> Criterion:
    """Not large: any measure of the firm's sector below its line (300号 第四条)."""
    if not p.in_force(_PER_SECTOR):  # to 2024: the industrial line for every firm
        lines = {
            "employees": p.number(_INDUSTRY_WIDE[0]),
            "revenue": p.number(_INDUSTRY_WIDE[1]),
        }
        return _any_measure_below(facts, year, lines, SME_LABEL)
    if facts.sector is None or facts.sector not in SECTORS:
        return missing_criterion("sme_size", SME_LABEL, ("行业门类",), years=(year,))
    lines = {
        measure: p.number(key)
        for measure in SME_LINES[facts.sector]
        if p.in_force(key := f"zj_tech_sme.sme.{facts.sector}.{measure}_below")
    }
    label = f"属于中小企业（{sector_label(facts.sector)}划型标准）"
    if not lines:
        raise ParameterError(
            f"行业门类 {sector_label(facts.sector)} 在 {p.as_of} 没有有效的中小企业划型参数"
        )
    return _any_measure_below(facts, year, lines, label)


def _any_measure_below(facts: Facts, year: int, lines: dict[str, Decimal], label: str) -> Criterion:
    alternatives = tuple(
        bound_criterion(
            _MEASURE_FIGURES[measure],
            SME_MEASURES[measure],
            figure(facts, year, _MEASURE_FIGURES[measure]),
            line,
            upper=True,
            inclusive=False,
            unit=_MEASURE_UNITS[measure],
            noun=SME_MEASURES[measure],
            years=(year,),
        )
        for measure, line in lines.items()
    )
    return any_of("sme_size", label, alternatives)
