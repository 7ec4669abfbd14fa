"""Who may see and change what. Views and the API ask here, never decide themselves.

admin: everything. leader: reads everything, writes nothing. advisor: reads and writes the
firms in their current portfolio; of other firms only name, town and tier.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

import flask_login
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from cultivation.extensions import db
from cultivation.portfolios.models import PortfolioAssignment

F = TypeVar("F", bound=Callable[..., Any])


def in_portfolio(user: Any, enterprise_id: int) -> bool:
    """Whether the firm is in the advisor's current portfolio."""
    return (
        db.session.scalar(
            select(PortfolioAssignment.id).where(
                PortfolioAssignment.enterprise_id == enterprise_id,
                PortfolioAssignment.advisor_id == user.id,
                PortfolioAssignment.ended_on.is_(None),
            )
        )
        is not None
    )


def can_view_details(user: Any, enterprise_id: int) -> bool:
    """Figures, contacts, notes and visits: admin, leader, or the firm's own advisor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.sees_everything:
        return True
    return bool(user.is_advisor and in_portfolio(user, enterprise_id))


def can_edit(user: Any, enterprise_id: int | None = None) -> bool:
    """Admins edit everything; advisors their portfolio (or a new firm); leaders nothing."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    if user.is_advisor:
        return enterprise_id is None or in_portfolio(user, enterprise_id)
    return False


def roles_required(*roles: str) -> Callable[[F], F]:
    """View decorator: 403 unless the logged-in user has one of ``roles``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from cultivation.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def login_required(view: F) -> F:
    """Flask-Login's ``login_required`` with its type kept (anonymous → the login page)."""
    return cast(F, flask_login.login_required(view))
