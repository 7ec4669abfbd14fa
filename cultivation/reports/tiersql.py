"""Firms per tier at many dates in one statement (``tier_counts_on``: the funnel, the
dashboards and the leader digest — read from the maintained tier spans), and the narrowing
every report shares.

"In force on a day" is ``qualifications.queries.in_force_on`` and "portfolio on a day"
``portfolios.queries.assignment_on``; both take a date or a date column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select, union_all

from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.portfolios.queries import assignment_on
from cultivation.qualifications.models import RDInstitution, TierSpan
from cultivation.qualifications.queries import span_on
from cultivation.qualifications.tiers import KIND_TIER, TIERS
from cultivation.reports.dates import date_series
from cultivation.reports.filters import ReportFilters

TIER_KINDS = list(KIND_TIER)



def institution_in_force(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """An R&D institution counts on ``day``: recognised by then and not revoked on or before."""
    return and_(
        RDInstitution.recognized_on <= day,
        or_(RDInstitution.revoked_on.is_(None), RDInstitution.revoked_on > day),
    )


def firm_exists_on(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """Live (not deleted) firms registered on or before ``day`` (unknown date: counted)."""
    return and_(
        Enterprise.deleted_at.is_(None),
        or_(Enterprise.registered_on.is_(None), Enterprise.registered_on <= day),
    )


def in_portfolio_on(advisor_id: int, day: ColumnElement[Any]) -> ColumnElement[bool]:
    """The firm was in the advisor's portfolio on ``day`` (same test as ``portfolio_ids_on``)."""
    return exists().where(
        PortfolioAssignment.enterprise_id == Enterprise.id,
        PortfolioAssignment.advisor_id == advisor_id,
        assignment_on(day),
    )


def narrow(stmt: Select[Any], filters: ReportFilters, day: ColumnElement[Any]) -> Select[Any]:
    """Apply town / industry / advisor (portfolio on ``day``) to a statement over Enterprise."""
    if filters.town:
        stmt = stmt.where(Enterprise.town == filters.town)
    if filters.industry:
        stmt = stmt.where(Enterprise.industry == filters.industry)
    if filters.advisor_id is not None:
        stmt = stmt.where(in_portfolio_on(filters.advisor_id, day))
    return stmt


def active_position_join(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """ON-clause: the portfolio assignment of ``Enterprise`` in force on ``day``."""
    return and_(PortfolioAssignment.enterprise_id == Enterprise.id, assignment_on(day))


def tier_counts_on(
    session: DbSession, days: Sequence[date], scope: ReportFilters | None = None
) -> dict[date, dict[str, int]]:
    """Firms per exact tier on each day — the one count behind the funnel, the dashboards and
    the leader digest, in one statement. A firm's tier is its maintained span containing the
    day (``qualifications.spans``; none without one). ``scope`` narrows by town, industry and
    advisor (the portfolio on each day); firms count from their registration date.

    Driven by the spans, not by the firms: the tiered firms of a day are one range scan of
    ``ix_tier_spans_on_day`` (county-wide: minus the few spans of firms deleted or registered
    later, found through ``ix_enterprises_registered_on``), the live firms a count, and "none"
    is the difference."""
    filters = scope or ReportFilters()
    series = date_series(list(days))
    narrowed = bool(filters.town or filters.industry or filters.advisor_id is not None)
    parts = _narrowed_parts(series, filters) if narrowed else _county_parts(series)
    live: dict[date, int] = dict.fromkeys(days, 0)
    result = {day: dict.fromkeys(TIERS, 0) for day in days}
    for part, day, rank, n in session.execute(union_all(*parts)):
        day, n = _as_date(day), int(n)
        if part == "live":
            live[day] += n
        elif part == "late":
            live[day] -= n
        elif part == "held":
            result[day][TIERS[int(rank)]] += n
        else:  # "gone": spans of firms not (yet / any more) counted that day
            result[day][TIERS[int(rank)]] -= n
    for day, counts in result.items():
        counts["none"] = live[day] - sum(counts.values())
    return result


def _part(name: str, series: Any, rank: Any, firms: Any, stmt_from: Any,
          group_rank: bool) -> Select[Any]:
    stmt = select(literal(name).label("part"), series.c.day, rank.label("rank"),
                  func.count(firms).label("n")).select_from(stmt_from)
    return stmt.group_by(series.c.day, rank) if group_rank else stmt.group_by(series.c.day)


def _county_parts(series: Any) -> list[Select[Any]]:
    day = series.c.day
    held_span = and_(span_on(day), TierSpan.rank > 0)
    not_counted = or_(Enterprise.deleted_at.is_not(None),
                      and_(Enterprise.registered_on.is_not(None), Enterprise.registered_on > day))
    return [
        _part("live", series, literal(0), Enterprise.id,
              series.join(Enterprise, Enterprise.deleted_at.is_(None)), False),
        _part("late", series, literal(0), Enterprise.id,
              series.join(Enterprise, and_(Enterprise.deleted_at.is_(None),
                                           Enterprise.registered_on > day)), False),
        _part("held", series, TierSpan.rank, TierSpan.enterprise_id,
              series.join(TierSpan, held_span), True),
        _part("gone", series, TierSpan.rank, TierSpan.enterprise_id,
              series.join(Enterprise, not_counted)
              .join(TierSpan, and_(TierSpan.enterprise_id == Enterprise.id, held_span)), True),
    ]


def _narrowed_parts(series: Any, filters: ReportFilters) -> list[Select[Any]]:
    day = series.c.day
    live = _part("live", series, literal(0), Enterprise.id,
                 series.join(Enterprise, firm_exists_on(day)), False)
    held = _part("held", series, TierSpan.rank, TierSpan.enterprise_id,
                 series.join(TierSpan, and_(span_on(day), TierSpan.rank > 0))
                 .join(Enterprise, and_(Enterprise.id == TierSpan.enterprise_id,
                                        firm_exists_on(day))), True)
    return [narrow(live, filters, day), narrow(held, filters, day)]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
