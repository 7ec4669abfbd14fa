"""Plan targets against actuals: computed from the registry where it holds them (set-based,
a few grouped queries per page), hand-entered otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.reports.indicators import COMPUTED, INDICATORS, Indicator, as_of_label
from cultivation.reports.models import ManualActual, PlanPeriod, Target
from cultivation.targets.closing import closed_parameters, summed_targets
from cultivation.targets.indicators import (
    Actual,
    Key,
    computed_actuals,
    count_day,
    series_and_current,
)


def manual_actuals(session: DbSession, years: list[int]) -> dict[Key, Actual]:
    """Hand-entered county actuals with who entered them (one query)."""
    stmt = (
        select(ManualActual, User.display_name)
        .outerjoin(User, User.id == ManualActual.entered_by_id)
        .where(ManualActual.year.in_(years))
    )
    return {
        (m.indicator, "", m.year): Actual(m.value, "manual", entered_by=name,
                                          entered_at=m.entered_at, note=m.note)
        for m, name in session.execute(stmt)
    }


@dataclass
class IndicatorProgress:
    """One indicator of a plan: baseline, yearly targets, yearly actuals and completion."""

    indicator: Indicator
    baseline: float | None
    target: float | None  # end-year county target
    target_note: str | None
    targets: dict[int, float | None] = field(default_factory=dict)
    actuals: dict[int, Actual] = field(default_factory=dict)
    closed_note: str | None = None  # the programme no longer recognises new ones (today)
    current: Actual | None = None  # computed indicators: ``indicator_values`` as of today

    @property
    def latest_label(self) -> str:
        """The date of the latest actual in words ("2025年末", "截至 2026年6月30日", "2024年")."""
        latest = self.latest
        if latest is None:
            return ""
        return as_of_label(latest[1].as_of) if latest[1].as_of else f"{latest[0]}年"

    @property
    def latest(self) -> tuple[int, Actual] | None:
        """The most recent year with an actual."""
        if not self.actuals:
            return None
        year = max(self.actuals)
        return year, self.actuals[year]

    @property
    def completion(self) -> float | None:
        """Latest actual ÷ end-year target."""
        latest = self.latest
        if latest is None or not self.target:
            return None
        return latest[1].value / self.target

    @property
    def progress(self) -> float | None:
        """Share of the way from the baseline to the target (0–1, may exceed)."""
        latest = self.latest
        if latest is None or self.target is None or self.baseline is None:
            return None
        span = self.target - self.baseline
        return (latest[1].value - self.baseline) / span if span else None


@dataclass(frozen=True)
class ScopedTarget:
    """A target for a town, industry or advisor, with the actual for the same scope and year."""

    target: Target
    indicator: Indicator
    actual: Actual | None

    @property
    def completion(self) -> float | None:
        if self.actual is None or not self.target.value:
            return None
        return self.actual.value / self.target.value


def plan_years(plan: PlanPeriod) -> list[int]:
    return list(range(plan.baseline_year, plan.end_year + 1))


def plan_targets(session: DbSession, plan: PlanPeriod) -> list[Target]:
    """All targets of a plan, ordered (one query)."""
    return list(session.scalars(
        select(Target).where(Target.plan_id == plan.id)
        .order_by(Target.indicator, Target.scope_kind, Target.scope_value, Target.year)))


def plan_progress(session: DbSession, plan: PlanPeriod, today: date,
                  targets: list[Target] | None = None) -> list[IndicatorProgress]:
    """The plan's county indicators in catalogue order: baseline, targets, actuals by year."""
    targets = plan_targets(session, plan) if targets is None else targets
    years = plan_years(plan)
    shown = [y for y in years if y > plan.baseline_year]  # the baseline is the targets' own
    county = [t for t in targets if t.scope_kind == "county"]
    codes = {t.indicator for t in county}
    closed = closed_parameters(session, today)
    wanted_now = [i for c, i in INDICATORS.items()
                  if i.computed and (c in codes or (i.combines and set(i.combines) <= codes))]
    # the year ends and today in one pass (``indicator_values`` reads all when none is wanted)
    series, current = series_and_current(session, shown, today,
                                         current=wanted_now or COMPUTED)
    actuals = {**series, **manual_actuals(session, shown)}
    rows = []
    for code, ind in INDICATORS.items():
        end_note: str | None
        if ind.combines and set(ind.combines) <= codes:
            targets_by_year = summed_targets(county, ind.combines)
            end_value = targets_by_year.get(plan.end_year)
            end_note = "、".join(INDICATORS[c].label for c in ind.combines) + " 目标之和"
        elif code in codes:
            by_year = {t.year: t for t in county if t.indicator == code}
            targets_by_year = {y: t.value for y, t in sorted(by_year.items())}
            end = by_year.get(plan.end_year) or (by_year[max(by_year)] if by_year else None)
            end_value, end_note = (end.value, end.note) if end else (None, None)
        else:
            continue
        rows.append(IndicatorProgress(
            indicator=ind,
            baseline=targets_by_year.get(plan.baseline_year),
            target=end_value,
            target_note=end_note,
            targets=targets_by_year,
            actuals={y: actuals[(code, "", y)] for y in shown if (code, "", y) in actuals},
            closed_note=ind.closed_note if ind.closed_by in closed else None,
            current=current.get((code, "")),
        ))
    return rows


def scoped_targets(session: DbSession, plan: PlanPeriod, today: date,
                   targets: list[Target] | None = None) -> list[ScopedTarget]:
    """Targets decomposed by town, industry or advisor, each with its actual."""
    targets = plan_targets(session, plan) if targets is None else targets
    scoped = [t for t in targets if t.scope_kind != "county"]
    out = []
    for scope_kind in sorted({t.scope_kind for t in scoped}):
        group = [t for t in scoped if t.scope_kind == scope_kind]
        inds = [INDICATORS[c] for c in sorted({t.indicator for t in group}) if c in INDICATORS]
        actuals = computed_actuals(session, sorted({t.year for t in group}), today, scope_kind,
                                   inds)
        for t in group:
            actual = actuals.get((t.indicator, t.scope_value, t.year))
            ind = INDICATORS.get(t.indicator)
            if ind is None:
                continue
            if actual is None and ind.computed in ("qualification", "institution") \
                    and t.year <= today.year:
                actual = Actual(0.0, "computed", as_of=count_day(t.year, today))
            out.append(ScopedTarget(t, ind, actual))
    return out


def current_plan(session: DbSession, today: date) -> PlanPeriod | None:
    """The plan running this year, else the most recent one that has started."""
    return session.scalar(
        select(PlanPeriod).where(PlanPeriod.start_year <= today.year)
        .order_by(PlanPeriod.end_year.desc()).limit(1)
    ) or session.scalar(select(PlanPeriod).order_by(PlanPeriod.start_year).limit(1))


def all_plans(session: DbSession) -> list[PlanPeriod]:
    """Every plan period, oldest first."""
    return list(session.scalars(select(PlanPeriod).order_by(PlanPeriod.start_year)))
