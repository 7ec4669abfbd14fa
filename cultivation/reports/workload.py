"""Advisor workload: portfolio size, visits, firms not visited lately, candidates, overdue
follow-ups — one grouped statement for every advisor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, func, or_, select
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
    return (select(PortfolioAssignment.advisor_id, PortfolioAssignment.enterprise_id)
            .join(Enterprise, Enterprise.id == PortfolioAssignment.enterprise_id)
            .where(assignment_on(day), Enterprise.deleted_at.is_(None)))


def _last_visits(end: date) -> Subquery:
    return (select(Visit.enterprise_id, func.max(Visit.visited_on).label("last"))
            .where(Visit.visited_on <= end).group_by(Visit.enterprise_id).subquery("last_visits"))


def workload(session: DbSession, start: date, end: date, stale_days: int) -> list[AdvisorLoad]:
    """Every advisor's figures for ``start``–``end``; portfolio as on ``end`` (one query)."""
    port = _portfolio(end).subquery("port")
    sizes = (select(port.c.advisor_id, func.count().label("n"))
             .group_by(port.c.advisor_id).subquery("sizes"))
    visits = (select(Visit.advisor_id, func.count().label("n"))
              .where(Visit.visited_on >= start, Visit.visited_on <= end)
              .group_by(Visit.advisor_id).subquery("visit_counts"))
    last = _last_visits(end)
    cutoff = end - timedelta(days=stale_days)
    stale = (select(port.c.advisor_id, func.count().label("n"))
             .outerjoin(last, last.c.enterprise_id == port.c.enterprise_id)
             .where(or_(last.c.last.is_(None), last.c.last < cutoff))
             .group_by(port.c.advisor_id).subquery("stale"))
    candidates = (select(port.c.advisor_id,
                         func.count(distinct(Evaluation.enterprise_id)).label("n"))
                  .join(Evaluation, Evaluation.enterprise_id == port.c.enterprise_id)
                  .where(in_run(Evaluation, latest_run_id(end)),
                         is_candidate(Evaluation))
                  .group_by(port.c.advisor_id).subquery("candidates"))
    overdue = (select(port.c.advisor_id, func.count(Visit.id).label("n"))
               .join(Visit, Visit.enterprise_id == port.c.enterprise_id)
               .where(Visit.follow_up_done.is_(False), Visit.next_follow_up_on.is_not(None),
                      Visit.next_follow_up_on < end)
               .group_by(port.c.advisor_id).subquery("overdue"))
    parts = [("portfolio", sizes), ("visits", visits), ("stale", stale),
             ("candidates", candidates), ("overdue", overdue)]
    stmt = select(User.username, User.display_name,
                  *[func.coalesce(sub.c.n, 0).label(name) for name, sub in parts])
    for _, sub in parts:
        stmt = stmt.outerjoin(sub, sub.c.advisor_id == User.id)
    stmt = stmt.where(User.role == "advisor",
                      or_(User.is_active_flag.is_(True), sizes.c.n > 0)
                      ).order_by(User.display_name, User.username)
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
