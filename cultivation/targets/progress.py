"""Plan targets against actuals: computed from the registry where it holds them (set-based,
a few grouped queries per page), hand-entered otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, distinct, func, literal, select

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.queries import in_force_on
from cultivation.reports.dates import date_series
from cultivation.reports.indicators import COMPUTED, INDICATORS, Indicator
from cultivation.reports.models import ManualActual, PlanPeriod, Target
from cultivation.reports.tiersql import (
    active_position_join,
    firm_exists_on,
    institution_in_force,
)
from cultivation.targets.closing import closed_parameters, summed_targets

Key = tuple[str, str, int]  # (indicator, scope value — "" for the county, year)


@dataclass(frozen=True)
class Actual:
    """An indicator's value for a year, where it came from and who entered it."""

    value: float
    source: str  # "computed" | "manual"
    as_of: date | None = None  # the count date of a stock indicator
    entered_by: str | None = None
    entered_at: datetime | None = None
    note: str | None = None


def count_day(year: int, today: date) -> date:
    """The date a year's stock is counted on: 31 December, or today for the running year."""
    return min(date(year, 12, 31), today)


def _scope_column(scope_kind: str) -> tuple[Any, bool]:
    """The grouping column for a scope and whether the portfolio join is needed."""
    if scope_kind == "town":
        return Enterprise.town, False
    if scope_kind == "industry":
        return Enterprise.industry, False
    if scope_kind == "advisor":
        return User.username, True
    return literal(""), False


def _stock_counts(session: DbSession, source: str, indicators: list[Indicator], years: list[int],
                  today: date, scope_kind: str) -> dict[Key, Actual]:
    """Firms holding a qualification / institution of each indicator's kinds on each count day
    — one statement for all the indicators of a source."""
    days = {count_day(y, today): y for y in years}
    series = date_series(list(days))
    model: Any = Qualification if source == "qualification" else RDInstitution
    in_force = (in_force_on(series.c.day) if source == "qualification"
                else institution_in_force(series.c.day))
    scope_col, needs_portfolio = _scope_column(scope_kind)
    cols = [func.count(distinct(case((model.kind.in_(ind.kinds), model.enterprise_id))))
            .label(ind.code) for ind in indicators]
    stmt = (
        select(series.c.day, scope_col.label("scope"), *cols)
        .select_from(series)
        .join(model, in_force)
        .join(Enterprise, Enterprise.id == model.enterprise_id)
        .where(firm_exists_on(series.c.day),
               model.kind.in_(sorted({k for ind in indicators for k in ind.kinds})))
    )
    if needs_portfolio:
        stmt = (stmt.join(PortfolioAssignment, active_position_join(series.c.day))
                .join(User, User.id == PortfolioAssignment.advisor_id))
    stmt = stmt.group_by(series.c.day, scope_col)
    out: dict[Key, Actual] = {}
    for row in session.execute(stmt):
        day = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0]))
        for ind in indicators:
            out[(ind.code, str(row.scope or ""), days[day])] = Actual(
                float(row._mapping[ind.code]), "computed", as_of=day)
    return out


def _figure_sums(session: DbSession, indicators: list[Indicator], years: list[int],
                 today: date, scope_kind: str) -> dict[Key, Actual]:
    """Fiscal-year indicators: above-scale R&D / sales (%) and Ⅰ类 IP totals, by year."""
    scope_col, needs_portfolio = _scope_column(scope_kind)
    both = (FiscalYearFigures.rd_expense.is_not(None)
            & FiscalYearFigures.sales_revenue.is_not(None) & Enterprise.above_scale.is_(True))
    stmt = (
        select(
            FiscalYearFigures.year, scope_col.label("scope"),
            func.sum(case((both, FiscalYearFigures.rd_expense))).label("rd"),
            func.sum(case((both, FiscalYearFigures.sales_revenue))).label("sales"),
            func.sum(FiscalYearFigures.ip_class_i).label("ip"),
        )
        .join(Enterprise, Enterprise.id == FiscalYearFigures.enterprise_id)
        .where(Enterprise.deleted_at.is_(None), FiscalYearFigures.year.in_(years))
    )
    if needs_portfolio:
        day = literal(today)
        stmt = (stmt.join(PortfolioAssignment, active_position_join(day))
                .join(User, User.id == PortfolioAssignment.advisor_id))
    stmt = stmt.group_by(FiscalYearFigures.year, scope_col)
    out: dict[Key, Actual] = {}
    for row in session.execute(stmt):
        scope = str(row.scope or "")
        for ind in indicators:
            if ind.computed == "rd_ratio" and row.sales:
                out[(ind.code, scope, row.year)] = Actual(
                    float(row.rd or 0) / float(row.sales) * 100, "computed")
            elif ind.computed == "ip_class_i" and row.ip is not None:
                out[(ind.code, scope, row.year)] = Actual(float(row.ip), "computed")
    return out


def computed_actuals(session: DbSession, years: list[int], today: date,
                     scope_kind: str = "county",
                     indicators: list[Indicator] | None = None) -> dict[Key, Actual]:
    """Every computed indicator for ``years`` (up to this year), at most three statements.

    Stock indicators with no holder that year are 0; fiscal-year indicators without data are
    absent."""
    years = sorted({y for y in years if y <= today.year})
    wanted = [i for i in (indicators or COMPUTED) if i.computed]
    if not years or not wanted:
        return {}
    out: dict[Key, Actual] = {}
    for source in ("qualification", "institution"):
        group = [i for i in wanted if i.computed == source]
        if group:
            out.update(_stock_counts(session, source, group, years, today, scope_kind))
            if scope_kind == "county":
                for ind in group:
                    for y in years:
                        out.setdefault((ind.code, "", y),
                                       Actual(0.0, "computed", as_of=count_day(y, today)))
    figures = [i for i in wanted if i.computed in ("rd_ratio", "ip_class_i")]
    if figures:
        out.update(_figure_sums(session, figures, years, today, scope_kind))
    return out


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
    actuals = {**computed_actuals(session, years, today), **manual_actuals(session, years)}
    county = [t for t in targets if t.scope_kind == "county"]
    codes = {t.indicator for t in county}
    closed = closed_parameters(session, today)
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
            actuals={y: actuals[(code, "", y)] for y in years if (code, "", y) in actuals
                     and y > plan.baseline_year},
            closed_note=ind.closed_note if ind.closed_by in closed else None,
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
