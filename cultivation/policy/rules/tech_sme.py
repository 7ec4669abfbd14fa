"""科技型中小企业评价 (国科发政〔2017〕115号; 国科火字〔2022〕67号 指引): rule set ``tech-sme``.

Criteria (ids): employees_limit, revenue_limit, assets_limit, compliance, tech_staff_score,
score_total. Figures are those of the fiscal year before the as-of year (the 上一会计年度
the evaluation asks for); a missing year leaves its criteria ``null``. Size limits are
inclusive. Score parts: 科技人员 (20), 研发投入 (50, the better of R&D / sales and R&D /
total cost), 科技成果 (30, the better of the Ⅰ类 and Ⅱ类 counts). A direct-pass condition
(valid 高企 certificate, national award, 省部级 R&D institution, led a standard) replaces the
score conditions — both tech_staff_score and score_total — but not size or compliance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from cultivation.policy.bands import BandTable
from cultivation.policy.facts import Facts
from cultivation.policy.numbers import (
    RATE_DIGITS,
    JSONValue,
    ceil_int,
    percent,
    ratio,
    share_floor,
)
from cultivation.policy.parameters import ParameterTable
from cultivation.policy.rules.base import ParameterLookup, Quantity, figure, previous_year
from cultivation.policy.rules.criteria import (
    bound_criterion,
    flag_criterion,
    missing_criterion,
)
from cultivation.policy.verdicts import Criterion, Verdict, decide_outcome

RULES = "tech-sme"

DIRECT_PASS = (
    ("holds_valid_hnte", "持有有效期内的高新技术企业资格证书"),
    ("national_award_5y", "近五年内获得国家级科技奖励且在获奖单位中排名前三"),
    ("provincial_rd_institution", "拥有经认定的省部级以上研发机构"),
    ("led_standard", "近五年内主导制定过国际标准、国家标准或行业标准"),
)

Points = tuple[int, int]


@dataclass(frozen=True)
class ScorePart:
    """A score part: decided points, or the range still possible and what is missing."""

    low: int
    high: int
    missing: tuple[str, ...] = ()

    @property
    def points(self) -> int | None:
        """The points when decided."""
        return self.low if self.low == self.high else None


def evaluate_tech_sme(facts: Facts, as_of: date, params: ParameterTable) -> Verdict:
    """Check the 科技型中小企业 conditions and score as of ``as_of``."""
    p = ParameterLookup(params, as_of)
    year = previous_year(as_of)
    direct = next((code for code, _ in DIRECT_PASS if getattr(facts, code) is True), None)
    staff_bands = p.bands("tech_sme.score.tech_staff_bands")
    parts = {
        "tech_staff": _best_of([(_share(facts, year, "tech_staff", "employees"), staff_bands)]),
        "rd_investment": _best_of(
            [
                (
                    _share(facts, year, "rd_expense", "sales_revenue"),
                    p.bands("tech_sme.score.rd_sales_bands"),
                ),
                (
                    _share(facts, year, "rd_expense", "total_cost"),
                    p.bands("tech_sme.score.rd_cost_bands"),
                ),
            ]
        ),
        "achievements": _best_of(
            [
                (
                    figure(facts, year, "ip_class_i"),
                    p.bands("tech_sme.score.achievement_class_i_bands"),
                ),
                (
                    figure(facts, year, "ip_class_ii"),
                    p.bands("tech_sme.score.achievement_class_ii_bands"),
                ),
            ]
        ),
    }
    criteria = (
        bound_criterion(
            "employees_limit",
            "职工总数不超过上限",
            figure(facts, year, "employees"),
            p.number("tech_sme.employees_max"),
            upper=True,
            unit="人",
            noun="职工总数",
            years=(year,),
        ),
        bound_criterion(
            "revenue_limit",
            "年销售收入不超过上限",
            figure(facts, year, "sales_revenue"),
            p.number("tech_sme.sales_revenue_max"),
            upper=True,
            unit="万元",
            noun="年销售收入",
            years=(year,),
        ),
        bound_criterion(
            "assets_limit",
            "资产总额不超过上限",
            figure(facts, year, "total_assets"),
            p.number("tech_sme.total_assets_max"),
            upper=True,
            unit="万元",
            noun="资产总额",
            years=(year,),
        ),
        flag_criterion(
            "compliance",
            "上一年及当年无重大安全、质量事故和严重环境违法行为",
            facts.major_incident_last_year,
            expected=False,
            missing="是否发生重大安全、质量事故或严重环境违法行为",
            fix="上一年及当年内发生重大安全、重大质量事故或严重环境违法、科研严重失信行为的不能入库",
        ),
        _tech_staff_score(facts, year, parts["tech_staff"], staff_bands, direct),
        _score_total(parts, p.integer("tech_sme.score_min"), year, direct),
    )
    score: dict[str, JSONValue] = {"total": _total(parts)}
    score.update({name: part.points for name, part in parts.items()})
    return Verdict(
        rules=RULES,
        as_of=as_of,
        outcome=decide_outcome(criteria),
        criteria=criteria,
        score=score,
        parameters=p.used(),
        direct_pass=direct,
        offers_direct_pass=True,
    )


def _share(facts: Facts, year: int, part: str, whole: str) -> Quantity:
    numerator, denominator = figure(facts, year, part), figure(facts, year, whole)
    if numerator.value is None or denominator.value is None:
        return Quantity(None, numerator.missing + denominator.missing)
    return Quantity(ratio(numerator.value, denominator.value) or Decimal(0))


def _best_of(measures: Sequence[tuple[Quantity, BandTable]]) -> ScorePart:
    """The better of several measures; an unknown measure could still give its table's best."""
    low = high = 0
    missing: list[str] = []
    for quantity, bands in measures:
        if quantity.value is None:
            missing.extend(quantity.missing)
            high = max(high, bands.points_range()[1])
            continue
        points = bands.find(quantity.value).points
        assert points is not None  # score tables always carry points
        low, high = max(low, points[0]), max(high, points[1])
    return ScorePart(low, high, tuple(missing) if low != high else ())


