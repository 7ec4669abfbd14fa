"""The leader's part of the dashboard (工作台): headline cards, the funnel and the trend.

Each function is a few set-based queries whatever the number of firms; ``leader_context``
gathers them for ``dashboard/_leader.html``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, distinct, exists, func, select
from sqlalchemy.orm import aliased

from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.qualifications.tiers import TIER_LABELS, TIERS
from cultivation.reports.coverage import (
    KINDS,
    PopulationCoverage,
    coverage_rules,
    coverage_totals,
)
from cultivation.reports.indicators import INDICATORS, as_of_label
from cultivation.reports.models import Target
from cultivation.reports.tiersql import tier_counts_on
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.queries import RULES_LABELS, is_candidate
from cultivation.screening.runs import in_run
from cultivation.targets.indicators import indicator_values
from cultivation.targets.progress import current_plan

HEADLINE_INDICATORS = ("hnte_count", "zj_tech_sme_count")
TREND_YEARS = 5


@dataclass(frozen=True)
class HeadlineTarget:
    """A count today against the plan's target for this year (or its final year)."""

    code: str
    label: str
    unit: str
    actual: float
    target: float | None
    target_year: int | None
    plan_name: str | None
    as_of: date | None = None  # the date the actual is counted on

    @property
    def as_of_label(self) -> str:
        return as_of_label(self.as_of)

    @property
    def completion(self) -> float | None:
        return self.actual / self.target if self.target else None


@dataclass(frozen=True)
class NewCandidates:
    """Firms eligible or borderline in the latest screening run that were not a month before."""

    count: int | None
    latest_on: date | None
    baseline_on: date | None
    by_rules: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CoverageCard:
    kind: str
    label: str
    population: int
    covered: int
    rate: float | None


def month_before(day: date) -> date:
    """The same day one calendar month earlier (clamped to the month's end)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def headline_values(session: DbSession, today: date) -> dict[str, float]:
    """高企 and 省科小 counts today (``indicator_values``, the one definition; one query)."""
    wanted = [INDICATORS[c] for c in HEADLINE_INDICATORS]
    actuals = indicator_values(session, today, indicators=wanted)
    out = {}
    for ind in wanted:
        actual = actuals.get((ind.code, ""))
        out[ind.code] = actual.value if actual else 0.0
    return out


def headline_targets(session: DbSession, today: date,
                     values: dict[str, float] | None = None) -> list[HeadlineTarget]:
    """高企 and 省科小 counts today (``headline_values``, or the cached ``values``) against the
    current plan (two queries more)."""
    plan = current_plan(session, today)
    wanted = [INDICATORS[c] for c in HEADLINE_INDICATORS]
    actuals = values if values is not None else headline_values(session, today)
    targets: dict[str, dict[int, float | None]] = {}
    if plan is not None:
        for t in session.scalars(select(Target).where(
                Target.plan_id == plan.id, Target.indicator.in_(HEADLINE_INDICATORS),
                Target.scope_kind == "county", Target.year > plan.baseline_year)):
            targets.setdefault(t.indicator, {})[t.year] = t.value
    cards = []
    for ind in wanted:
        by_year = targets.get(ind.code, {})
        year = today.year if today.year in by_year else (max(by_year) if by_year else None)
        cards.append(HeadlineTarget(
            ind.code, ind.label, ind.unit, actuals.get(ind.code, 0.0),
            by_year.get(year) if year is not None else None, year,
            plan.name if plan is not None else None, today))
    return cards


def _run_on_or_before(session: DbSession, day: date) -> ScreeningRun | None:
    return session.scalar(select(ScreeningRun).where(ScreeningRun.as_of <= day)
                          .order_by(ScreeningRun.as_of.desc(), ScreeningRun.id.desc()).limit(1))


def new_candidates(session: DbSession, today: date) -> NewCandidates:
    """Latest run vs the latest run at least a month older (per rule set; four queries)."""
    latest = _run_on_or_before(session, today)
    if latest is None:
        return NewCandidates(None, None, None)
    baseline = _run_on_or_before(session, month_before(latest.as_of))
    if baseline is None:
        return NewCandidates(None, latest.as_of, None)
    before = aliased(Evaluation)
    was_candidate = exists().where(
        in_run(before, baseline), before.enterprise_id == Evaluation.enterprise_id,
        before.rules == Evaluation.rules, is_candidate(before))
    base = (
        select(Evaluation.rules, Evaluation.enterprise_id)
        .join(Enterprise, and_(Enterprise.id == Evaluation.enterprise_id,
                               Enterprise.deleted_at.is_(None)))
        .where(in_run(Evaluation, latest), is_candidate(Evaluation),
               ~was_candidate)
        .subquery("new_candidates")
    )
    total = session.scalar(select(func.count(distinct(base.c.enterprise_id)))) or 0
    by_rules: dict[Any, Any] = dict(session.execute(
        select(base.c.rules, func.count()).group_by(base.c.rules)).all())
    return NewCandidates(int(total), latest.as_of, baseline.as_of,
                         {RULES_LABELS.get(str(k), str(k)): int(v) for k, v in by_rules.items()})


def coverage_cards(session: DbSession, today: date,
                   counts: dict[str, tuple[int, int]] | None = None) -> list[CoverageCard]:
    """The three 三覆盖 rates today (one query; none with the cached ``counts``: kind →
    (population, covered))."""
    if counts is None:
        totals = coverage_totals(session, today)
        counts = {k: (totals[k].population, totals[k].covered) for k in KINDS}
    rules = coverage_rules()
    return [CoverageCard(k, rules[k].label, counts[k][0], counts[k][1],
                         PopulationCoverage(k, counts[k][0], counts[k][1]).rate) for k in KINDS]


def funnel_and_trend(session: DbSession, today: date) -> dict[str, Any]:
    """Tier counts today and at the end of each of the previous years (one query)."""
    years = list(range(today.year - TREND_YEARS + 1, today.year))
    days = [date(y, 12, 31) for y in years] + [today]
    counts = tier_counts_on(session, days)
    return {
        "as_of": today.isoformat(),
        "tiers": [{"tier": t, "label": TIER_LABELS[t], "count": counts[today][t]} for t in TIERS],
        "trend": {
            "labels": [f"{y}年末" for y in years] + [as_of_label(today)],
            "series": [{"tier": t, "label": TIER_LABELS[t], "data": [counts[d][t] for d in days]}
                       for t in TIERS if t != "none"],
        },
    }


def leader_context(session: DbSession, today: date, *,
                   values: dict[str, float] | None = None,
                   coverage: dict[str, tuple[int, int]] | None = None,
                   charts: dict[str, Any] | None = None) -> dict[str, Any]:
    """Template context for ``dashboard/_leader.html``; ``values``, ``coverage`` and ``charts``
    are the cached figures of today when current (``dashboard.figures``)."""
    return {"leader_panel": {
        "today": today,
        "targets": headline_targets(session, today, values),
        "candidates": new_candidates(session, today),
        "coverage": coverage_cards(session, today, coverage),
        "charts": charts if charts is not None else funnel_and_trend(session, today),
    }}
