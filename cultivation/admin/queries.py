"""Read side of the admin pages: users with their token and portfolio counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ScalarSelect, func, select

from cultivation.accounts.models import ApiToken, User
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment


@dataclass(frozen=True)
class UserRow:
    """A user with how many live API tokens and firms they hold."""

    user: User
    tokens: int
    firms: int


def firm_count() -> ScalarSelect[int]:
    return (
        select(func.count(PortfolioAssignment.id))
        .join(Enterprise, Enterprise.id == PortfolioAssignment.enterprise_id)
        .where(PortfolioAssignment.advisor_id == User.id, PortfolioAssignment.ended_on.is_(None),
               Enterprise.deleted_at.is_(None))
        .correlate(User).scalar_subquery()
    )


def users_overview(session: DbSession) -> list[UserRow]:
    """Every user with counts, in one query (correlated subqueries)."""
    tokens = (
        select(func.count(ApiToken.id))
        .where(ApiToken.user_id == User.id, ApiToken.revoked_at.is_(None))
        .correlate(User).scalar_subquery()
    )
    stmt = select(User, tokens, firm_count()).order_by(
        User.is_active_flag.desc(), User.role, User.username
    )
    return [UserRow(u, t or 0, f or 0) for u, t, f in session.execute(stmt).all()]


def user_tokens(session: DbSession, user_id: int) -> list[ApiToken]:
    """A user's API tokens, newest first (revoked ones included, for the record)."""
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    ))


def deleted_enterprises(session: DbSession) -> list[Enterprise]:
    """Soft-deleted firms, most recently deleted first."""
    return list(session.scalars(
        select(Enterprise).where(Enterprise.deleted_at.is_not(None))
        .order_by(Enterprise.deleted_at.desc())
    ))
