"""Indicator values: ONE definition of each computed plan indicator as of a date and a scope.

A stock indicator (高企数, 省科小数, 研究院 …) counts the firms holding one of its kinds on a day;
a fiscal-year indicator (规上 R&D 比重, Ⅰ类知识产权) sums the registry's figures of a fiscal year.
``indicator_values(day)`` is what the dashboard cards, the targets report's 截至 column, the
leader digest and the xlsx show; ``computed_actuals(years)`` is the same statement for the
year-end series of a plan (31 December, or today for the running year). The catalogue of
indicators (labels, units, kinds) is ``reports.indicators``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, distinct, func, literal, select

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.flags import flag_on
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.queries import in_force_on
from cultivation.reports.dates import date_series
from cultivation.reports.indicators import COMPUTED, Indicator
from cultivation.reports.tiersql import (
    active_position_join,
    firm_exists_on,
    institution_in_force,
)

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


def _stock_counts(session: DbSession, source: str, indicators: list[Indicator],
                  days: dict[date, int], scope_kind: str) -> dict[Key, Actual]:
    """Firms holding a qualification / institution of each indicator's kinds on each count day
    (``days``: day → the year it is reported under) — one statement for all the indicators of a
    source."""
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
    """Fiscal-year indicators: above-scale R&D / sales (%) and Ⅰ类 IP totals, by year. A firm
    counts as 规上 for a year when its flag was set on that year's count day (the dated flag
    history, so a past year keeps the flags it had)."""
    scope_col, needs_portfolio = _scope_column(scope_kind)
    above_scale = case(*[(FiscalYearFigures.year == y, flag_on("above_scale", count_day(y, today)))
                         for y in years], else_=False)
    both = (FiscalYearFigures.rd_expense.is_not(None)
            & FiscalYearFigures.sales_revenue.is_not(None) & above_scale)
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
            days = {count_day(y, today): y for y in years}
            out.update(_stock_counts(session, source, group, days, scope_kind))
            if scope_kind == "county":
                for ind in group:
                    for y in years:
                        out.setdefault((ind.code, "", y),
                                       Actual(0.0, "computed", as_of=count_day(y, today)))
    figures = [i for i in wanted if i.computed in ("rd_ratio", "ip_class_i")]
    if figures:
        out.update(_figure_sums(session, figures, years, today, scope_kind))
    return out


def fiscal_year_on(day: date) -> int:
    """The last fiscal year closed on ``day`` (its own year on 31 December)."""
    return day.year if (day.month, day.day) == (12, 31) else day.year - 1


def indicator_values(session: DbSession, day: date, scope_kind: str = "county",
                     indicators: list[Indicator] | None = None) -> dict[tuple[str, str], Actual]:
    """THE value of each computed indicator as of ``day`` — what the dashboard cards, the
    targets report's 截至 column, the leader digest and the xlsx show for that date.

    A stock indicator counts the firms holding one of its kinds on ``day`` (the same statement
    as the yearly series, whose year-end values are this function on 31 December); a fiscal-year
    indicator is the last fiscal year closed on ``day``. Keys: (indicator, scope value)."""
    wanted = [i for i in (indicators or COMPUTED) if i.computed]
    out: dict[tuple[str, str], Actual] = {}
    for source in ("qualification", "institution"):
        group = [i for i in wanted if i.computed == source]
        if group:
            for (code, scope, _), actual in _stock_counts(
                    session, source, group, {day: day.year}, scope_kind).items():
                out[(code, scope)] = actual
            if scope_kind == "county":
                for ind in group:
                    out.setdefault((ind.code, ""), Actual(0.0, "computed", as_of=day))
    figures = [i for i in wanted if i.computed in ("rd_ratio", "ip_class_i")]
    if figures:
        year = fiscal_year_on(day)
        for (code, scope, _), actual in _figure_sums(session, figures, [year], day,
                                                     scope_kind).items():
            out[(code, scope)] = Actual(actual.value, actual.source, as_of=date(year, 12, 31))
    return out
