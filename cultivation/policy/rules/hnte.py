"""高新技术企业认定 (国科发火〔2016〕32号 管理办法; 〔2016〕195号 工作指引): rule set ``hnte``.

Criteria (ids): registration_age, core_ip, tech_domain, tech_staff_ratio, rd_expense_ratio,
domestic_rd_share, high_tech_revenue_share, innovation_score, compliance.

"近三个会计年度" are the ``hnte.lookback_years`` fiscal years before the as-of year (as of
2026-06-30: 2023–2025); a younger firm uses only the years from its registration year on.
The R&D ratio sums R&D and sales over those years; the rate required comes from the latest
year's sales. Staff and high-tech revenue shares use the latest year alone. A valid
certificate (``holds_valid_hnte``) does not change the verdict: re-certification is a new
application under the same conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cultivation.policy.facts import Facts
from cultivation.policy.numbers import RATE_DIGITS, percent, plain
from cultivation.policy.parameters import ParameterTable
from cultivation.policy.rules.base import (
    ParameterLookup,
    figure,
    lookback_years,
    previous_year,
)
from cultivation.policy.rules.criteria import (
    age_criterion,
    flag_criterion,
    missing_criterion,
    share_criterion,
)
from cultivation.policy.rules.hnte_score import ScoreRange, innovation_score
from cultivation.policy.verdicts import Criterion, Verdict, decide_outcome

RULES = "hnte"

# 《国家重点支持的高新技术领域》 (附件 of 国科发火〔2016〕32号): a category list, not a threshold.
TECH_DOMAINS = (
    "电子信息",
    "生物与新医药",
    "航空航天",
    "新材料",
    "高技术服务",
    "新能源与节能",
    "资源与环境",
    "先进制造与自动化",
)


def evaluate_hnte(facts: Facts, as_of: date, params: ParameterTable) -> Verdict:
    """Check all eight 高企 conditions as of ``as_of``."""
    p = ParameterLookup(params, as_of)
    years = lookback_years(as_of, facts.registered_on, p.integer("hnte.lookback_years"))
    latest = years[-1] if years else previous_year(as_of)
    score = innovation_score(facts, years, latest, p)
    criteria = (
        age_criterion(
            "registration_age",
            "注册成立满一年",
            facts.registered_on,
            as_of,
            p.integer("hnte.registration_min_days"),
            missing="注册成立日期",
        ),
        flag_criterion(
            "core_ip",
            "拥有核心自主知识产权",
            facts.core_ip_owned,
            expected=True,
            missing="是否拥有核心知识产权",
            fix="需通过自主研发、受让、受赠、并购等方式，获得对主要产品（服务）在技术上发挥"
            "核心支持作用的知识产权",
        ),
        _tech_domain(facts.tech_domain),
        share_criterion(
            "tech_staff_ratio",
            "科技人员占职工总数比例",
            facts,
            (latest,),
            "tech_staff",
            "employees",
            p.number("hnte.tech_staff_ratio_min"),
        ),
        _rd_expense_ratio(facts, years, latest, p),
        share_criterion(
            "domestic_rd_share",
            "境内研发费用占比",
            facts,
            years,
            "rd_expense_domestic",
            "rd_expense",
            p.number("hnte.domestic_rd_share_min"),
        ),
        share_criterion(
            "high_tech_revenue_share",
            "高新技术产品（服务）收入占比",
            facts,
            (latest,),
            "high_tech_revenue",
            "total_revenue",
            p.number("hnte.high_tech_revenue_share_min"),
        ),
        _innovation_score(score, years, _score_threshold(p)),
        flag_criterion(
            "compliance",
            "近一年无重大安全、质量事故或严重环境违法行为",
            facts.major_incident_last_year,
            expected=False,
            missing="近一年是否发生重大安全、质量事故或严重环境违法行为",
            fix="申请前一年内发生重大安全、重大质量事故或严重环境违法行为的，不能申请",
        ),
    )
    return Verdict(
        rules=RULES,
        as_of=as_of,
        outcome=decide_outcome(criteria),
        criteria=criteria,
        score=score.to_json(),
        parameters=p.used(),
    )


def _tech_domain(domain: str | None) -> Criterion:
    cid, label = "tech_domain", "属于国家重点支持的高新技术领域"
    if domain is None:
        return missing_criterion(cid, label, ("高新技术领域",), required=list(TECH_DOMAINS))
    passed = domain.startswith(TECH_DOMAINS)
    return Criterion(
        id=cid,
        label=label,
        passed=passed,
        actual=domain,
        required=list(TECH_DOMAINS),
        gap=None if passed else "核心技术需属于《国家重点支持的高新技术领域》八个领域之一",
    )


def _rd_expense_ratio(
    facts: Facts, years: tuple[int, ...], latest: int, p: ParameterLookup
) -> Criterion:
    cid, label = "rd_expense_ratio", "研发费用占销售收入比例"
    sales = figure(facts, latest, "sales_revenue")
    if sales.value is None or not years:
        return missing_criterion(cid, label, sales.missing or ("会计年度",), years=years)
    band = p.bands("hnte.rd_expense_ratio_bands").find(sales.value)
    assert band.rate is not None  # a rate table always carries rates
    note = (
        f"按 {latest} 年销售收入 {plain(sales.value)} 万元（{band.describe()} 万元）"
        f"适用 {percent(band.rate, RATE_DIGITS)}"
    )
    return share_criterion(
        cid, label, facts, years, "rd_expense", "sales_revenue", band.rate, note=note
    )


@dataclass(frozen=True)
class _ScoreThreshold:
    """The pass mark: ``score ≥ value`` (to 2024) or ``score > value`` (2025 on, "> 70")."""

    value: int
    strict: bool

    def met(self, points: int) -> bool:
        return points > self.value if self.strict else points >= self.value

    def points_short(self, points: int) -> int:
        """Whole points to add to ``points`` to pass (scores are whole points)."""
        return self.value - points + (1 if self.strict else 0)


def _score_threshold(p: ParameterLookup) -> _ScoreThreshold:
    # The version in force decides: "> 70" (hnte.innovation_score_above) from 2025-01-01,
    # the earlier "≥ 71" reading before (see params/hnte.yaml).
    if p.in_force("hnte.innovation_score_above"):
        return _ScoreThreshold(p.integer("hnte.innovation_score_above"), strict=True)
    return _ScoreThreshold(p.integer("hnte.innovation_score_min"), strict=False)


def _innovation_score(
    score: ScoreRange, years: tuple[int, ...], threshold: _ScoreThreshold
) -> Criterion:
    cid = "innovation_score"
    label = (
        f"创新能力评价得分（> {threshold.value} 分）" if threshold.strict else "创新能力评价得分"
    )
    mark = f"{threshold.value} 分以上（不含 {threshold.value} 分）" if threshold.strict else None
    low, high = score.low, score.high
    notes = list(score.notes)
    if threshold.met(low):
        passed: bool | None = True
        gap, gap_value = None, None
    elif not threshold.met(high):
        passed, gap_value = False, threshold.points_short(high)
        gap = f"创新能力评价最高估计 {high} 分，还差 {gap_value} 分"
    else:
        passed, gap_value = None, threshold.points_short(low)
        gap = f"最低估计 {low} 分，还差 {gap_value} 分；最高估计 {high} 分"
        if score.missing:
            notes.insert(0, "缺少数据：" + "、".join(score.missing))
        else:
            notes.insert(0, f"评分区间跨越 {threshold.value} 分，取决于专家打分")
    if mark is not None:
        notes.append(f"须 {mark}")
    return Criterion(
        id=cid,
        label=label,
        passed=passed,
        actual=[low, high],
        required=f"> {threshold.value}" if threshold.strict else threshold.value,
        gap=gap,
        gap_value=None if gap_value is None else float(gap_value),
        unit="分",
        years=years,
        note="；".join(notes) or None,
        borderline=passed is None and not score.missing,
    )
