"""Advisor workload: portfolio size, visits, firms not visited lately, candidates, overdue
follow-ups — one grouped statement for every advisor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.sql.selectable import Subquery

from cultivation.accounts.access import VisibleScope
from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.queries import is_candidate
from cultivation.screening.runs import in_run
from cultivation.visits.models import Visit


@dataclass(frozen=True)
class AdvisorLoad:
    """One advisor's figures for the period ending ``end``."""

    username: str
    name: str
    portfolio: int
    visits: int
    stale: int
    candidates: int
    overdue: int

    @property
    def visits_per_firm(self) -> float | None:
        return self.visits / self.portfolio if self.portfolio else None


def assignment_on(day: date) -> ColumnElement[bool]:
    """Portfolio assignments in force on ``day``."""
    return and_(PortfolioAssignment.started_on <= day,
                or_(PortfolioAssignment.ended_on.is_(None), PortfolioAssignment.ended_on > day))


def latest_run_id(as_of: date) -> Any:
    """Scalar subquery: the most recent screening run on or before ``as_of``."""
    return (select(ScreeningRun.id).where(ScreeningRun.as_of <= as_of)
            .order_by(ScreeningRun.as_of.desc(), ScreeningRun.id.desc()).limit(1)
            .scalar_subquery())


def _portfolio(day: date) -> Any:
    # live firms: "not one of the few deleted" reads an index, not every firm
    deleted = select(Enterprise.id).where(Enterprise.deleted_at.is_not(None))
    return (select(PortfolioAssignment.advisor_id, PortfolioAssignment.enterprise_id)
            .where(assignment_on(day), PortfolioAssignment.enterprise_id.not_in(deleted)))


def _last_visits(end: date) -> Subquery:
    return (select(Visit.enterprise_id, func.max(Visit.visited_on).label("last"))
            .where(Visit.visited_on <= end).group_by(Visit.enterprise_id).subquery("last_visits"))


def workload(session: DbSession, start: date, end: date, stale_days: int) -> list[AdvisorLoad]:
    """Every advisor's figures for ``start``–``end``; portfolio as on ``end`` (one query).

    The portfolio is read once: each firm with whether it was visited lately, whether the
    latest run lists it as a candidate and its overdue follow-ups, added up per advisor."""
    port = _portfolio(end).subquery("port")
    visits = (select(Visit.advisor_id, func.count().label("n"))
              .where(Visit.visited_on >= start, Visit.visited_on <= end)
              .group_by(Visit.advisor_id).subquery("visit_counts"))
    # stale: no visit from the cutoff to the end (= last visit by the end before the cutoff)
    recent = (select(Visit.enterprise_id)
              .where(Visit.visited_on >= end - timedelta(days=stale_days),
                     Visit.visited_on <= end)
              .distinct().subquery("recent_visits"))
    listed = (select(Evaluation.enterprise_id)
              .where(in_run(Evaluation, latest_run_id(end)), is_candidate(Evaluation))
              .distinct().subquery("candidate_firms"))
    overdue = (select(Visit.enterprise_id, func.count(Visit.id).label("n"))
               .where(Visit.follow_up_done.is_(False), Visit.next_follow_up_on.is_not(None),
                      Visit.next_follow_up_on < end)
               .group_by(Visit.enterprise_id).subquery("overdue_firms"))
    per_advisor = (
        select(port.c.advisor_id,
               func.count().label("portfolio"),
               func.sum(case((recent.c.enterprise_id.is_(None), 1), else_=0)).label("stale"),
               func.count(distinct(listed.c.enterprise_id)).label("candidates"),
               func.sum(func.coalesce(overdue.c.n, 0)).label("overdue"))
        .outerjoin(recent, recent.c.enterprise_id == port.c.enterprise_id)
        .outerjoin(listed, listed.c.enterprise_id == port.c.enterprise_id)
        .outerjoin(overdue, overdue.c.enterprise_id == port.c.enterprise_id)
        .group_by(port.c.advisor_id).subquery("per_advisor"))
    stmt = (
        select(User.username, User.display_name,
               *[func.coalesce(per_advisor.c[name], 0).label(name)
                 for name in ("portfolio", "stale", "candidates", "overdue")],
               func.coalesce(visits.c.n, 0).label("visits"))
        .outerjoin(per_advisor, per_advisor.c.advisor_id == User.id)
        .outerjoin(visits, visits.c.advisor_id == User.id)
        .where(User.role == "advisor",
               or_(User.is_active_flag.is_(True), per_advisor.c.portfolio > 0))
        .order_by(User.display_name, User.username)
    )
    return [AdvisorLoad(r.username, r.display_name, int(r.portfolio), int(r.visits),
                        int(r.stale), int(r.candidates), int(r.overdue))
            for r in session.execute(stmt)]


@dataclass(frozen=True)
class StaleFirm:
    """A portfolio firm not visited within the window."""

    credit_code: str
    name: str
    town: str
    advisor: str
    advisor_name: str
    last_visit: date | None


def stale_firms(session: DbSession, end: date, stale_days: int, *, scope: VisibleScope,
                advisor_id: int | None = None) -> list[StaleFirm]:
    """Portfolio firms (on ``end``) with no visit in the ``stale_days`` before it — the firms
    whose details ``scope`` shows (a row's advisor and last visit are details)."""
    last = _last_visits(end)
    cutoff = end - timedelta(days=stale_days)
    stmt = (
        select(Enterprise.credit_code, Enterprise.name, Enterprise.town, User.username,
               User.display_name, last.c.last)
        .select_from(PortfolioAssignment)
        .join(Enterprise, Enterprise.id == PortfolioAssignment.enterprise_id)
        .join(User, User.id == PortfolioAssignment.advisor_id)
        .outerjoin(last, last.c.enterprise_id == Enterprise.id)
        .where(assignment_on(end), Enterprise.deleted_at.is_(None),
               or_(last.c.last.is_(None), last.c.last < cutoff), scope.details(Enterprise.id))
        .order_by(User.display_name, last.c.last.is_not(None), last.c.last, Enterprise.name)
    )
    if advisor_id is not None:
        stmt = stmt.where(PortfolioAssignment.advisor_id == advisor_id)
    return [StaleFirm(*row) for row in session.execute(stmt)]
