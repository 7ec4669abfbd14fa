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

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)

from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.portfolios.queries import assignment_on
from cultivation.qualifications.models import COUNTED_SPANS, RDInstitution, TierSpan
from cultivation.qualifications.queries import span_on
from cultivation.qualifications.tiers import KIND_TIER, TIERS
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

    County-wide, two parts whatever the number of days, each row with a count per day
    (``_county_parts``): the tiered firms in one pass over one range of the spans of live
    firms (``ix_tier_spans_counted``; the spans carry the firm's registration date), by tier;
    and the live firms registered by each day in one pass over
    ``ix_enterprises_live_registered``. "none" is the difference. Narrowed, a UNION ALL
    branch per day and part, joined to the firms for the filters (``_narrowed_parts``)."""
    filters = scope or ReportFilters()
    wanted = sorted(set(days))
    counts = [dict.fromkeys(TIERS, 0) for _ in wanted]
    live = [0] * len(wanted)
    if filters.town or filters.industry or filters.advisor_id is not None:
        parts = [p for i, day in enumerate(wanted) for p in _narrowed_parts(i, day, filters)]
        rows: Any = ((part, rank, *[n if j == i else 0 for j in range(len(wanted))])
                     for part, i, rank, n in session.execute(union_all(*parts)))
    else:
        rows = session.execute(union_all(*_county_parts(wanted)))
    for part, rank, *per_day in rows:
        for i, n in enumerate(per_day):
            if part == "held":
                counts[i][TIERS[int(rank)]] += int(n)
            else:  # "live": firms counted that day
                live[i] += int(n)
    for i, tiers in enumerate(counts):
        tiers["none"] = live[i] - sum(tiers.values())
    by_day = dict(zip(wanted, counts, strict=True))
    return {day: dict(by_day[day]) for day in days}


def counted_span_on(day: date) -> ColumnElement[bool]:
    """A span (of a live firm) that holds on ``day`` and counts then: the firm registered by
    the day or with no known date — read from the span's own columns."""
    return and_(
        span_on(day),
        or_(TierSpan.firm_registered_on.is_(None), TierSpan.firm_registered_on <= day),
    )


def _county_parts(days: Sequence[date]) -> list[Select[*tuple[Any, ...]]]:
    """Rows (part, rank, count on day 0, count on day 1, …), county-wide."""
    first, last = days[0], days[-1]
    zero = literal(0)
    held = (
        select(literal("held").label("part"), TierSpan.rank.label("rank"),
               *[func.count(case((counted_span_on(day), 1))).label(f"n{i}")
                 for i, day in enumerate(days)])
        .where(text(COUNTED_SPANS),  # literally the index's WHERE (``ix_tier_spans_counted``)
               TierSpan.valid_to >= first, TierSpan.valid_from <= last,
               or_(TierSpan.firm_registered_on.is_(None), TierSpan.firm_registered_on <= last))
        .group_by(TierSpan.rank)
    )
    # live firms registered by each day (or with no known date): one pass over
    # ``ix_enterprises_live_registered``
    live = (select(literal("live"), zero,
                   *[func.count(case((or_(Enterprise.registered_on.is_(None),
                                          Enterprise.registered_on <= day), 1))).label(f"n{i}")
                     for i, day in enumerate(days)])
            .where(Enterprise.deleted_at.is_(None)))
    return [held, live]


def _part(name: str, i: int, rank: Any, firms: Any) -> Select[Any]:
    return select(literal(name).label("part"), literal(i).label("i"), rank.label("rank"),
                  func.count(firms).label("n"))


def _narrowed_parts(i: int, day: date, filters: ReportFilters) -> list[Select[Any]]:
    on_day = literal(day)
    live = _part("live", i, literal(0), Enterprise.id).where(firm_exists_on(on_day))
    held = (_part("held", i, TierSpan.rank, TierSpan.enterprise_id)
            .select_from(TierSpan)
            .join(Enterprise, and_(Enterprise.id == TierSpan.enterprise_id,
                                   firm_exists_on(on_day)))
            .where(span_on(day), TierSpan.rank > 0).group_by(TierSpan.rank))
    return [narrow(live, filters, on_day), narrow(held, filters, on_day)]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
