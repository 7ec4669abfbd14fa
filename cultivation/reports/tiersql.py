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

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

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
    """Firms per exact tier on each day — one GROUP BY over (day × firm): the one count behind
    the funnel, the dashboards and the leader digest. A firm's tier is its maintained span
    containing the day (``qualifications.spans``; none without one). ``scope`` narrows by town,
    industry and advisor (the portfolio on each day); firms count from their registration
    date."""
    filters = scope or ReportFilters()
    series = date_series(list(days))
    rank_col = func.coalesce(TierSpan.rank, 0)
    stmt = (
        select(series.c.day, rank_col.label("rank"), func.count(Enterprise.id))
        .select_from(series)
        .join(Enterprise, firm_exists_on(series.c.day))
        .outerjoin(TierSpan, and_(TierSpan.enterprise_id == Enterprise.id,
                                  span_on(series.c.day)))
        .group_by(series.c.day, rank_col)
    )
    stmt = narrow(stmt, filters, series.c.day)
    result = {day: dict.fromkeys(TIERS, 0) for day in days}
    for day, rank, n in session.execute(stmt):
        result[_as_date(day)][TIERS[int(rank)]] += int(n)
    return result


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
