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

from sqlalchemy import Date, and_, case, func, literal, or_, select
from sqlalchemy.sql.selectable import Subquery

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.flags import dated_flags, flag_from
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import OPEN_END, Qualification, RDInstitution
from cultivation.reports.dates import add_days, day_literal
from cultivation.reports.indicators import COMPUTED, Indicator
from cultivation.reports.tiersql import active_position_join, firm_exists_on

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


def _spells(source: str, first: date, last: date, kinds: list[str]) -> Subquery:
    """(enterprise_id, kind, start, stop): each certificate / institution of ``kinds`` that
    counts on some day from ``first`` to ``last``, with the first and last day it counts
    (``in_force_on`` / ``institution_in_force`` as a closed interval: a revoked certificate
    stops the day before its revocation, or never starts without a date)."""
    if source == "qualification":
        q = Qualification
        stop = case(
            (q.status != "revoked", func.coalesce(q.valid_to, day_literal(OPEN_END))),
            (q.revoked_on.is_(None), add_days(q.valid_from, -1)),
            (q.valid_to < add_days(q.revoked_on, -1), q.valid_to),
            else_=add_days(q.revoked_on, -1))
        return (select(q.enterprise_id, q.kind, q.valid_from.label("start"), stop.label("stop"))
                .where(q.kind.in_(kinds), q.valid_from <= last,
                       or_(q.valid_to.is_(None), q.valid_to >= first))
                .subquery("spells"))
    i = RDInstitution
    stop = case((i.revoked_on.is_(None), day_literal(OPEN_END)), else_=add_days(i.revoked_on, -1))
    return (select(i.enterprise_id, i.kind, i.recognized_on.label("start"), stop.label("stop"))
            .where(i.kind.in_(kinds), i.recognized_on <= last,
                   or_(i.revoked_on.is_(None), i.revoked_on > first))
            .subquery("spells"))


def _stock_counts(session: DbSession, source: str, indicators: list[Indicator],
                  days: list[date], scope_kind: str) -> dict[tuple[str, str, date], Actual]:
    """Firms holding a qualification / institution of each indicator's kinds on each of
    ``days``, keyed (indicator, scope value, day) — one statement for all the indicators of a
    source (one per day for advisors). A scope and day is present when some firm of it held one
    of the kinds that day.

    One pass over the certificates: per firm, a 0/1 flag for each indicator and day (``max``
    of "a certificate of its kinds in force": a firm counts once however many it holds), then
    a sum per scope of the flags of the firms existing that day — no DISTINCT per day."""
    ordered = sorted(set(days))
    spells = _spells(source, ordered[0], ordered[-1],
                     sorted({k for ind in indicators for k in ind.kinds}))
    flag = {(i, j): func.max(case((and_(spells.c.kind.in_(ind.kinds), spells.c.start <= d,
                                         spells.c.stop >= d), 1), else_=0)).label(f"h{i}_{j}")
            for j, d in enumerate(ordered) for i, ind in enumerate(indicators)}
    held = (select(spells.c.enterprise_id, *flag.values())
            .group_by(spells.c.enterprise_id).subquery("held"))
    scope_col, needs_portfolio = _scope_column(scope_kind)

    def sums(j: int, d: date, gate: Any) -> list[Any]:
        exists_then = and_(gate, firm_exists_on(literal(d, Date)))
        held_any = or_(*[held.c[f"h{i}_{j}"] == 1 for i in range(len(indicators))])
        return [func.sum(case((and_(exists_then, held_any), 1), else_=0)).label(f"n_{j}"),
                *[func.sum(case((exists_then, held.c[f"h{i}_{j}"]), else_=0)).label(f"s{i}_{j}")
                  for i in range(len(indicators))]]

    rows: list[tuple[int, Any]] = []  # (day index, row)
    if needs_portfolio:  # the portfolio of each day: one branch per day
        for j, d in enumerate(ordered):
            stmt = (select(scope_col.label("scope"), *sums(j, d, literal(True)))
                    .select_from(held).join(Enterprise, Enterprise.id == held.c.enterprise_id)
                    .join(PortfolioAssignment, active_position_join(literal(d, Date)))
                    .join(User, User.id == PortfolioAssignment.advisor_id).group_by(scope_col))
            rows.extend((j, row) for row in session.execute(stmt))
    else:
        cols = [c for j, d in enumerate(ordered) for c in sums(j, d, literal(True))]
        stmt = (select(scope_col.label("scope"), *cols).select_from(held)
                .join(Enterprise, Enterprise.id == held.c.enterprise_id).group_by(scope_col))
        rows = [(j, row) for row in session.execute(stmt) for j in range(len(ordered))]
    out: dict[tuple[str, str, date], Actual] = {}
    for j, row in rows:
        values = row._mapping
        if not values[f"n_{j}"]:
            continue
        day = ordered[j]
        for i, ind in enumerate(indicators):
            out[(ind.code, str(row.scope or ""), day)] = Actual(
                float(values[f"s{i}_{j}"] or 0), "computed", as_of=day)
    return out


