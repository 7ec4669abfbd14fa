"""浙江省科技型中小企业 (浙科发高〔2016〕88号): rule set ``zj-tech-sme``.

Criteria (ids): registration_age, ip_owned, tech_staff_ratio, innovation_spending, sme_size.

There is no score. Figures are those of the fiscal year before the as-of year. ``ip_owned``
passes on core IP, any valid Ⅰ/Ⅱ类 item or a led standard (the 办法 also counts patent
applications and recognised results, which the facts do not carry). ``innovation_spending``
asks for some R&D expense (> 0; the 办法 sets no ratio). ``sme_size`` applies the industrial
line of the national SME classification (not large: staff or revenue below the line) —
the firm's industry is not in the facts, so that choice is marked unconfirmed.
Registration in Zhejiang is assumed (the tracker holds one county's firms).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cultivation.policy.facts import Facts
from cultivation.policy.parameters import ParameterTable
from cultivation.policy.rules.base import ParameterLookup, Quantity, figure, previous_year
from cultivation.policy.rules.criteria import (
    age_criterion,
    any_of,
    bound_criterion,
    flag_criterion,
    share_criterion,
)
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
        any_of(
            "sme_size",
            "属于中小企业（国家中小企业划型标准）",
            (
                bound_criterion(
                    "employees",
                    "从业人员",
                    figure(facts, year, "employees"),
                    p.number("zj_tech_sme.sme_employees_below"),
                    upper=True,
                    inclusive=False,
                    unit="人",
                    noun="从业人员",
                    years=(year,),
                ),
                bound_criterion(
                    "sales_revenue",
                    "营业收入",
                    figure(facts, year, "sales_revenue"),
                    p.number("zj_tech_sme.sme_revenue_below"),
                    upper=True,
                    inclusive=False,
                    unit="万元",
                    noun="营业收入",
                    years=(year,),
                ),
            ),
        ),
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