def _total(parts: dict[str, ScorePart]) -> int | None:
    points = [part.points for part in parts.values()]
    return None if None in points else sum(p for p in points if p is not None)


def _tech_staff_score(
    facts: Facts, year: int, part: ScorePart, bands: BandTable, direct: str | None
) -> Criterion:
    cid, label = "tech_staff_score", "科技人员指标得分不为 0"
    if direct is not None:
        return Criterion(
            id=cid,
            label=label,
            passed=True,
            actual=part.points,
            required=1,
            unit="分",
            years=(year,),
            note="满足直通条件，不要求评分",
        )
    if part.points is None:
        return missing_criterion(cid, label, part.missing, required=1, years=(year,))
    passed = part.points > 0
    gap, gap_value, unit = None, None, "分"
    target = bands.first_scoring_band()
    year_figures = facts.year(year)
    if not passed and target is not None and target.lower is not None and year_figures:
        employees = year_figures.employees or Decimal(0)
        people = max(ceil_int(target.lower * employees - (year_figures.tech_staff or 0)), 1)
        gap = f"科技人员还差 {people} 人（占比需达到 {percent(target.lower, RATE_DIGITS)}）"
        gap_value, unit = float(people), "人"
    return Criterion(
        id=cid,
        label=label,
        passed=passed,
        actual=part.points,
        required=1,
        gap=gap,
        gap_value=gap_value,
        unit=unit,
        years=(year,),
        note=_staff_note(facts, year),
    )


def _staff_note(facts: Facts, year: int) -> str | None:
    share = _share(facts, year, "tech_staff", "employees").value
    return None if share is None else f"科技人员占比 {share_floor(share)}"


def _score_total(
    parts: dict[str, ScorePart], threshold: int, year: int, direct: str | None
) -> Criterion:
    cid, label = "score_total", "综合评价得分"
    low = sum(p.low for p in parts.values())
    high = sum(p.high for p in parts.values())
    actual = _total(parts)
    if direct is not None:
        reason = dict(DIRECT_PASS)[direct]
        return Criterion(
            id=cid,
            label=label,
            passed=True,
            actual=actual,
            required=threshold,
            unit="分",
            years=(year,),
            note=f"直通：{reason}，不需评分",
        )
    if low >= threshold:
        return Criterion(
            id=cid,
            label=label,
            passed=True,
            actual=actual,
            required=threshold,
            unit="分",
            years=(year,),
        )
    if high < threshold:
        gap_value = threshold - high
        return Criterion(
            id=cid,
            label=label,
            passed=False,
            actual=actual if actual is not None else [low, high],
            required=threshold,
            gap=f"评价得分还差 {gap_value} 分",
            gap_value=float(gap_value),
            unit="分",
            years=(year,),
        )
    missing = tuple(m for part in parts.values() for m in part.missing)
    criterion = missing_criterion(cid, label, missing, required=threshold, years=(year,))
    return replace(criterion, actual=[low, high], unit="分")
