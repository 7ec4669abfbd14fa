"""Read side of portfolios: current advisor of a firm, an advisor's firms."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, or_, select

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.portfolios.models import PortfolioAssignment


def current_assignment_join() -> ColumnElement[bool]:
    """ON-clause for joining the open assignment of each firm (``Enterprise.id`` side)."""
    from cultivation.enterprises.models import Enterprise

    return and_(
        PortfolioAssignment.enterprise_id == Enterprise.id,
        PortfolioAssignment.ended_on.is_(None),
    )


def portfolio_ids(advisor_id: int) -> Select[int]:
    """Firm ids currently in an advisor's portfolio (a subquery-ready select)."""
    return select(PortfolioAssignment.enterprise_id).where(
        PortfolioAssignment.advisor_id == advisor_id, PortfolioAssignment.ended_on.is_(None)
    )


def assignment_on(day: date | ColumnElement[Any]) -> ColumnElement[bool]:
    """An assignment in force on ``day`` (a date or a date expression): the one definition of
    "portfolio on a day" (started by then, not ended on or before it)."""
    return and_(
        PortfolioAssignment.started_on <= day,
        or_(PortfolioAssignment.ended_on.is_(None), PortfolioAssignment.ended_on > day),
    )


def portfolio_ids_on(advisor_id: int, day: date) -> Select[int]:
    """Firm ids in an advisor's portfolio on ``day`` (history-aware)."""
    return select(PortfolioAssignment.enterprise_id).where(
        PortfolioAssignment.advisor_id == advisor_id, assignment_on(day))


def advisors() -> Select[User]:
    """Active advisors ordered by name."""
    return (
        select(User)
        .where(User.role == "advisor", User.is_active_flag.is_(True))
        .order_by(User.display_name)
    )


def advisor_named(session: DbSession, username: str) -> User | None:
    """The active advisor with this user name."""
    return session.scalar(advisors().where(User.username == username))


def advisor_username(session: DbSession, name: str) -> str | None:
    """The user name of the advisor (active or not) called ``name`` — user name or 姓名."""
    return session.scalar(select(User.username).where(
        User.role == "advisor", or_(User.username == name, User.display_name == name))
        .order_by(User.username != name, User.id).limit(1))


def live_firm_ids(session: DbSession, wanted: list[int]) -> list[int]:
    """Those of ``wanted`` that are live (not deleted) firms."""
    from cultivation.enterprises.models import Enterprise

    if not wanted:
        return []
    return list(session.scalars(
        select(Enterprise.id).where(Enterprise.id.in_(wanted), Enterprise.deleted_at.is_(None))))


def advisor_loads(session: DbSession) -> list[tuple[User, int]]:
    """Active advisors and how many live firms each looks after, most loaded first."""
    from cultivation.admin.queries import firm_count

    firms = firm_count().label("firms")
    stmt = (
        select(User, firms)
        .where(User.role == "advisor", User.is_active_flag.is_(True))
        .order_by(firms.desc(), User.display_name)
    )
    return [(u, n or 0) for u, n in session.execute(stmt).all()]


def active_advisors(session: DbSession) -> list[User]:
    """Active advisors ordered by name (for pickers)."""
    return list(session.scalars(advisors()))


def advisor_names(session: DbSession) -> list[Row[str, str]]:
    """(username, display_name) rows of every advisor, active or not (filters keep history)."""
    return list(session.execute(
        select(User.username, User.display_name).where(User.role == "advisor")
        .order_by(User.display_name)).all())