def _figure_sums(session: DbSession, indicators: list[Indicator], years: list[int],
                 today: date, scope_kind: str) -> dict[Key, Actual]:
    """Fiscal-year indicators: above-scale R&D / sales (%) and Ⅰ类 IP totals, by year. A firm
    counts as 规上 for a year when its flag was set on that year's count day (the dated flag
    history joined per firm and year, so a past year keeps the flags it had)."""
    scope_col, needs_portfolio = _scope_column(scope_kind)
    dated = dated_flags("above_scale", {y: count_day(y, today) for y in years})
    above_scale = flag_from(dated, "above_scale")
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
        .outerjoin(dated, and_(dated.c.enterprise_id == FiscalYearFigures.enterprise_id,
                               dated.c.key == FiscalYearFigures.year))
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
    return series_and_current(session, years, today, scope_kind, indicators, current=[])[0]


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
    current = [i for i in (indicators or COMPUTED) if i.computed]
    return series_and_current(session, [], day, scope_kind, [], current=current)[1]


def series_and_current(
    session: DbSession, years: list[int], today: date, scope_kind: str = "county",
    indicators: list[Indicator] | None = None, *, current: list[Indicator],
) -> tuple[dict[Key, Actual], dict[tuple[str, str], Actual]]:
    """``computed_actuals(years)`` of ``indicators`` and ``indicator_values(today)`` of
    ``current`` together: the stock counts of the year ends and of today are one pass over the
    certificates, and today's fiscal-year values are the series' row of the last closed year
    when the series has it (the same figures and flag day)."""
    years = sorted({y for y in years if y <= today.year})
    wanted = [i for i in (indicators or COMPUTED) if i.computed] if years else []
    series: dict[Key, Actual] = {}
    now: dict[tuple[str, str], Actual] = {}
    for source in ("qualification", "institution"):
        group = [i for i in wanted if i.computed == source]
        today_group = [i for i in current if i.computed == source]
        both = [i for i in COMPUTED if i in group or i in today_group]
        if not both:
            continue
        ends = {count_day(y, today): y for y in years}
        counts = _stock_counts(session, source, both, [*ends, *([today] if today_group else [])],
                               scope_kind)
        for (code, scope, day), actual in counts.items():
            if day in ends and any(i.code == code for i in group):
                series[(code, scope, ends[day])] = actual
            if day == today and any(i.code == code for i in today_group):
                now[(code, scope)] = actual
        if scope_kind == "county":
            for ind in group:
                for y in years:
                    series.setdefault((ind.code, "", y),
                                      Actual(0.0, "computed", as_of=count_day(y, today)))
            for ind in today_group:
                now.setdefault((ind.code, ""), Actual(0.0, "computed", as_of=today))
    figures = [i for i in wanted if i.computed in ("rd_ratio", "ip_class_i")]
    today_figures = [i for i in current if i.computed in ("rd_ratio", "ip_class_i")]
    closed = fiscal_year_on(today)
    if figures:
        series.update(_figure_sums(session, figures, years, today, scope_kind))
    if today_figures:
        sums = (series if figures and closed in years and
                {i.code for i in today_figures} <= {i.code for i in figures}
                else _figure_sums(session, today_figures, [closed], today, scope_kind))
        for (code, scope, year), actual in sums.items():
            if year == closed and any(i.code == code for i in today_figures):
                now[(code, scope)] = Actual(actual.value, actual.source,
                                            as_of=date(closed, 12, 31))
    return series, now
