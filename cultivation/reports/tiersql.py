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
    exists,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)

from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.portfolios.queries import assignment_on
from cultivation.qualifications.models import RDInstitution, TierSpan
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

    Driven by the spans, not by the firms, one UNION ALL branch per day and part with the day
    as a constant (so each is an index range): the tiered firms of a day are a range of
    ``ix_tier_spans_on_day`` — county-wide minus the spans of the few firms deleted or
    registered after the day (``ix_enterprises_deleted_at`` / ``ix_enterprises_registered_id``)
    — the live firms a count, and "none" the difference."""
    filters = scope or ReportFilters()
    wanted = sorted(set(days))
    narrowed = bool(filters.town or filters.industry or filters.advisor_id is not None)
    parts: list[Select[Any]] = []
    for i, day in enumerate(wanted):
        parts.extend(_narrowed_parts(i, day, filters) if narrowed else _county_parts(i, day))
    if not narrowed:  # live firms, whatever the day
        parts.append(_part("live", -1, literal(0), Enterprise.id)
                     .where(Enterprise.deleted_at.is_(None)))
    live = dict.fromkeys(range(len(wanted)), 0)
    counts = [dict.fromkeys(TIERS, 0) for _ in wanted]
    for part, i, rank, n in session.execute(union_all(*parts)):
        i, n = int(i), int(n)
        if part == "live":
            for key in ([i] if i >= 0 else list(live)):
                live[key] += n
        elif part == "late":
            live[i] -= n
        elif part == "held":
            counts[i][TIERS[int(rank)]] += n
        else:  # "gone": spans of firms not (yet / any more) counted that day
            counts[i][TIERS[int(rank)]] -= n
    for i, tiers in enumerate(counts):
        tiers["none"] = live[i] - sum(tiers.values())
    by_day = dict(zip(wanted, counts, strict=True))
    return {day: dict(by_day[day]) for day in days}


def _part(name: str, i: int, rank: Any, firms: Any) -> Select[Any]:
    return select(literal(name).label("part"), literal(i).label("i"), rank.label("rank"),
                  func.count(firms).label("n"))


def _county_parts(i: int, day: date) -> list[Select[Any]]:
    held_span = and_(span_on(day), TierSpan.rank > 0)
    # firms deleted, or registered after the day: each half an index range
    not_counted = union(select(Enterprise.id).where(Enterprise.deleted_at.is_not(None)),
                        select(Enterprise.id).where(Enterprise.registered_on > day))
    return [
        _part("late", i, literal(0), Enterprise.id)
        .where(Enterprise.deleted_at.is_(None), Enterprise.registered_on > day),
        _part("held", i, TierSpan.rank, TierSpan.enterprise_id)
        .where(held_span).group_by(TierSpan.rank),
        # driven by the few firms (IN list → ``ix_tier_spans_firm_day`` probes)
        _part("gone", i, TierSpan.rank, TierSpan.enterprise_id)
        .where(TierSpan.enterprise_id.in_(not_counted), held_span)
        .group_by(TierSpan.rank),
    ]


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
