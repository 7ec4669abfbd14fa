"""Tier intervals in SQL: every tier change of every firm, as one chain of CTEs.

Each tier qualification is an event +1 on the day it starts counting and −1 on the day it stops
(the day after ``valid_to``, or the revocation date: the rule of
``qualifications.tiers.effective_end``), one column per rank. Running sums per firm give how many
qualifications of each rank hold at each event date; the tier is the highest rank with one;
``lag`` finds the dates where it changes. Checked against ``tiers.tier_history`` on random
histories (tests/integration/test_reports_flows.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import CTE

from cultivation.enterprises.models import Enterprise
from cultivation.qualifications.models import Qualification
from cultivation.qualifications.queries import kind_rank
from cultivation.qualifications.tiers import TIERS
from cultivation.reports.dates import add_days
from cultivation.reports.filters import ReportFilters
from cultivation.reports.tiersql import TIER_KINDS, narrow


def tier_changes(as_of: date, filters: ReportFilters | None = None) -> CTE:
    """CTE (enterprise_id, p, rank, prev_rank, revoked_rank): every tier change up to ``as_of``."""
    filters = filters or ReportFilters()
    day = literal(as_of)
    stop_by_revocation = func.coalesce(Qualification.revoked_on, Qualification.valid_from)
    after_expiry = add_days(Qualification.valid_to, 1)
    revoked = Qualification.status == "revoked"
    lapse_on = case(
        (and_(revoked, or_(Qualification.valid_to.is_(None),
                           stop_by_revocation <= after_expiry)), stop_by_revocation),
        else_=after_expiry,
    )
    revoked_end = case(
        (and_(revoked, or_(Qualification.valid_to.is_(None),
                           stop_by_revocation <= after_expiry)), 1),
        else_=0,
    )
    base = (
        select(Qualification.enterprise_id.label("enterprise_id"), kind_rank().label("rank"),
               Qualification.valid_from.label("start"), lapse_on.label("lapse_on"),
               revoked_end.label("revoked_end"))
        .join(Enterprise, Enterprise.id == Qualification.enterprise_id)
        .where(Enterprise.deleted_at.is_(None), Qualification.kind.in_(TIER_KINDS))
    )
    quals = narrow(base, filters, day).cte("tier_quals")
    # Events instead of a points × qualifications join: +1 on the start, −1 on the stop, one
    # column per rank; running sums per firm give how many qualifications of each rank hold.
    ranks = range(1, len(TIERS))
    counts = quals.c.lapse_on.is_(None) | (quals.c.lapse_on > quals.c.start)  # ever in force
    events = union_all(
        select(quals.c.enterprise_id, quals.c.start.label("p"),
               *[case((quals.c.rank == r, 1), else_=0).label(f"d{r}") for r in ranks],
               literal(0).label("revoked_rank"))
        .where(quals.c.start <= day, counts),
        select(quals.c.enterprise_id, quals.c.lapse_on.label("p"),
               *[case((quals.c.rank == r, -1), else_=0).label(f"d{r}") for r in ranks],
               case((quals.c.revoked_end == 1, quals.c.rank), else_=0).label("revoked_rank"))
        .where(quals.c.lapse_on.is_not(None), quals.c.lapse_on <= day, counts),
    ).cte("tier_events")
    points = (
        select(events.c.enterprise_id, events.c.p,
               *[func.sum(events.c[f"d{r}"]).label(f"d{r}") for r in ranks],
               func.max(events.c.revoked_rank).label("revoked_rank"))
        .group_by(events.c.enterprise_id, events.c.p)
        .cte("tier_points")
    )
    running = select(
        points.c.enterprise_id, points.c.p, points.c.revoked_rank,
        *[func.sum(points.c[f"d{r}"]).over(partition_by=points.c.enterprise_id,
                                           order_by=points.c.p).label(f"a{r}") for r in ranks],
    ).cte("tier_running")
    states = select(
        running.c.enterprise_id, running.c.p, running.c.revoked_rank,
        case(*[(running.c[f"a{r}"] > 0, r) for r in reversed(ranks)], else_=0).label("rank"),
    ).cte("tier_states")
    steps = select(
        states.c.enterprise_id, states.c.p, states.c.rank, states.c.revoked_rank,
        func.lag(states.c.rank, 1, 0).over(partition_by=states.c.enterprise_id,
                                           order_by=states.c.p).label("prev_rank"),
    ).cte("tier_steps")
    return (
        select(steps).where(steps.c.rank != steps.c.prev_rank).cte("tier_changes")
    )



def year_of(col: ColumnElement[Any]) -> ColumnElement[int]:
    """The calendar year of a date column, as an integer."""
    return extract("year", col).cast(Integer)
